"""What `schema()` declares: every selected table with its primary key and every column the Act! model defines,
typed (date-times UTC_DATETIME, integers INT/LONG, numbers DOUBLE, booleans BOOLEAN, text STRING), plus typed
custom-field columns."""
from __future__ import annotations

from .custom_fields import names_for
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
            declared.append({"table": table, "primary_key": [link.parent_key, link.child_key],
                             "columns": link_columns(link)})
        else:
            declared.append({"table": table, "primary_key": ["id"],
                             "columns": table_columns(table, custom_field_types.get(table))})
    return declared
