"""Custom fields: which column each Act! custom field lands in, and with which type.

Act! describes each record type's custom fields at `GET /api/metadata/{recordType}/fields` (MetaData.Schema.Column:
`id`, `name`, `createDate`, `type` the .NET type, `dataType` the Act! field type, `isCustom`, ...). A record carries
their values in its `customFields` map, keyed by the field's name.

**Names follow from the metadata alone.** `schema()` receives no state, so it and `update()` must agree on every
column from what the server says. A field's column is `custom_fields_<snake_case(name)>`; when names collide after
cleaning ("Ship-To", "Ship To"), the field created first (`createDate`, then `id`, then name) keeps the plain name
and later ones take `_2`, `_3`, … So adding a field never moves an existing field's column. The mapping saved in
state (section `custom_field_columns`) never decides a name: it is what the previous sync wrote, used to report
what changed since, and as the plan when the metadata cannot be read.

**What a change does** (reported per table by `plans_for_update`; the sync engine then re-reads the whole table,
and each re-upserted row replaces the old one, so a column no longer written is NULL after the re-read):
- a field added: its new column, filled by the re-read (values written before its metadata was read are counted
  as problems by the flattening and land then);
- a field renamed (same `id`, new name): a new column filled by the re-read; the old column is no longer written.
  A rename that cleans to the same column ("Ship-To" → "Ship To" alone) changes nothing in the warehouse and is
  not reported;
- a field deleted: its column is no longer written;
- a column moved: a collision went away (the field that held the plain name was deleted or renamed), so the next
  field in creation order takes the plain name;
- a type changed: the new type is declared (the destination widens the column) and every value is converted by
  the new type; a value that does not convert is counted as a problem, never silently dropped.

**When the metadata cannot be read** (after the client's retries) the sync fails naming the cause: `schema()`
declares the columns' types and has no state to fall back on, and declaring none would let the destination retype
typed columns from the values it sees (a custom date would turn into text). Should `update()` alone fail to read
it, it uses the mapping saved by the last sync, or fails too when there is none (a guess could swap two fields'
columns). A server
that answers 404 does not describe custom fields at all: every record's whole `customFields` map then lands as JSON
text in one column, `custom_fields`, in `schema()` and `update()` alike, so no name depends on record order.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from fivetran_connector_sdk import Logging as log

from .client import ActApiError
from .naming import custom_field_column, first_free_names
from .timestamps import parse_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .client import ActClient
    from .tables import TableSpec

    _CacheKey: TypeAlias = tuple[str, str | bytes | None, str]  # (base URL, database, record type)

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
SDK_TYPES = frozenset(ACT_FIELD_TYPES.values())

JSON_COLUMN = "custom_fields"  # where custom fields land when the server does not describe them
STATE_SECTION = "custom_field_columns"
METADATA_REUSE_SECONDS = 600.0  # schema() and update() run in one process a few seconds apart: read once


# -- the plan ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomFieldPlan:
    """One table's custom fields: Act! field key -> (column, SDK type). What schema() declares and what the
    flattening writes, so the two cannot disagree."""

    columns: dict[str, tuple[str, str]]
    # Set when the server does not describe custom fields: everything lands as JSON text here.
    json_column: str | None = None


class CustomFieldsUnavailable(RuntimeError):
    """The metadata could not be read and no saved mapping exists: guessing columns could swap two fields' data,
    so the sync stops. The message names the record type, the cause and the fix."""


@dataclass(frozen=True)
class FieldColumn:
    """One custom field as the warehouse sees it. `id` is Act!'s, stable across renames (None if the server sends
    none: the field is then known by its name)."""

    id: str | None
    column: str
    type: str


@dataclass(frozen=True)
class ColumnMapping:
    """A table's custom fields: field key → FieldColumn, or everything as JSON text in `json_column`."""

    fields: dict[str, FieldColumn]
    json_column: str | None = None

    def plan(self) -> CustomFieldPlan:
        return CustomFieldPlan(
            {key: (field.column, field.type) for key, field in self.fields.items()}, self.json_column
        )

    def to_state(self) -> dict[str, Any]:
        """The table's entry of the `custom_field_columns` state section (JSON only, a line per field)."""
        if self.json_column is not None:
            return {"json_column": self.json_column}
        return {
            "fields": {
                key: {"id": field.id, "column": field.column, "type": field.type} for key, field in self.fields.items()
            }
        }

    @classmethod
    def from_state(cls, entry: object) -> ColumnMapping | None:
        """The mapping a previous sync saved; None when there is none or it is not in this layout (then the table
        is treated as seen for the first time)."""
        if not isinstance(entry, dict):
            return None
        if isinstance(entry.get("json_column"), str):
            return cls({}, entry["json_column"])
        saved = entry.get("fields")
        if not isinstance(saved, dict):
            return None
        fields: dict[str, FieldColumn] = {}
        for key, item in saved.items():
            if not (
                isinstance(item, dict)
                and isinstance(item.get("column"), str)
                and item.get("type") in SDK_TYPES
                and isinstance(item.get("id"), (str, type(None)))
            ):
                return None
            fields[key] = FieldColumn(item["id"], item["column"], item["type"])
        return cls(fields)


