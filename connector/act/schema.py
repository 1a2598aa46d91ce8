"""What `schema()` declares: every selected table with its primary key and every column the Act! model defines,
typed (date-times UTC_DATETIME, integers INT/LONG, numbers DOUBLE, booleans BOOLEAN, text STRING), plus typed
custom-field columns."""

from __future__ import annotations

from fivetran_connector_sdk import Logging as log

from .client import ActApiError, ActClient
from .config import parse_configuration
from .custom_fields import custom_field_types_for, names_for
from .links import link_columns
from .records import RecordFlattener
from .tables import LINK_TABLES, SPECS_BY_NAME


def table_columns(table: str, custom_field_types: dict[str, str] | None = None) -> dict[str, str]:
    types = custom_field_types or {}
    return RecordFlattener(SPECS_BY_NAME[table].model, names_for(types), types).columns()


def declared_schema(tables, custom_field_types: dict[str, dict[str, str]]) -> list[dict]:
    declared = []
    for table in tables:
        if table in LINK_TABLES:
            _, link = LINK_TABLES[table]
            declared.append(
                {"table": table, "primary_key": [link.parent_key, link.child_key], "columns": link_columns(link)}
            )
        else:
            declared.append(
                {"table": table, "primary_key": ["id"], "columns": table_columns(table, custom_field_types.get(table))}
            )
    return declared


def schema_for_configuration(configuration: dict, retry_base_seconds: float) -> list[dict]:
    """What `schema()` returns. Custom-field types are read from the server when it can be reached; if not, the
    sync still runs and those columns get inferred types."""
    config = parse_configuration(configuration)
    specs = [SPECS_BY_NAME[name] for name in config.tables if name in SPECS_BY_NAME]
    custom_types: dict = {}
    if any(spec.record_type for spec in specs):
        client = ActClient(config, retry_base_seconds)
        try:
            client.authenticate()
            custom_types = custom_field_types_for(client, specs)
        except (ActApiError, RuntimeError) as error:
            log.warning(
                f"custom field types could not be read ({type(error).__name__}: {error}); "
                f"custom fields land with inferred types"
            )
        finally:
            client.close()
    return declared_schema(config.tables, custom_types)
