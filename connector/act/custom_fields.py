"""Typed custom fields: Act! describes each record type's custom fields at `GET /api/metadata/{recordType}/fields`;
their data types decide the columns' types, so a custom date lands as a timestamp and a number as a number.
A field added in Act! between syncs is read on the next sync's schema() and appears as a new column."""

from __future__ import annotations

from fivetran_connector_sdk import Logging as log

from .client import ActApiError, ActClient
from .naming import CustomFieldNames

# Act! field types → SDK column types. The metadata's `type` is the .NET type (String, Int32, Decimal, DateTime,
# Boolean) and is read first; `dataType` is the Act! field type (Character, Number, Currency, Date, YesNo, ...).
ACT_FIELD_TYPES = {
    "string": "STRING",
    "character": "STRING",
    "memo": "STRING",
    "date": "UTC_DATETIME",
    "datetime": "UTC_DATETIME",
    "date/time": "UTC_DATETIME",
    "datetimeoffset": "UTC_DATETIME",
    "annualevent": "UTC_DATETIME",
    "number": "DOUBLE",
    "decimal": "DOUBLE",
    "currency": "DOUBLE",
    "percent": "DOUBLE",
    "double": "DOUBLE",
    "float": "DOUBLE",
    "numeric": "DOUBLE",
    "money": "DOUBLE",
    "integer": "LONG",
    "int": "LONG",
    "long": "LONG",
    "int32": "LONG",
    "int64": "LONG",
    "yesno": "BOOLEAN",
    "yes/no": "BOOLEAN",
    "boolean": "BOOLEAN",
    "bool": "BOOLEAN",
    "checkbox": "BOOLEAN",
}


def sdk_type(column: dict) -> str:
    """The column type for one metadata entry; text for anything not numeric, boolean or a date."""
    for key in ("type", "dataType"):
        value = column.get(key)
        if isinstance(value, str) and value.strip().lower() in ACT_FIELD_TYPES:
            return ACT_FIELD_TYPES[value.strip().lower()]
    return "STRING"


def field_name(column: dict) -> str | None:
    """The key the field has in a record's `customFields` map."""
    for key in ("name", "displayName", "columnName"):
        value = column.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def read_custom_field_types(client: ActClient, record_type: str) -> dict[str, str]:
    """Act! field name → SDK type, for the custom fields of `record_type`; empty (and a warning) if the server
    does not describe them, in which case the values land with inferred types."""
    try:
        columns = client.get_collection(f"/api/metadata/{record_type}/fields")
    except ActApiError as error:
        log.warning(
            f"custom fields of {record_type} not described by the server ({error}); their columns get inferred types"
        )
        return {}
    types = {}
    for column in columns:
        if isinstance(column, dict) and column.get("isCustom", True):
            name = field_name(column)
            if name:
                types[name] = sdk_type(column)
    return types


def custom_field_types_for(client: ActClient, specs) -> dict[str, dict[str, str]]:
    """Table name → its custom fields' types, for the selected tables that carry custom fields (each Act! record
    type is read once)."""
    by_record_type: dict[str, dict[str, str]] = {}
    types = {}
    for spec in specs:
        if spec.record_type:
            if spec.record_type not in by_record_type:
                by_record_type[spec.record_type] = read_custom_field_types(client, spec.record_type)
            types[spec.name] = by_record_type[spec.record_type]
    return types


def names_for(types: dict[str, str]) -> CustomFieldNames:
    """Column names for a table's custom fields, assigned in sorted order so schema() and update() agree."""
    names = CustomFieldNames()
    names.assign_all(types)
    return names
