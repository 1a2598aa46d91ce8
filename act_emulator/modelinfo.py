"""Property types of the Act! models, read from the Swagger document, for OData to resolve and type-check paths.

ASP.NET OData resolves `$filter`/`$orderby`/`$select` properties against the EDM model, so an unknown property or a
literal of the wrong type is a 400 before any data is read. The emulator does the same from swagger.json, and
resolves names case-insensitively (the connector may write `Edited` or `businessaddress/City`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

SWAGGER = Path(__file__).parent / "spec" / "swagger.json"
REF_PREFIX = "#/definitions/"
# String properties that hold uniqueidentifier columns in Act!'s SQL Server database (compared as GUIDs).
GUID_PROPERTIES = {"id", "companyid", "recordmanagerid", "parentid", "rootparentid", "opportunityid", "productid"}

KINDS_EDM = {
    "string": "Edm.String",
    "datetime": "Edm.DateTimeOffset",
    "guid": "Edm.Guid",
    "int": "Edm.Int32",
    "number": "Edm.Double",
    "bool": "Edm.Boolean",
    "null": "null",
    "any": "Edm.Untyped",
}


class PathError(ValueError):
    """An unknown or unusable property path; the message is the one OData would give."""


@dataclass(frozen=True)
class Prop:
    name: str  # canonical (record key) spelling
    kind: str  # string datetime guid int number bool object array map any
    ref: str | None = None  # definition of an object property


@functools.lru_cache(maxsize=1)
def _definitions() -> dict:
    return json.loads(SWAGGER.read_text(encoding="utf-8"))["definitions"]


def _prop_of(name: str, schema: dict) -> Prop:
    if "$ref" in schema:
        ref = schema["$ref"][len(REF_PREFIX) :]
        return Prop(name, "any" if ref == "System.Object" else "object", ref)
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return Prop(name, "datetime")
        return Prop(name, "guid" if name.lower() in GUID_PROPERTIES else "string")
    if kind == "integer":
        return Prop(name, "int")
    if kind == "number":
        return Prop(name, "number")
    if kind == "boolean":
        return Prop(name, "bool")
    if kind == "array":
        return Prop(name, "array")
    if kind == "object":
        return Prop(name, "map")
    return Prop(name, "any")


@functools.cache
def model(definition: str) -> dict[str, Prop] | None:
    """Lower-cased property name -> Prop of a Swagger definition; None when the spec does not have it (open type)."""
    schema = _definitions().get(definition)
    if schema is None:
        return None
    return {name.lower(): _prop_of(name, sub) for name, sub in schema.get("properties", {}).items()}


def resolve(definition: str, path: str, id_kind: str = "guid") -> tuple[tuple[str, ...], str]:
    """Canonical key path and kind of `a/b/c` on a model. Raises PathError with OData's wording."""
    keys: list[str] = []
    current: str | None = definition
    kind = "object"
    for part in path.split("/"):
        if kind in ("map", "any"):
            keys.append(part)  # open: customFields/<name>
            kind = "any"
            continue
        if kind != "object":
            raise PathError(f"The property '{keys[-1]}' cannot be navigated into: it is not a complex type.")
        props = model(current) if current else None
        if props is None:
            keys.append(part)
            kind = "any"
            continue
        prop = props.get(part.lower())
        if prop is None:
            raise PathError(f"Could not find a property named '{part}' on type '{current}'.")
        keys.append(prop.name)
        kind, current = prop.kind, prop.ref
        if len(keys) == 1 and prop.name == "id" and kind in ("guid", "string"):
            kind = "guid" if id_kind == "guid" else kind
    return tuple(keys), kind
