"""The connector's configuration: parsed and validated before any network call.

Keys and defaults of the original design are kept exactly (all values are strings, as Fivetran passes them);
the keys after them are what a production user needs, each with a safe default. Every error names the key and
the fix, and never echoes a secret.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from .tables import DEFAULT_TABLES, LINK_TABLES, SPECS_BY_NAME
from .timestamps import UTC, format_timestamp, parse_timestamp


class ConfigurationError(ValueError):
    """A configuration value is missing or wrong; the message says which key and how to fix it."""


REQUIRED_KEYS = ("protocol", "hostname", "api_path", "username", "password", "database_name")
DEFAULTS = {
    # The original design's optional keys.
    "port": "",
    "batch_size": "10000",
    "rate_limit_pause": "0.25",
    "default_start_date": "1900-01-01T00:00:00Z",
    # Added for production use.
    "tables": ",".join(DEFAULT_TABLES),
    "request_timeout": "60",
    "max_retries": "5",
    "verify_tls": "true",
    "ca_bundle": "",
    "cursor_overlap_seconds": "300",
    "parallel_tables": "4",
    "delete_reconciliation_hours": "24",
    "api_generation": "auto",
}
SECRET_KEYS = frozenset({"password", "ca_bundle"})
ALL_KEYS = REQUIRED_KEYS + tuple(DEFAULTS)
ALL_TABLES = tuple(SPECS_BY_NAME) + tuple(LINK_TABLES)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)


@dataclass(frozen=True)
class ConnectorConfig:
    protocol: str
    hostname: str
    port: int | None
    api_path: str
    username: str
    password: str
    database_name: str
    batch_size: int
    rate_limit_pause: float
    default_start_date: str
    tables: tuple[str, ...]
    request_timeout: float
    max_retries: int
    verify_tls: bool
    ca_bundle: str
    cursor_overlap_seconds: int
    parallel_tables: int
    delete_reconciliation_hours: float
    api_generation: str

    @property
    def base_url(self) -> str:
        """As the original design documents it: `http://192.168.7.27:8080/act.web.api`, default ports omitted."""
        default_port = 443 if self.protocol == "https" else 80
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        port = f":{self.port}" if self.port and self.port != default_port else ""
        return f"{self.protocol}://{host}{port}{self.api_path}"

    def __repr__(self) -> str:  # never let the password reach a log or a crash report through a repr
        return (
            f"ConnectorConfig(base_url={self.base_url!r}, database_name={self.database_name!r}, tables={self.tables!r})"
        )


def _describe(key: str, value: str) -> str:
    return "" if key in SECRET_KEYS else f" (got {value[:60]!r})"


def _integer(key: str, value: str, low: int, high: int, what: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigurationError(f"'{key}' must be a whole number{_describe(key, value)}: set it to {what}") from None
    if not low <= number <= high:
        raise ConfigurationError(f"'{key}' must be between {low} and {high}{_describe(key, value)}: set it to {what}")
    return number


def _number(key: str, value: str, low: float, high: float, what: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise ConfigurationError(f"'{key}' must be a number{_describe(key, value)}: set it to {what}") from None
    if not (low <= number <= high):  # also rejects nan
        raise ConfigurationError(
            f"'{key}' must be between {low:g} and {high:g}{_describe(key, value)}: set it to {what}"
        )
    return number


def _boolean(key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise ConfigurationError(f"'{key}' must be true or false{_describe(key, value)}")


def _check_keys(raw: dict) -> None:
    if not isinstance(raw, dict):
        raise ConfigurationError("The configuration must be a JSON object of string keys and string values")
    for key, value in raw.items():
        if key not in ALL_KEYS:
            close = difflib.get_close_matches(str(key), ALL_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"valid keys are: {', '.join(ALL_KEYS)}"
            raise ConfigurationError(f"Unknown configuration key '{key}': remove it or rename it ({hint})")
        if not isinstance(value, str):
            raise ConfigurationError(
                f"'{key}' must be a string (Fivetran passes every configuration value as text), "
                f"got {type(value).__name__}: write it in quotes"
            )
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise ConfigurationError(
                f"Missing required configuration key '{key}': add it (see configuration.example.json)"
            )
        if not raw[key].strip():
            raise ConfigurationError(f"'{key}' is empty: set it (see configuration.example.json)")


def _hostname(value: str) -> str:
    host = value.strip()
    if "://" in host or "/" in host or "?" in host or "@" in host:
        raise ConfigurationError(
            "'hostname' must be a bare host name or IP address such as 192.168.7.27 or act.example.com, without a "
            "scheme, credentials or path: put http/https in 'protocol' and the path in 'api_path'"
        )
    if ":" in host and not host.startswith("["):
        try:
            ipaddress.IPv6Address(host)
            return host
        except ValueError:
            raise ConfigurationError("'hostname' must not contain a port: put the port number in 'port'") from None
    if not _HOSTNAME.match(host):
        raise ConfigurationError(f"'hostname' is not a valid host name or IP address (got {host[:60]!r})")
    return host


def _api_path(value: str) -> str:
    path = value.strip()
    if not path.startswith("/"):
        raise ConfigurationError(f"'api_path' must start with '/', e.g. /act.web.api (got {path[:60]!r})")
    if "?" in path or "#" in path or " " in path or "://" in path:
        raise ConfigurationError(f"'api_path' must be a plain URL path such as /act.web.api (got {path[:60]!r})")
    return path.rstrip("/") or ""


def _tables(value: str) -> tuple[str, ...]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names:
        raise ConfigurationError(f"'tables' names no table: list some of {', '.join(ALL_TABLES)}")
    for name in names:
        if name not in ALL_TABLES:
            close = difflib.get_close_matches(name, ALL_TABLES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigurationError(
                f"'tables' names an unknown table '{name}'{hint}: choose from {', '.join(ALL_TABLES)}"
            )
    for name in names:
        if name in LINK_TABLES and LINK_TABLES[name][0].name not in names:
            parent = LINK_TABLES[name][0].name
            raise ConfigurationError(
                f"'tables' selects '{name}' without '{parent}': its links are read from {parent}, add it"
            )
        spec = SPECS_BY_NAME.get(name)
        if spec and spec.parent_table and spec.parent_table not in names:
            raise ConfigurationError(
                f"'tables' selects '{name}' without '{spec.parent_table}': it is read per {spec.parent_table} record, add it"
            )
    return tuple(dict.fromkeys(names))


def _start_date(value: str) -> str:
    try:
        moment = parse_timestamp(value.strip())
    except ValueError:
        raise ConfigurationError(
            f"'default_start_date' must be an ISO 8601 timestamp such as 1900-01-01T00:00:00Z (got {value[:60]!r})"
        ) from None
    if moment > datetime.now(UTC):
        raise ConfigurationError(
            f"'default_start_date' is in the future (got {value[:60]!r}): nothing would be synced; use a past date"
        )
    return format_timestamp(moment)


def parse_configuration(raw: dict) -> ConnectorConfig:
    """Validates `raw` (the configuration dict Fivetran passes) and returns it typed, or raises ConfigurationError."""
    _check_keys(raw)
    values = {**DEFAULTS, **{key: value for key, value in raw.items() if value.strip() or key in REQUIRED_KEYS}}
    protocol = values["protocol"].strip().lower()
    if protocol not in ("http", "https"):
        raise ConfigurationError(f"'protocol' must be http or https (got {values['protocol'][:20]!r})")
    port = None
    if values["port"].strip():
        try:
            port = int(values["port"].strip())
        except ValueError:
            raise ConfigurationError(
                f"Port must be a whole number between 1 and 65535 (configuration key 'port', got {values['port'][:20]!r})"
            ) from None
        if not 1 <= port <= 65535:
            raise ConfigurationError(f"Port must be between 1 and 65535 (configuration key 'port', got {port})")
    api_generation = values["api_generation"].strip().lower()
    if api_generation not in ("auto", "current", "legacy"):
        raise ConfigurationError(
            f"'api_generation' must be auto, current (/api/tasks) or legacy (/api/activities) (got {api_generation[:20]!r})"
        )
    ca_bundle = values["ca_bundle"].strip()
    if ca_bundle and "-----BEGIN CERTIFICATE-----" not in ca_bundle:
        raise ConfigurationError(
            "'ca_bundle' must hold the PEM text of your server's CA certificate(s), starting with -----BEGIN CERTIFICATE-----"
        )
    return ConnectorConfig(
        protocol=protocol,
        hostname=_hostname(values["hostname"]),
        port=port,
        api_path=_api_path(values["api_path"]),
        username=values["username"].strip(),
        password=values["password"],
        database_name=values["database_name"].strip(),
        batch_size=_integer("batch_size", values["batch_size"], 1, 100_000, "the page size, e.g. 10000"),
        rate_limit_pause=_number(
            "rate_limit_pause", values["rate_limit_pause"], 0, 60, "the seconds between requests, e.g. 0.25"
        ),
        default_start_date=_start_date(values["default_start_date"]),
        tables=_tables(values["tables"]),
        request_timeout=_number("request_timeout", values["request_timeout"], 1, 3600, "seconds, e.g. 60"),
        max_retries=_integer("max_retries", values["max_retries"], 0, 50, "a retry count, e.g. 5"),
        verify_tls=_boolean("verify_tls", values["verify_tls"]),
        ca_bundle=ca_bundle,
        cursor_overlap_seconds=_integer(
            "cursor_overlap_seconds", values["cursor_overlap_seconds"], 0, 86_400, "seconds, e.g. 300"
        ),
        parallel_tables=_integer("parallel_tables", values["parallel_tables"], 1, 16, "a thread count, e.g. 4"),
        delete_reconciliation_hours=_number(
            "delete_reconciliation_hours",
            values["delete_reconciliation_hours"],
            0,
            24 * 365,
            "hours between delete checks, e.g. 24 (0 turns them off)",
        ),
        api_generation=api_generation,
    )