NOT_DESCRIBED = ColumnMapping({}, JSON_COLUMN)


# -- from metadata to mapping (pure) -------------------------------------------------------------------------------
def sdk_type(column: dict[str, Any]) -> str:
    """The column type for one metadata entry; text for anything not numeric, boolean or a date."""
    for key in ("type", "dataType"):
        value = column.get(key)
        if isinstance(value, str) and value.strip().lower() in ACT_FIELD_TYPES:
            return ACT_FIELD_TYPES[value.strip().lower()]
    return "STRING"


def field_name(column: dict[str, Any]) -> str | None:
    """The key the field has in a record's `customFields` map."""
    for key in ("name", "displayName", "columnName"):
        value = column.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _field_id(column: dict[str, Any]) -> str | None:
    """The field's Act! id, in one spelling (servers differ in the case and braces of a GUID)."""
    value = column.get("id")
    if value is None:
        return None
    return str(value).strip().strip("{}").lower() or None


_NO_DATE = datetime.min.replace(tzinfo=timezone.utc)


def creation_order(column: dict[str, Any]) -> tuple[datetime, str, str, str]:
    """Sort key: created first (a field without a readable `createDate` counts as older than any dated one, so a
    field created later never sorts before it), then `id`, then name (then type). A total order on what the
    metadata says, so the result never depends on the order the server lists the fields in."""
    created = column.get("createDate")
    try:
        when = parse_timestamp(created) if isinstance(created, str) else _NO_DATE
    except ValueError:
        when = _NO_DATE
    return (when, _field_id(column) or "", field_name(column) or "", sdk_type(column))


def is_custom_field(column: object) -> bool:
    """Metadata entries describe system fields too; only `isCustom` ones are in `customFields` (an entry that does
    not say is taken as custom)."""
    return isinstance(column, dict) and column.get("isCustom", True) is not False and field_name(column) is not None


def mapping_from_metadata(entries: list[Any]) -> ColumnMapping:
    """One record type's metadata entries → its custom fields' columns and types. Pure and deterministic: the same
    fields, listed in any order, give the same mapping; a field created later never takes an earlier one's name.
    A key listed twice (one map key can hold one value) keeps its first-created entry."""
    fields = sorted((entry for entry in entries if is_custom_field(entry)), key=creation_order)
    unique: dict[str, dict[str, Any]] = {}
    for entry in fields:
        unique.setdefault(field_name(entry) or "", entry)  # is_custom_field() kept only entries with a name
    columns = first_free_names(custom_field_column(key) for key in unique)
    return ColumnMapping(
        {
            key: FieldColumn(_field_id(entry), column, sdk_type(entry))
            for (key, entry), column in zip(unique.items(), columns)
        }
    )


def plan_from_metadata(entries: list[Any]) -> CustomFieldPlan:
    """One record type's metadata entries → the custom-field plan of a table carrying that record type."""
    return mapping_from_metadata(entries).plan()


# -- what changed since the saved mapping (pure) -------------------------------------------------------------------
def _identity(key: str, field: FieldColumn) -> str:
    return field.id if field.id is not None else f"name:{key}"


def _json_change(old: ColumnMapping, new: ColumnMapping) -> list[str]:
    if new.json_column is None:
        return [f"the server now describes custom fields: typed columns replace the JSON column '{old.json_column}'"]
    return [f"the server no longer describes custom fields: they land as JSON text in '{new.json_column}'"]


