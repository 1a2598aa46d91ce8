"""Records: from the nested JSON Act! serves to flat warehouse rows, with the columns' types.

The plan for a table is made once, from its Swagger model: which properties are scalars (and of which type),
which are nested objects (flattened to `parent_child` columns, recursively), which are arrays (stored as JSON
text) and where the custom fields are. Flattening a record then only follows the plan. Values of the wrong type
never fail a sync or corrupt a row: they are converted when that is lossless, else left empty and reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .jsonfast import dumps_text
from .naming import CustomFieldNames, column_name, snake_case
from .timestamps import parse_timestamp

to_json_text = dumps_text

MODELS_FILE = Path(__file__).with_name("act_models.json")
MAX_NESTING = 4  # deeper objects (none in the spec) are kept as JSON text


@lru_cache(maxsize=1)
def load_models() -> dict:
    return json.loads(MODELS_FILE.read_text(encoding="utf-8"))


def swagger_type(prop: dict) -> str:
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


def _to_string(value):
    if isinstance(value, (dict, list)):
        return to_json_text(value)
    return str(value)


def _to_int(value):
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


def _to_int32(value):
    number = _to_int(value)
    if not -(2**31) <= number < 2**31:
        raise BadValue
    return number


def _to_long(value):
    number = _to_int(value)
    if not -(2**63) <= number < 2**63:
        raise BadValue
    return number


def _to_double(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValue
    try:
        return float(value)
    except ValueError:
        raise BadValue from None


def _to_boolean(value):
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValue


def _to_datetime(value):
    if not isinstance(value, str):
        raise BadValue
    try:
        return parse_timestamp(value)
    except ValueError:
        raise BadValue from None


# (exact Python type that needs no conversion, converter for anything else)
CONVERTERS = {
    "STRING": (str, _to_string),
    "INT": (int, _to_int32),
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
    known_keys: frozenset = frozenset()

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
    """Flattens one table's records by its plan. Not thread-safe: one per table sync."""

    def __init__(
        self,
        model: str,
        custom_fields: CustomFieldNames | None = None,
        custom_field_types: dict[str, str] | None = None,
    ) -> None:
        self.plan = plan_object(model)
        self.custom_fields = custom_fields or CustomFieldNames()
        self.custom_field_types = dict(custom_field_types or {})  # Act! field name → SDK type
        self.problems = Problems()
        self.extra_columns: dict[str, str] = {}  # fields the model does not define → their columns

    def columns(self) -> dict[str, str]:
        """Every column the model defines, plus the typed custom fields, with their types."""
        out = self.plan.columns()
        for name, kind in self.custom_field_types.items():
            out[self.custom_fields.column(name)] = kind
        return out

    def flatten(self, record: dict) -> dict:
        row: dict = {}
        self._flatten_into(row, record, self.plan, "")
        if self.plan.custom_fields_key:
            custom = record.get(self.plan.custom_fields_key)
            if custom:
                self._custom_fields(row, custom)
        return row

    def _flatten_into(self, row: dict, obj: dict, plan: ObjectPlan, where: str) -> None:
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

    def _extra_fields(self, row: dict, obj: dict, keys, plan: ObjectPlan, where: str) -> None:
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

    def _custom_fields(self, row: dict, custom) -> None:
        if type(custom) is not dict:
            self.problems.add("'customFields' was not an object")
            return
        types = self.custom_field_types
        for name, value in custom.items():
            if value is None:
                continue
            column = self.custom_fields.column(name)
            kind = types.get(name)
            if kind is not None:
                exact, convert = CONVERTERS[kind]
                if type(value) is not exact:
                    try:
                        value = convert(value)
                    except BadValue:
                        self.problems.add(
                            f"custom field '{name}' held {type(value).__name__} where Act! defines {kind}"
                        )
                        continue
            elif isinstance(value, (dict, list)):
                value = to_json_text(value)
            row[column] = value
