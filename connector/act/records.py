"""Records: from the nested JSON Act! serves to flat warehouse rows, with the columns' types.

The plan for a table is made once, from its Swagger model: which properties are scalars (and of which type),
which are nested objects (flattened to `parent_child` columns, recursively), which are arrays (stored as JSON
text) and where the custom fields are. Flattening a record then only follows the plan. Values of the wrong type
never fail a sync or corrupt a row: they are converted when that is lossless, else left empty and reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .jsonfast import dumps_text
from .naming import column_name, snake_case
from .timestamps import parse_utc_naive

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .custom_fields import CustomFieldPlan

    Converter: TypeAlias = tuple[type | None, Callable[[object], object]]

to_json_text = dumps_text

MODELS_FILE = Path(__file__).with_name("act_models.json")
MAX_NESTING = 4  # deeper objects (none in the spec) are kept as JSON text


@lru_cache(maxsize=1)
def load_models() -> dict[str, dict[str, dict[str, Any]]]:
    """Swagger model name → property key → property."""
    models: dict[str, dict[str, dict[str, Any]]] = json.loads(MODELS_FILE.read_text(encoding="utf-8"))
    return models


def swagger_type(prop: dict[str, Any]) -> str:
    """The SDK column type of a Swagger property."""
    kind, fmt = prop.get("type"), prop.get("format")
    if kind == "string":
        return "UTC_DATETIME" if fmt == "date-time" else "STRING"
    if kind == "integer":
        return "LONG" if fmt == "int64" else "INT"
    if kind == "number":
        return "DOUBLE"
    if kind == "boolean":
        return "BOOLEAN"
    return "STRING"  # arrays and free-form objects: JSON text


# -- value conversion, by column type ----------------------------------------------------------------------------
class BadValue(Exception):
    """A value that cannot be stored in its column's type."""


def _to_string(value: object) -> str:
    if isinstance(value, (dict, list)):
        return to_json_text(value)
    return str(value)


def _to_int(value: object) -> int:
    if isinstance(value, bool):
        raise BadValue
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise BadValue from None
    if isinstance(value, int):
        return value
    raise BadValue


def _to_int32(value: object) -> int:
    number = _to_int(value)
    if not -(2**31) <= number < 2**31:
        raise BadValue
    return number


def _to_long(value: object) -> int:
    number = _to_int(value)
    if not -(2**63) <= number < 2**63:
        raise BadValue
    return number


