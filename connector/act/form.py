"""The Fivetran setup form and its connection tests.

Each configuration key is a form field with a label, a description and a placeholder; the setup tests check,
in order, that the server answers, that the credentials and database name are accepted, and that every
selected table can be read, each failure saying what to fix.
"""

from __future__ import annotations

from fivetran_connector_sdk import ConfigurationForm, Test, form_field

from .api_paths import detect_generation, path_for
from .auth import AuthenticationError
from .client import ActApiError, ActClient
from .config import DEFAULTS, ConfigurationError, parse_configuration
from .tables import DEFAULT_TABLES, LINK_TABLES, SPECS_BY_NAME

TextField, DropdownField, ToggleField = form_field.TextField, form_field.DropdownField, form_field.ToggleField


def configuration_form() -> ConfigurationForm:
    form = ConfigurationForm()
    form.add_field(
        DropdownField(
            "protocol",
            "Protocol",
            required=True,
            fields=[
                form_field.DropdownFieldParam("https", "HTTPS", "Encrypted (recommended)"),
                form_field.DropdownFieldParam("http", "HTTP", "Unencrypted, trusted networks only"),
            ],
            description="How to reach the Act! Web API.",
        )
    )
    form.add_field(
        TextField(
            "hostname",
            "Host name",
            required=True,
            placeholder="act.example.com",
            description="Host name or IP address of the Act! Web API server, without http:// or a path.",
        )
    )
    form.add_field(
        TextField("port", "Port", placeholder="443", description="Leave empty for the protocol's default (80 or 443).")
    )
    form.add_field(
        TextField(
            "api_path",
            "API path",
            required=True,
            placeholder="/act.web.api",
            description="Path of the Act! Web API on the server, starting with /.",
        )
    )
    form.add_field(
        TextField(
            "username",
            "Act! user name",
            required=True,
            placeholder="chris.huffman",
            description="An Act! user who can read every table you sync.",
        )
    )
    form.add_field(
        TextField("password", "Password", TextField.password, required=True, description="That user's Act! password.")
    )
    form.add_field(
        TextField(
            "database_name",
            "Database name",
            required=True,
            placeholder="ActDemo",
            description="The Act! database (sent as the Act-Database-Name header).",
        )
    )
    form.add_field(
        TextField(
            "tables",
            "Tables",
            placeholder=",".join(DEFAULT_TABLES),
            description="Comma-separated tables to sync. Default: the six core tables. Also: "
            + ", ".join(t for t in list(SPECS_BY_NAME) + list(LINK_TABLES) if t not in DEFAULT_TABLES)
            + ".",
        )
    )
    form.add_field(
        TextField(
            "batch_size",
            "Page size",
            placeholder=DEFAULTS["batch_size"],
            description="Records per request ($top). The server may cap it; that is handled.",
        )
    )
    form.add_field(
        TextField(
            "rate_limit_pause",
            "Pause between requests (s)",
            placeholder=DEFAULTS["rate_limit_pause"],
            description="Least time between two requests, to spare the Act! server.",
        )
    )
    form.add_field(
        TextField(
            "default_start_date",
            "Start date",
            placeholder=DEFAULTS["default_start_date"],
            description="ISO 8601. Records last edited before it are not synced on the first sync.",
        )
    )
    form.add_field(
        TextField(
            "request_timeout",
            "Request timeout (s)",
            placeholder=DEFAULTS["request_timeout"],
            description="Seconds to wait for one answer before retrying.",
        )
    )
    form.add_field(
        TextField(
            "max_retries",
            "Retries",
            placeholder=DEFAULTS["max_retries"],
            description="Retries of a failed request (5xx, timeouts, resets) before the sync fails.",
        )
    )
    form.add_field(
        ToggleField(
            "verify_tls",
            "Verify TLS certificates",
            description="Keep on. For a server with its own certificate, paste its CA below instead.",
        )
    )
    form.add_field(
        TextField(
            "ca_bundle",
            "CA certificate (PEM)",
            TextField.password,
            description="PEM text of the CA that signed an on-premises server's certificate.",
        )
    )
    form.add_field(
        TextField(
            "cursor_overlap_seconds",
            "Cursor overlap (s)",
            placeholder=DEFAULTS["cursor_overlap_seconds"],
            description="Each incremental sync re-reads this many seconds before its cursor, so late commits are not missed.",
        )
    )
    form.add_field(
        TextField(
            "parallel_tables",
            "Parallel tables",
            placeholder=DEFAULTS["parallel_tables"],
            description="Tables synced at the same time.",
        )
    )
    form.add_field(
        TextField(
            "delete_reconciliation_hours",
            "Delete check interval (h)",
            placeholder=DEFAULTS["delete_reconciliation_hours"],
            description="Hours between passes that mark records deleted in Act! as deleted. 0 turns them off.",
        )
    )
    form.add_field(
        DropdownField(
            "api_generation",
            "API generation",
            fields=[
                form_field.DropdownFieldParam("auto", "Detect"),
                form_field.DropdownFieldParam("current", "Current (/api/tasks)"),
                form_field.DropdownFieldParam("legacy", "Older (/api/activities)"),
            ],
            description="Which activity paths the server has; detected by default.",
        )
    )
    form.add_test(label="The Act! server answers", func=test_server_answers)
    form.add_test(label="The credentials and database name are accepted", func=test_credentials)
    form.add_test(label="Each selected table can be read", func=test_tables_readable)
    return form


def _client(configuration: dict):
    """A client for a valid configuration, or a failure naming the configuration problem."""
    try:
        return ActClient(parse_configuration(configuration), retry_base_seconds=0.2), None
    except ConfigurationError as error:
        return None, Test.failure(f"Configuration: {error}")


def _selected_specs(configuration: dict):
    config = parse_configuration(configuration)
    return [SPECS_BY_NAME[t] for t in config.tables if t in SPECS_BY_NAME], config.api_generation


def test_server_answers(configuration: dict):
    client, failure = _client(configuration)
    if failure:
        return failure
    try:
        status = client.ping()
    except Exception as error:
        return Test.failure(
            f"No answer from {client.base_url} ({type(error).__name__}): check protocol, host name, "
            f"port and api_path, and that the server is reachable from Fivetran"
        )
    finally:
        client.close()
    if status == 404:
        return Test.failure(f"{client.base_url} answers but has no /authorize: check 'api_path' (e.g. /act.web.api)")
    return Test.success()


def test_credentials(configuration: dict):
    client, failure = _client(configuration)
    if failure:
        return failure
    try:
        client.authenticate()
    except AuthenticationError as error:
        return Test.failure(str(error))
    except ActApiError as error:
        return Test.failure(f"Could not sign in: {error}")
    finally:
        client.close()
    return Test.success()


def test_tables_readable(configuration: dict):
    client, failure = _client(configuration)
    if failure:
        return failure
    try:
        client.authenticate()
        specs, configured_generation = _selected_specs(configuration)
        generation = detect_generation(client, specs, configured_generation)
        for spec in specs:
            if spec.parent_table:
                continue
            try:
                client.get_collection(path_for(spec, generation), {"$top": "1"})
            except ActApiError as error:
                return Test.failure(f"Table '{spec.name}' cannot be read: {error}")
    except (AuthenticationError, ActApiError) as error:
        return Test.failure(str(error))
    finally:
        client.close()
    return Test.success()