def describe_changes(old: ColumnMapping, new: ColumnMapping) -> list[str]:
    """What a consumer of the table would see change between two mappings, one sentence each (sorted); empty when
    no column appears, disappears, moves or changes type. Fields are matched by Act! `id`, so a rename is one
    change, not a delete and an add."""
    if old.json_column != new.json_column:
        return _json_change(old, new)
    reasons = []
    previous = {_identity(key, field): (key, field) for key, field in old.fields.items()}
    for key, field in new.fields.items():
        found = previous.pop(_identity(key, field), None)
        if found is None:
            reasons.append(f"field '{key}' added (column {field.column})")
            continue
        old_key, old_field = found
        if old_field.column != field.column:
            if old_key != key:
                reasons.append(f"field '{old_key}' renamed to '{key}' (column {old_field.column} → {field.column})")
            else:
                reasons.append(f"column of field '{key}' moved from {old_field.column} to {field.column}")
        if old_field.type != field.type:
            reasons.append(f"field '{key}' changed type from {old_field.type} to {field.type} (column {field.column})")
    reasons += [f"field '{key}' deleted (column {field.column} no longer written)" for key, field in previous.values()]
    return sorted(reasons)


# -- reading the metadata: once per process, shared by schema() and update() ---------------------------------------
class _MetadataCache:
    """Metadata answers by (base URL, database, record type), reused for METADATA_REUSE_SECONDS: Fivetran calls
    schema() and then update() in one process, and update() must see the fields schema() declared (a field added in
    Act! between the two calls would otherwise have no declared column). Failures are not kept: the next caller
    tries again."""

    def __init__(self) -> None:
        self._answers: dict[_CacheKey, tuple[float, list[Any] | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: _CacheKey) -> object:
        """The entries read less than METADATA_REUSE_SECONDS ago (None for a 404), or MISSING."""
        with self._lock:
            found = self._answers.get(key)
        if found is None or time.monotonic() - found[0] > METADATA_REUSE_SECONDS:
            return MISSING
        return found[1]

    def put(self, key: _CacheKey, entries: list[Any] | None) -> None:
        with self._lock:
            self._answers[key] = (time.monotonic(), entries)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


MISSING = object()
METADATA_CACHE = _MetadataCache()


def _cache_key(client: ActClient, record_type: str) -> _CacheKey:
    return (client.base_url, client.session.headers.get("Act-Database-Name"), record_type.lower())


def metadata_path(record_type: str) -> str:
    return f"/api/metadata/{record_type}/fields"


def read_mapping(client: ActClient, record_type: str) -> ColumnMapping:
    """The custom fields of `record_type` as the server describes them now (or as read less than
    METADATA_REUSE_SECONDS ago in this process). A 404 means the server does not describe custom fields: they land
    as JSON text. Raises the client's errors when the metadata cannot be read."""
    key = _cache_key(client, record_type)
    entries = METADATA_CACHE.get(key)
    if entries is MISSING:
        try:
            entries = client.get_collection(metadata_path(record_type))
        except ActApiError as error:
            if error.status != 404:
                raise
            entries = None
        METADATA_CACHE.put(key, entries)
    return NOT_DESCRIBED if entries is None else mapping_from_metadata(cast("list[Any]", entries))


def _read_record_types(client: ActClient, specs: Iterable[TableSpec]) -> dict[str, ColumnMapping | Exception]:
    """Record type → its mapping, or why it could not be read. Each record type is read once (opportunity_products
    and a products table share "Product"). A failure that is not about the one path (no HTTP status: the server
    unreachable, credentials refused) is taken for all remaining record types rather than retried for each."""
    outcomes: dict[str, ColumnMapping | Exception] = {}
    server_failure: Exception | None = None
    for spec in specs:
        record_type = spec.record_type
        if not record_type or record_type in outcomes:
            continue
        if server_failure is not None:
            outcomes[record_type] = server_failure
            continue
        try:
            outcomes[record_type] = read_mapping(client, record_type)
        except RuntimeError as error:  # ActApiError, AuthenticationError
            outcomes[record_type] = error
            if getattr(error, "status", None) is None:
                server_failure = error
    return outcomes


def _cause(record_type: str, error: Exception) -> str:
    """Why the metadata of `record_type` could not be read, naming its path once."""
    path = metadata_path(record_type)
    return str(error) if path in str(error) else f"GET {path}: {error}"


def _not_described(record_type: str, tables: list[str]) -> str:
    return (
        f"the Act! server does not describe the custom fields of {record_type} records ({metadata_path(record_type)} "
        f"answers 404): they land as JSON text in column '{JSON_COLUMN}' of {', '.join(tables)}"
    )


def _tables_by_record_type(specs: Iterable[TableSpec]) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for spec in specs:
        if spec.record_type:
            tables.setdefault(spec.record_type, []).append(spec.name)
    return tables


# -- the API of schema() and update() ------------------------------------------------------------------------------
def plans_for_schema(client: ActClient, specs: Sequence[TableSpec]) -> dict[str, CustomFieldPlan]:
    """Table name → custom-field plan, for the selected tables that carry custom fields. Raises
    CustomFieldsUnavailable when the metadata cannot be read: declaring the tables without their typed columns
    would let the destination retype them from the values."""
    outcomes = _read_record_types(client, specs)
    tables = _tables_by_record_type(specs)
    plans: dict[str, CustomFieldPlan] = {}
    for record_type, outcome in outcomes.items():
        if isinstance(outcome, Exception):
            if getattr(outcome, "status", None) is None:
                raise outcome  # the server itself failed (unreachable, credentials): its message says what to fix
            raise CustomFieldsUnavailable(
                f"Cannot read the custom fields of Act! {record_type} records ({_cause(record_type, outcome)}) for "
                f"{', '.join(tables[record_type])}: their columns' types cannot be declared, and guessing them would "
                f"change the warehouse. Make sure the server answers and the Act! user may read field metadata, then "
                f"sync again (or remove {', '.join(tables[record_type])} from 'tables')"
            ) from outcome
        if outcome is NOT_DESCRIBED:
            log.warning(_not_described(record_type, tables[record_type]))
        plans.update(dict.fromkeys(tables[record_type], outcome.plan()))
    return plans


def plans_for_update(
    client: ActClient, specs: Sequence[TableSpec], saved: dict[str, Any]
) -> tuple[dict[str, CustomFieldPlan], dict[str, str], dict[str, Any]]:
    """(table -> plan, table -> human-readable reason for every table whose mapping changed since `saved` (absent from
    `saved` = first time: NOT a change), the new value of the state section `custom_field_columns` to save). Raises
    CustomFieldsUnavailable when the metadata can't be read and `saved` has no mapping for that table.

    `saved` is the state section `custom_field_columns`: table → {"fields": {field key: {"id", "column", "type"}}}
    or {"json_column": "custom_fields"}. Entries of tables not selected now are kept, so a table switched off and
    on again is compared with what it last wrote. A table's new entry should be saved only once the re-read its
    change calls for is under way in state: saved earlier, a failed sync would forget the change."""
    outcomes = _read_record_types(client, specs)
    plans: dict[str, CustomFieldPlan] = {}
    changes: dict[str, str] = {}
    section = dict(saved or {})
    for spec in specs:
        if not spec.record_type:
            continue
        old = ColumnMapping.from_state((saved or {}).get(spec.name))
        new = _mapping_for_update(spec, outcomes[spec.record_type], old)
        if old is not None and (reasons := describe_changes(old, new)):
            changes[spec.name] = "; ".join(reasons)
        plans[spec.name] = new.plan()
        section[spec.name] = new.to_state()
    return plans, changes, section


def _mapping_for_update(
    spec: TableSpec, outcome: ColumnMapping | Exception, saved: ColumnMapping | None
) -> ColumnMapping:
    record_type = cast(str, spec.record_type)  # plans_for_update() passes only specs that carry custom fields
    if not isinstance(outcome, Exception):
        if outcome is NOT_DESCRIBED:
            log.info(_not_described(record_type, [spec.name]))  # schema() warned
        return outcome
    if saved is None:
        raise CustomFieldsUnavailable(
            f"Cannot read the custom fields of Act! {spec.record_type} records for table '{spec.name}' "
            f"({_cause(record_type, outcome)}), and no earlier sync saved their columns: without "
            f"the metadata they could land in the wrong columns. Make sure the server answers and the Act! user may "
            f"read field metadata, then sync again (or remove '{spec.name}' from 'tables')"
        ) from outcome
    log.warning(
        f"custom fields of {spec.record_type} records could not be read ({_cause(record_type, outcome)}); "
        f"{spec.name} uses the columns "
        f"saved by the last sync (fields added since land at the next sync that can read them)"
    )
    return saved