def _to_double(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValue
    try:
        return float(value)
    except ValueError:
        raise BadValue from None


def _to_boolean(value: object) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValue


def _sdk_encodes_dates_as_midnight() -> bool:
    """Whether the SDK in use encodes a `datetime.date` in a UTC_DATETIME column to the same bytes as that day's
    midnight `datetime`. SDK 3.0.0 does, at an eighth of the cost per cell; the release before rejects a date, so
    the connector asks the encoder itself (internal to the SDK: anything unexpected means no)."""
    try:
        from fivetran_connector_sdk_cli import type_coercion

        columns = {"cell": type_coercion.DataType.UTC_DATETIME}
        as_date = type_coercion.encode_row_data(columns, {"cell": date(2024, 2, 29)})
        as_datetime = type_coercion.encode_row_data(columns, {"cell": datetime(2024, 2, 29)})
    except Exception:  # any SDK that cannot show it keeps datetimes
        return False
    return bool(as_date == as_datetime)


MIDNIGHT_AS_DATE = _sdk_encodes_dates_as_midnight()


def _to_datetime(value: object) -> datetime | date:
    """A UTC_DATETIME cell: the moment as a naive UTC datetime, or its day when it is midnight and the SDK lands a
    `date` identically (both cheaper for the SDK to encode than an aware datetime, same bytes)."""
    if not isinstance(value, str):
        raise BadValue
    try:
        moment = parse_utc_naive(value)
    except ValueError:
        raise BadValue from None
    if MIDNIGHT_AS_DATE and not (moment.hour or moment.minute or moment.second or moment.microsecond):
        return moment.date()
    return moment


# (exact Python type that needs no conversion, converter for anything else)
CONVERTERS: dict[str, Converter] = {
    "STRING": (str, _to_string),
    "INT": (None, _to_int32),  # always checked: an int outside 32 bits would fail the SDK's INT encoding
    "LONG": (int, _to_long),
    "DOUBLE": (float, _to_double),
    "BOOLEAN": (bool, _to_boolean),
    "UTC_DATETIME": (None, _to_datetime),
}


@dataclass
class Problems:
    """What was wrong in a table's records, counted, so the sync reports it once instead of failing."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def take(self) -> dict[str, int]:
        counts, self.counts = self.counts, {}
        return counts


# -- the plan ----------------------------------------------------------------------------------------------------
@dataclass
class ObjectPlan:
    """How to flatten one JSON object of a known model."""

    scalars: list[tuple[str, str, str]] = field(default_factory=list)  # (key, column, type)
    json_texts: list[tuple[str, str]] = field(default_factory=list)  # (key, column): arrays, free objects
    objects: list[tuple[str, str, ObjectPlan]] = field(default_factory=list)  # (key, column prefix, plan)
    custom_fields_key: str | None = None
    known_keys: frozenset[str] = frozenset()

    def columns(self) -> dict[str, str]:
        out = {column: kind for _, column, kind in self.scalars}
        out.update({column: "STRING" for _, column in self.json_texts})
        for _, _, plan in self.objects:
            out.update(plan.columns())
        return out


def plan_object(model: str, prefix: tuple[str, ...] = (), depth: int = 0) -> ObjectPlan:
    models = load_models()
    plan = ObjectPlan()
    properties = models[model]
    for key, prop in properties.items():
        path = prefix + (key,)
        ref = prop.get("$ref")
        if key == "customFields" and prop.get("map") and not prefix:
            plan.custom_fields_key = key
        elif ref and ref in models and depth < MAX_NESTING:
            plan.objects.append((key, column_name(*path), plan_object(ref, path, depth + 1)))
        elif ref or prop.get("type") in ("array", "object"):
            plan.json_texts.append((key, column_name(*path)))
        else:
            plan.scalars.append((key, column_name(*path), swagger_type(prop)))
    plan.known_keys = frozenset(properties)
    return plan


class RecordFlattener:
    """Flattens one table's records by its plan. Not thread-safe: one per table sync.

    Custom fields follow `custom_fields` (act/custom_fields.py), the same plan schema() declared: a key the plan does
    not know is never given a column here (that would make names follow record order); it is counted as a problem
    and lands at the next sync, whose metadata read knows it."""

    def __init__(self, model: str, custom_fields: CustomFieldPlan | None = None) -> None:
        self.plan = plan_object(model)
        self.custom_fields = custom_fields
        # field key → (column, type, exact Python type, converter): planned once, looked up per value
        self._custom_columns: dict[str, tuple[str, str, type | None, Callable[[object], object]]] = {
            key: (column, kind, *CONVERTERS[kind])
            for key, (column, kind) in (custom_fields.columns.items() if custom_fields else ())
        }
        self._custom_json_column = custom_fields.json_column if custom_fields else None
        self.problems = Problems()
        self.extra_columns: dict[str, str] = {}  # fields the model does not define → their columns

    def columns(self) -> dict[str, str]:
        """Every column the model defines, plus the planned custom fields, with their types."""
        out = self.plan.columns()
        out.update({column: kind for column, kind, _, _ in self._custom_columns.values()})
        if self._custom_json_column:
            out[self._custom_json_column] = "STRING"
        return out

    def flatten(self, record: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        self._flatten_into(row, record, self.plan, "")
        if self.plan.custom_fields_key:
            custom = record.get(self.plan.custom_fields_key)
            if custom:
                self._custom_fields(row, custom)
        return row

    def _flatten_into(self, row: dict[str, Any], obj: dict[str, Any], plan: ObjectPlan, where: str) -> None:
        get = obj.get
        problems = self.problems
        for key, column, kind in plan.scalars:
            value = get(key)
            if value is None:
                continue
            exact, convert = CONVERTERS[kind]
            if type(value) is not exact:
                try:
                    value = convert(value)
                except BadValue:
                    problems.add(f"'{where}{key}' held {type(value).__name__} where the model has {kind}")
                    continue
            row[column] = value
        for key, column in plan.json_texts:
            value = get(key)
            if value is not None:
                row[column] = to_json_text(value)
        for key, prefix, sub_plan in plan.objects:
            value = get(key)
            if value is None:
                continue
            if type(value) is dict:
                self._flatten_into(row, value, sub_plan, f"{where}{key}.")
            else:
                problems.add(f"'{where}{key}' was not an object")
        extra = obj.keys() - plan.known_keys
        if extra:
            self._extra_fields(row, obj, extra, plan, where)

    def _extra_fields(
        self, row: dict[str, Any], obj: dict[str, Any], keys: Iterable[str], plan: ObjectPlan, where: str
    ) -> None:
        """Fields the model does not define still land, as columns named like the others."""
        for key in keys:
            if plan is self.plan and key == self.plan.custom_fields_key:
                continue
            column = column_name(*(where.rstrip(".").split(".") if where else []), key) if where else snake_case(key)
            value = obj[key]
            if value is None:
                continue
            self.extra_columns.setdefault(column, f"{where}{key}")
            row.setdefault(column, to_json_text(value) if isinstance(value, (dict, list)) else value)

    def _custom_fields(self, row: dict[str, Any], custom: object) -> None:
        if type(custom) is not dict:
            self.problems.add("'customFields' was not an object")
            return
        if self._custom_json_column:
            row[self._custom_json_column] = to_json_text(custom)
            return
        planned = self._custom_columns
        for key, value in custom.items():
            if value is None:
                continue
            found = planned.get(key)
            if found is None:
                self.problems.add(
                    f"custom field '{key}' is not in the metadata read at the start of the sync; it lands at the next sync"
                )
                continue
            column, kind, exact, convert = found
            if type(value) is not exact:
                try:
                    value = convert(value)
                except BadValue:
                    self.problems.add(f"custom field '{key}' held {type(value).__name__} where Act! defines {kind}")
                    continue
            row[column] = value
