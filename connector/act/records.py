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

from .jsonfast import Raw, dumps_text, load_raw
from .naming import column_name, snake_case
from .timestamps import parse_utc_naive

if TYPE_CHECKING:
    from collections.abc import Callable

    from .custom_fields import CustomFieldPlan
    from .typed_records import Record

    Converter: TypeAlias = tuple[type | None, tuple[int, int] | None, Callable[[object], object]]

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


INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


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
    if not INT32[0] <= number <= INT32[1]:
        raise BadValue
    return number


def _to_long(value: object) -> int:
    number = _to_int(value)
    if not INT64[0] <= number <= INT64[1]:
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


# column type → (the Python type a value may keep as is, within these bounds; the converter for anything else)
CONVERTERS: dict[str, Converter] = {
    "STRING": (str, None, _to_string),
    "INT": (int, INT32, _to_int32),  # an int outside 32 bits would fail the SDK's INT encoding
    "LONG": (int, INT64, _to_long),
    "DOUBLE": (float, None, _to_double),
    "BOOLEAN": (bool, None, _to_boolean),
    "UTC_DATETIME": (None, None, _to_datetime),
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
    # key → the attribute that holds it in a typed record (act/typed_records.py): one name per planned key
    attributes: dict[str, str] = field(default_factory=dict)

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
    keys = (
        [key for key, _, _ in plan.scalars] + [key for key, _ in plan.json_texts] + [key for key, _, _ in plan.objects]
    )
    keys += [plan.custom_fields_key] if plan.custom_fields_key else []
    plan.attributes = {key: f"f{number}" for number, key in enumerate(keys)}
    return plan


class RecordFlattener:
    """Flattens one table's records by its plan. Not thread-safe: one per table sync.

    The plan is turned once into a Python function with one straight run of statements per planned field
    (`_FlattenSource`): no loop over the plan, no lookup of a converter, per record. Custom fields follow
    `custom_fields` (act/custom_fields.py), the same plan schema() declared: a key the plan does not know is never
    given a column here (that would make names follow record order); it is counted as a problem and lands at the
    next sync, whose metadata read knows it."""

    def __init__(self, model: str, custom_fields: CustomFieldPlan | None = None) -> None:
        self.plan = plan_object(model)
        self.custom_fields = custom_fields
        # field key → (column, type): what the custom-field code is generated from
        self._custom_columns = dict(custom_fields.columns) if custom_fields else {}
        self._custom_json_column = custom_fields.json_column if custom_fields else None
        self.problems = Problems()
        self.extra_columns: dict[str, str] = {}  # fields the model does not define → their columns
        self._flatten = _FlattenSource(self).compile()

    def columns(self) -> dict[str, str]:
        """Every column the model defines, plus the planned custom fields, with their types."""
        out = self.plan.columns()
        out.update({column: kind for column, kind in self._custom_columns.values()})
        if self._custom_json_column:
            out[self._custom_json_column] = "STRING"
        return out

    def flatten(self, record: Record) -> dict[str, Any]:
        return self._flatten(record)

    def extra_fields(self, row: dict[str, Any], obj: dict[str, Any], plan: ObjectPlan, where: str) -> None:
        """Fields the model does not define still land, as columns named like the others."""
        for key in obj.keys() - plan.known_keys:
            if plan is self.plan and key == self.plan.custom_fields_key:
                continue
            column = column_name(*(where.rstrip(".").split(".") if where else []), key) if where else snake_case(key)
            value = obj[key]
            if value is None:
                continue
            self.extra_columns.setdefault(column, f"{where}{key}")
            row.setdefault(column, to_json_text(value) if isinstance(value, (dict, list)) else value)

    def count_custom_field_problems(self, row: dict[str, Any], custom: object) -> None:
        """What the generated code leaves to this: a customFields value that is not an object, or keys the
        metadata did not list (the known ones are already written)."""
        if type(custom) is not dict:
            self.problems.add("'customFields' was not an object")
            return
        for key, value in custom.items():
            if value is not None and key not in self._custom_columns:
                self.problems.add(
                    f"custom field '{key}' is not in the metadata read at the start of the sync; it lands at the next sync"
                )


class _FlattenSource:
    """The source of one flattener's function, made from its plan. Every name and key reaches the code through
    `repr()` or the function's globals, never as raw text, so no field name can change what the code does.

    For each planned field: read it once; no cell when it is null; the value as is when its Python type is the
    column's exact type, else converted (a value that cannot be converted leaves no cell and is counted, with the
    same message whatever the path)."""

    def __init__(self, flattener: RecordFlattener) -> None:
        self.flattener = flattener
        # a typed record (act/typed_records.py) has its own function, generated below the general one
        self.lines = [
            "def flatten(record):",
            "    if type(record) is not dict:",
            "        return flatten_typed(record)",
            "    row = {}",
        ]
        self.names: dict[str, Any] = {"BadValue": BadValue, "to_json_text": to_json_text, "dict": dict, "type": type}
        self.names.update(Raw=Raw, load_raw=load_raw)
        self.names["problem"] = flattener.problems.add
        self.names["extra_fields"] = flattener.extra_fields
        self.names["bad"] = _bad_value_reporter(flattener.problems)
        self.names["convert"] = _converter(self.names["bad"])
        self._named: dict[int, str] = {}

    def _name(self, value: Any) -> str:
        """A global of the generated function holding `value` (a type, a converter, a plan)."""
        name = self._named.get(id(value))
        if name is None:
            name = self._named[id(value)] = f"g{len(self.names)}"
            self.names[name] = value
        return name

    def compile(self) -> Callable[[Record], dict[str, Any]]:
        plan = self.flattener.plan
        self._object(plan, "record", "", 1)
        if plan.custom_fields_key:
            self._custom_fields(f"record.get({plan.custom_fields_key!r})")
        self.lines.append("    return row")
        # A typed record (act/typed_records.py) had every value's type checked as it was parsed, and holds no
        # field the model lacks: its function only reads the planned attributes.
        self.lines += ["def flatten_typed(record):", "    row = {}"]
        self._typed_object(plan, "record", "", 1)
        if plan.custom_fields_key:
            self._custom_fields(f"record.{plan.attributes[plan.custom_fields_key]}")
        self.lines.append("    return row")
        code = compile("\n".join(self.lines), f"<flatten {id(self.flattener):x}>", "exec")
        exec(code, self.names)  # our own generated source: every value in it is a global or a repr()
        function: Callable[[Record], dict[str, Any]] = self.names["flatten"]
        return function

    def _cell(self, get: str, key: str, column: str, kind: str, message: tuple[str, str], pad: str) -> None:
        exact, bounds, convert = CONVERTERS[kind]
        add, converter, before, after = self.lines.append, self._name(convert), *message
        add(f"{pad}v = {get}({key!r})")
        add(f"{pad}if v is not None:")
        if exact is None:  # every value is converted (timestamps)
            self._converted(column, converter, message, pad)
            return
        within = f" and {bounds[0]} <= v <= {bounds[1]}" if bounds else ""
        add(f"{pad}    if type(v) is {self._name(exact)}{within}: row[{column!r}] = v")
        add(f"{pad}    else: convert(row, {column!r}, v, {converter}, {before!r}, {after!r})")

    def _converted(self, column: str, converter: str, message: tuple[str, str], pad: str) -> None:
        before, after = message
        self.lines.append(f"{pad}    try: row[{column!r}] = {converter}(v)")
        self.lines.append(f"{pad}    except BadValue: bad({before!r}, v, {after!r})")

    def _json_text(self, read: str, column: str, pad: str, typed: bool) -> None:
        """An array or free object, stored as JSON text; a typed record holds it as raw JSON until it is read."""
        add = self.lines.append
        add(f"{pad}v = {read}")
        if typed:
            add(f"{pad}if type(v) is Raw: v = load_raw(v)")
        add(f"{pad}if v is not None:")
        add(f"{pad}    row[{column!r}] = to_json_text(v)")

    def _typed_object(self, plan: ObjectPlan, var: str, where: str, depth: int) -> None:
        """The typed record's statements for `plan`: a value present is of its column's type (within bounds),
        except timestamps, which are strings still to convert; arrays and free objects are kept as JSON text."""
        pad, add = "    " * depth, self.lines.append
        add(f"{pad}pass")  # an object with no properties
        for key, column, kind in plan.scalars:
            add(f"{pad}v = {var}.{plan.attributes[key]}")
            add(f"{pad}if v is not None:")
            exact, _, convert = CONVERTERS[kind]
            if exact is None:
                self._converted(column, self._name(convert), _model_message(where, key, kind), pad)
            else:
                add(f"{pad}    row[{column!r}] = v")
        for key, column in plan.json_texts:
            self._json_text(f"{var}.{plan.attributes[key]}", column, pad, typed=True)
        for key, _, sub_plan in plan.objects:
            inner = f"o{depth}"
            add(f"{pad}{inner} = {var}.{plan.attributes[key]}")
            add(f"{pad}if {inner} is not None:")
            self._typed_object(sub_plan, inner, f"{where}{key}.", depth + 1)

    def _object(self, plan: ObjectPlan, var: str, where: str, depth: int) -> None:
        pad, add = "    " * depth, self.lines.append
        get = f"get{depth}"
        add(f"{pad}{get} = {var}.get")
        for key, column, kind in plan.scalars:
            self._cell(get, key, column, kind, _model_message(where, key, kind), pad)
        for key, column in plan.json_texts:
            self._json_text(f"{get}({key!r})", column, pad, typed=False)
        for key, _, sub_plan in plan.objects:
            inner = f"o{depth}"
            add(f"{pad}{inner} = {get}({key!r})")
            add(f"{pad}if type({inner}) is dict:")
            self._object(sub_plan, inner, f"{where}{key}.", depth + 1)
            not_an_object = f"'{where}{key}' was not an object"
            add(f"{pad}elif {inner} is not None:")
            add(f"{pad}    problem({not_an_object!r})")
        # the keys the plan knows are read above; any other key lands in a column of its own
        add(f"{pad}if not {self._name(plan.known_keys)}.issuperset({var}):")
        add(f"{pad}    extra_fields(row, {var}, {self._name(plan)}, {where!r})")

    def _custom_fields(self, read: str) -> None:
        """The custom fields' statements; `read` is the expression that reads the record's custom-field object."""
        flattener, add = self.flattener, self.lines.append
        add(f"    custom = {read}")
        add("    if custom:")
        if flattener._custom_json_column:
            add("        if type(custom) is dict:")
            add(f"            row[{flattener._custom_json_column!r}] = to_json_text(custom)")
            add("        else:")
            add(f"            {self._name(flattener.count_custom_field_problems)}(row, custom)")
            return
        add("        if type(custom) is dict:")
        add("            get_custom = custom.get")
        for field_key, (column, kind) in flattener._custom_columns.items():
            message = (f"custom field '{field_key}' held ", f" where Act! defines {kind}")
            self._cell("get_custom", field_key, column, kind, message, "            ")
        known = frozenset(flattener._custom_columns)
        add(f"        if type(custom) is not dict or not {self._name(known)}.issuperset(custom):")
        add(f"            {self._name(flattener.count_custom_field_problems)}(row, custom)")


def _model_message(where: str, key: str, kind: str) -> tuple[str, str]:
    """What a value of the wrong type in a model field is counted as, around the value's type."""
    return f"'{where}{key}' held ", f" where the model has {kind}"


def _bad_value_reporter(problems: Problems) -> Callable[[str, object, str], None]:
    """Counts a value its column cannot hold: `before` + the value's type + `after`."""

    def bad(before: str, value: object, after: str) -> None:
        problems.add(f"{before}{type(value).__name__}{after}")

    return bad


def _converter(bad: Callable[[str, object, str], None]) -> Callable[..., None]:
    """The generated code's path for a value not of its column's exact type: converted, or counted by `bad`."""

    def convert(
        row: dict[str, Any], column: str, value: object, to: Callable[[object], object], before: str, after: str
    ) -> None:
        try:
            row[column] = to(value)
        except BadValue:
            bad(before, value, after)

    return convert
