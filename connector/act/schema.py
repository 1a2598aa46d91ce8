"""What `schema()` declares: every selected table with its primary key and every column the Act! model defines,
typed (date-times UTC_DATETIME, integers INT/LONG, numbers DOUBLE, booleans BOOLEAN, text STRING), plus the custom
fields' columns as act/custom_fields.py plans them from the server's field metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .client import ActClient
from .config import parse_configuration
from .custom_fields import CustomFieldPlan, plans_for_schema
from .links import link_columns
from .records import RecordFlattener
from .tables import ASSOCIATION_TABLES, LINK_TABLES, SPECS_BY_NAME, association_key

if TYPE_CHECKING:
    from collections.abc import Iterable


def table_columns(table: str, custom_fields: CustomFieldPlan | None = None) -> dict[str, str]:
    return RecordFlattener(SPECS_BY_NAME[table].model, custom_fields).columns()


def declared_schema(tables: Iterable[str], custom_fields: dict[str, CustomFieldPlan]) -> list[dict[str, Any]]:
    declared: list[dict[str, Any]] = []
    for table in tables:
        if table in LINK_TABLES:
            _, link = LINK_TABLES[table]
            declared.append(
                {"table": table, "primary_key": [link.parent_key, link.child_key], "columns": link_columns(link)}
            )
        elif table in ASSOCIATION_TABLES:
            key = list(association_key(table))
            declared.append({"table": table, "primary_key": key, "columns": dict.fromkeys(key, "STRING")})
        else:
            declared.append(
                {"table": table, "primary_key": ["id"], "columns": table_columns(table, custom_fields.get(table))}
            )
    return declared


def schema_for_configuration(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    """What `schema()` returns. Custom-field columns are declared from the server's metadata; when it cannot be
    read (a warning says why) the tables are declared without them, and update() writes the columns saved by the
    last sync. The read is kept for update() in this process, so both see the same fields."""
    config = parse_configuration(configuration)
    specs = [SPECS_BY_NAME[name] for name in config.tables if name in SPECS_BY_NAME]
    plans: dict[str, CustomFieldPlan] = {}
    if any(spec.record_type for spec in specs):
        client = ActClient(config)
        try:
            plans = plans_for_schema(client, specs)
        finally:
            client.close()
    return declared_schema(config.tables, plans)
