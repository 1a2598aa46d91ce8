"""The connector's configuration: every key declared once, parsed and validated before any network call.

`CONFIG_KEYS` is the one list of keys: name, default, label, description, placeholder, parser, whether it is a
secret and which setup-form widget shows it. `DEFAULTS`, the setup form (form.py) and the README's configuration
table (scripts/readme_config_table.py) are derived from it. All values are strings, as Fivetran passes them. Every
error names the key and the fix, and never echoes a secret.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .tables import ALL_TABLES, DEFAULT_TABLES, LINK_TABLES, parent_of
from .timestamps import UTC, format_timestamp, parse_timestamp


class ConfigurationError(ValueError):
    """A configuration value is missing or wrong; the message says which key and how to fix it."""


_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)

# A parser takes the key's name and its text (the default when the user left it empty) and returns the typed value
# or raises ConfigurationError.
Parser = Callable[[str, str], Any]
Widget = Literal["text", "dropdown", "toggle"]


@dataclass(frozen=True)
class Choice:
    """One option of a dropdown key."""

    value: str
    label: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class ConfigKey:
    """One configuration key, as the parser, the setup form and the README see it."""

    name: str
    label: str  # the setup form's label
    description: str  # the setup form's help text and the README's "meaning"
    parse: Parser
    default: str | None = None  # None: required
    placeholder: str | None = None  # the form's placeholder; the default when not given
    widget: Widget = "text"
    choices: tuple[Choice, ...] = ()  # dropdown options
    secret: bool = False  # masked in the form, never echoed in an error
    shown_default: str | None = None  # the README's "default" column, when the default text would not say it

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def form_placeholder(self) -> str | None:
        return self.placeholder if self.placeholder is not None else (self.default or None)


# -- parsers ----------------------------------------------------------------------------------------------------------
def _describe(key: str, value: str) -> str:
    return "" if key in SECRET_KEYS else f" (got {value[:60]!r})"


def _integer(low: int, high: int, what: str) -> Parser:
    def parse(key: str, value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise ConfigurationError(
                f"'{key}' must be a whole number{_describe(key, value)}: set it to {what}"
            ) from None
        if not low <= number <= high:
            raise ConfigurationError(
                f"'{key}' must be between {low} and {high}{_describe(key, value)}: set it to {what}"
            )
        return number

    return parse


def _number(low: float, high: float, what: str) -> Parser:
    def parse(key: str, value: str) -> float:
        try:
            number = float(value.strip())
        except ValueError:
            raise ConfigurationError(f"'{key}' must be a number{_describe(key, value)}: set it to {what}") from None
        if not (low <= number <= high):  # also rejects nan
            raise ConfigurationError(
                f"'{key}' must be between {low:g} and {high:g}{_describe(key, value)}: set it to {what}"
            )
        return number

    return parse


def _boolean(key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1", "on"):
        return True
    if lowered in ("false", "no", "0", "off"):
        return False
    raise ConfigurationError(f"'{key}' must be true or false{_describe(key, value)}")


def _stripped(key: str, value: str) -> str:
    return value.strip()


def _as_given(key: str, value: str) -> str:
    return value


def _protocol(key: str, value: str) -> str:
    protocol = value.strip().lower()
    if protocol not in ("http", "https"):
        raise ConfigurationError(f"'protocol' must be http or https (got {value[:20]!r})")
    return protocol


def _hostname(key: str, value: str) -> str:
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


def _port(key: str, value: str) -> int | None:
    if not value.strip():
        return None
    try:
        port = int(value.strip())
    except ValueError:
        raise ConfigurationError(
            f"Port must be a whole number between 1 and 65535 (configuration key 'port', got {value[:20]!r})"
        ) from None
    if not 1 <= port <= 65535:
        raise ConfigurationError(f"Port must be between 1 and 65535 (configuration key 'port', got {port})")
    return port


def _api_path(key: str, value: str) -> str:
    path = value.strip()
    if not path.startswith("/"):
        raise ConfigurationError(f"'api_path' must start with '/', e.g. /act.web.api (got {path[:60]!r})")
    if "?" in path or "#" in path or " " in path or "://" in path:
        raise ConfigurationError(f"'api_path' must be a plain URL path such as /act.web.api (got {path[:60]!r})")
    return path.rstrip("/") or ""


def _tables(key: str, value: str) -> tuple[str, ...]:
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
        parent = parent_of(name)
        if parent is not None and parent not in names:
            how = "its links are read from" if name in LINK_TABLES else "it is read per record of"
            raise ConfigurationError(f"'tables' selects '{name}' without '{parent}': {how} {parent}, add it")
    return tuple(dict.fromkeys(names))


def _start_date(key: str, value: str) -> str:
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


def _ca_bundle(key: str, value: str) -> str:
    bundle = value.strip()
    if bundle and "-----BEGIN CERTIFICATE-----" not in bundle:
        raise ConfigurationError(
            "'ca_bundle' must hold the PEM text of your server's CA certificate(s), starting with -----BEGIN CERTIFICATE-----"
        )
    return bundle


def _api_generation(key: str, value: str) -> str:
    generation = value.strip().lower()
    if generation not in ("auto", "current", "legacy"):
        raise ConfigurationError(
            f"'api_generation' must be auto, current (/api/tasks) or legacy (/api/activities) (got {generation[:20]!r})"
        )
    return generation


# -- the keys, in the setup form's order ------------------------------------------------------------------------------
_OPTIONAL_TABLES = ", ".join(name for name in ALL_TABLES if name not in DEFAULT_TABLES)

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        name="protocol",
        label="Protocol",
        description="How to reach the Act! Web API: https or http.",
        parse=_protocol,
        widget="dropdown",
        choices=(
            Choice("https", "HTTPS", "Encrypted (recommended)"),
            Choice("http", "HTTP", "Unencrypted, trusted networks only"),
        ),
    ),
    ConfigKey(
        name="hostname",
        label="Host name",
        description="Host name or IP address of the Act! Web API server (192.168.7.27, act.example.com), without "
        "a scheme, port or path.",
        parse=_hostname,
        placeholder="act.example.com",
    ),
    ConfigKey(
        name="port",
        label="Port",
        description="1-65535. Leave empty for the protocol's default (80 or 443), which is left out of the URL.",
        parse=_port,
        default="",
        placeholder="443",
        shown_default="80 / 443",
    ),
    ConfigKey(
        name="api_path",
        label="API path",
        description="Path of the Act! Web API on the server, starting with /; the URL is then "
        "http://192.168.7.27:8080/act.web.api.",
        parse=_api_path,
        placeholder="/act.web.api",
    ),
    ConfigKey(
        name="username",
        label="Act! user name",
        description="An Act! user who can read every table you sync.",
        parse=_stripped,
        placeholder="chris.huffman",
    ),
    ConfigKey(
        name="password",
        label="Password",
        description="That user's Act! password.",
        parse=_as_given,
        secret=True,
    ),
    ConfigKey(
        name="database_name",
        label="Database name",
        description="The Act! database (sent as the Act-Database-Name header).",
        parse=_stripped,
        placeholder="ActDemo",
    ),
    ConfigKey(
        name="tables",
        label="Tables",
        description=f"Comma-separated tables to sync. Default: the six core tables. Also: {_OPTIONAL_TABLES}.",
        parse=_tables,
        default=",".join(DEFAULT_TABLES),
        shown_default="the six core tables",
    ),
    ConfigKey(
        name="batch_size",
        label="Page size",
        description="Records per request ($top), 1-100000. The server may cap it; that is handled.",
        parse=_integer(1, 100_000, "the page size, e.g. 10000"),
        default="10000",
    ),
    ConfigKey(
        name="rate_limit_pause",
        label="Pause between requests (s)",
        description="Least seconds between two request starts (across all tables), to spare the Act! server.",
        parse=_number(0, 60, "the seconds between requests, e.g. 0.25"),
        default="0.25",
    ),
    ConfigKey(
        name="default_start_date",
        label="Start date",
        description="ISO 8601, not in the future. Records last edited before it are not synced.",
        parse=_start_date,
        default="1900-01-01T00:00:00Z",
    ),
    ConfigKey(
        name="request_timeout",
        label="Request timeout (s)",
        description="Seconds to wait for one answer before retrying.",
        parse=_number(1, 3600, "seconds, e.g. 60"),
        default="60",
    ),
    ConfigKey(
        name="max_retries",
        label="Retries",
        description="Retries of a failed request (5xx, timeouts, resets, malformed JSON) before the table fails.",
        parse=_integer(0, 50, "a retry count, e.g. 5"),
        default="5",
    ),
    ConfigKey(
        name="verify_tls",
        label="Verify TLS certificates",
        description="Keep on. For a server with its own certificate, paste its CA into ca_bundle instead.",
        parse=_boolean,
        default="true",
        widget="toggle",
    ),
    ConfigKey(
        name="ca_bundle",
        label="CA certificate (PEM)",
        description="PEM text of the CA that signed an on-premises server's certificate.",
        parse=_ca_bundle,
        default="",
        secret=True,
        shown_default="empty",
    ),
    ConfigKey(
        name="cursor_overlap_seconds",
        label="Cursor overlap (s)",
        description="Each incremental sync re-reads this many seconds before its cursor, so late commits are not "
        "missed.",
        parse=_integer(0, 86_400, "seconds, e.g. 300"),
        default="300",
    ),
    ConfigKey(
        name="parallel_tables",
        label="Parallel tables",
        description="Tables synced at the same time.",
        parse=_integer(1, 16, "a thread count, e.g. 4"),
        default="4",
    ),
    ConfigKey(
        name="delete_reconciliation_hours",
        label="Delete check interval (h)",
        description="Hours between passes that mark records deleted in Act! as deleted (see Hard deletes). "
        "0 turns them off.",
        parse=_number(0, 24 * 365, "hours between delete checks, e.g. 24 (0 turns them off)"),
        default="24",
    ),
    ConfigKey(
        name="full_resync_hours",
        label="Full re-read interval (h)",
        description="Hours between full re-reads of each table, which mark records deleted in Act! as deleted and "
        "heal anything the incremental sync cannot see. 0 turns them off.",
        parse=_number(0, 24 * 365, "hours between full re-reads, e.g. 168 (0 turns them off)"),
        default="168",
    ),
    ConfigKey(
        name="api_generation",
        label="API generation",
        description="Which activity paths the server has: auto (detected), current (/api/tasks) or legacy "
        "(/api/activities).",
        parse=_api_generation,
        default="auto",
        widget="dropdown",
        choices=(
            Choice("auto", "Detect"),
            Choice("current", "Current (/api/tasks)"),
            Choice("legacy", "Older (/api/activities)"),
        ),
    ),
)

KEYS_BY_NAME: dict[str, ConfigKey] = {key.name: key for key in CONFIG_KEYS}
ALL_KEYS: tuple[str, ...] = tuple(KEYS_BY_NAME)
REQUIRED_KEYS: tuple[str, ...] = tuple(key.name for key in CONFIG_KEYS if key.required)
DEFAULTS: dict[str, str] = {key.name: key.default for key in CONFIG_KEYS if key.default is not None}
SECRET_KEYS: frozenset[str] = frozenset(key.name for key in CONFIG_KEYS if key.secret)


@dataclass(frozen=True)
class ConnectorConfig:
    """The parsed configuration: one field per key of CONFIG_KEYS, typed."""

    protocol: str
    hostname: str
    port: int | None
    api_path: str
    username: str
    password: str
    database_name: str
    tables: tuple[str, ...]
    batch_size: int
    rate_limit_pause: float
    default_start_date: str
    request_timeout: float
    max_retries: int
    verify_tls: bool
    ca_bundle: str
    cursor_overlap_seconds: int
    parallel_tables: int
    delete_reconciliation_hours: float
    full_resync_hours: float
    api_generation: str

    @property
    def base_url(self) -> str:
        """`http://192.168.7.27:8080/act.web.api`: the protocol's default port is left out."""
        default_port = 443 if self.protocol == "https" else 80
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        port = f":{self.port}" if self.port and self.port != default_port else ""
        return f"{self.protocol}://{host}{port}{self.api_path}"

    def __repr__(self) -> str:  # never let the password reach a log or a crash report through a repr
        return (
            f"ConnectorConfig(base_url={self.base_url!r}, database_name={self.database_name!r}, tables={self.tables!r})"
        )


def _check_keys(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigurationError("The configuration must be a JSON object of string keys and string values")
    for key, value in raw.items():
        if key not in KEYS_BY_NAME:
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
    return raw


def parse_configuration(raw: dict[str, Any]) -> ConnectorConfig:
    """Validates `raw` (the configuration dict Fivetran passes) and returns it typed, or raises ConfigurationError.
    An optional key left empty takes its default."""
    given = _check_keys(raw)
    values = {**DEFAULTS, **{key: value for key, value in given.items() if value.strip() or key in REQUIRED_KEYS}}
    return ConnectorConfig(**{key.name: key.parse(key.name, values[key.name]) for key in CONFIG_KEYS})
