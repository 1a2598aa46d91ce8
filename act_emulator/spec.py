"""The Act! Web API Swagger 2.0 document as validators, so emulator records are checked against the real spec.

Swagger 2.0 schemas are almost JSON Schema; the differences that matter are bridged here: refs point into
`definitions`, there is no `nullable` (the real API writes `null` for every empty field, so each property also
accepts null), formats `int32`/`int64` become ranges, `date-time` must be the string .NET writes (ISO 8601, `Z`,
at most 7 fractional digits with trailing zeros trimmed), and object models reject properties they do not define —
except free-form maps (`customFields`, Swagger `additionalProperties`), whose values must be scalars or null.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft7Validator, FormatChecker

MODEL_PREFIX = "act.web.api.models."
# Beside the module (package data in pyproject), so it works from a checkout and from an install alike.
_SWAGGER_PATH = Path(__file__).with_name("spec") / "swagger.json"
_REF_PREFIX = "#/definitions/"
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
# .NET round-trip UTC output: fraction optional, 1-7 digits, never ending in 0.
_DOTNET_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{0,6}[1-9])?Z$")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@functools.lru_cache(maxsize=1)
def swagger() -> dict:
    """The parsed swagger.json shipped as package data (loaded once)."""
    with open(_SWAGGER_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def _full_name(definition_name: str) -> str:
    definitions = swagger()["definitions"]
    if definition_name in definitions:
        return definition_name
    if MODEL_PREFIX + definition_name in definitions:
        return MODEL_PREFIX + definition_name
    raise KeyError(f"no Swagger definition {definition_name!r}")


def properties_of(definition_name: str) -> dict[str, dict]:
    """Property name -> Swagger property schema of a definition (full or `Contacts.Contact`-style short name)."""
    return swagger()["definitions"][_full_name(definition_name)].get("properties", {})


def is_dotnet_date_time(text: object) -> bool:
    """True for a string exactly as .NET serialises a UTC DateTime (`2024-03-05T10:11:12.1234567Z`)."""
    if not isinstance(text, str):
        return True  # formats only constrain strings; the type keyword handles the rest
    match = _DOTNET_DATE_TIME.match(text)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        return False
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return False
    return hour < 24 and minute < 60 and second < 60


def _convert(node: Any, complete: bool) -> Any:
    """One Swagger schema node -> a nullable, strict JSON-schema node."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = node["$ref"]
        if target == _REF_PREFIX + "System.Object":
            return {}  # System.Object is "any value" (Swagger renders it as an empty object model)
        return {"$ref": target}  # converted definitions already accept null
    out: dict[str, Any] = {}
    kind = node.get("type")
    if kind is not None:
        out["type"] = [kind, "null"]
    if "enum" in node:
        out["enum"] = list(node["enum"]) + [None]
    fmt = node.get("format")
    if fmt in _INT_RANGES:
        out["minimum"], out["maximum"] = _INT_RANGES[fmt]
    elif fmt == "date-time":
        out["format"] = "date-time"
    if kind == "array" and "items" in node:
        out["items"] = _convert(node["items"], complete)
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        if props:
            out["properties"] = {name: _convert(sub, complete) for name, sub in props.items()}
            if complete:
                out["required"] = list(props)
        extra = node.get("additionalProperties")
        if extra is not None:  # a free-form map such as customFields: any key, scalar or null values
            out["additionalProperties"] = {"type": ["string", "number", "integer", "boolean", "null"]}
        elif props:
            out["additionalProperties"] = False
    return out


def _reachable(root: str) -> list[str]:
    definitions = swagger()["definitions"]
    seen, todo = {root}, [root]
    while todo:
        text = json.dumps(definitions[todo.pop()])
        for name in re.findall(r'"\$ref": "#/definitions/([^"]+)"', text):
            if name not in seen and name in definitions:
                seen.add(name)
                todo.append(name)
    return sorted(seen)


def _integer(checker, instance) -> bool:
    # Strict: 1.0 is a number, not an integer (.NET writes Int32 without a fraction); bools are never numbers.
    return isinstance(instance, int) and not isinstance(instance, bool)


_TYPE_CHECKER = Draft7Validator.TYPE_CHECKER.redefine("integer", _integer)
_StrictValidator = jsonschema.validators.extend(Draft7Validator, type_checker=_TYPE_CHECKER)
FORMAT_CHECKER = FormatChecker(formats=())
FORMAT_CHECKER.checks("date-time")(is_dotnet_date_time)


@functools.cache
def validator_for(definition_name: str, complete: bool = False) -> jsonschema.protocols.Validator:
    """A Draft 7 validator for a Swagger definition, built from swagger.json.

    `complete=True` additionally requires every property the model defines (the emulator always writes them all,
    null when empty); leave it False for responses narrowed by `$select`.
    """
    root = _full_name(definition_name)
    definitions = swagger()["definitions"]
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",  # a record itself is never null
        "allOf": [{"$ref": _REF_PREFIX + root}],
        "definitions": {name: _convert(definitions[name], complete) for name in _reachable(root)},
    }
    _StrictValidator.check_schema(schema)
    return _StrictValidator(schema, format_checker=FORMAT_CHECKER)


def errors_of(definition_name: str, record: Any, complete: bool = False) -> list[str]:
    """Readable validation errors of one record (empty when it conforms)."""
    validator = validator_for(definition_name, complete)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}"
        for e in sorted(validator.iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    ]


def assert_conforms(table_name: str, records: Iterable[dict], complete: bool = True) -> int:
    """Assert every record of an emulated table follows its Swagger model; returns how many were checked.

    Raises AssertionError naming the first few failing records. Pass `complete=False` for `$select`ed responses.
    """
    from .tables import TABLES

    definition = TABLES[table_name].definition
    validator = validator_for(definition, complete)
    failures, checked = [], 0
    for record in records:
        checked += 1
        if not validator.is_valid(record):
            rid = record.get("id") if isinstance(record, dict) else None
            failures.append(
                f"{table_name} record #{checked - 1} (id={rid!r}): "
                + "; ".join(errors_of(definition, record, complete)[:5])
            )
            if len(failures) >= 5:
                break
    if failures:
        raise AssertionError(f"{definition} violations:\n" + "\n".join(failures))
    return checked
