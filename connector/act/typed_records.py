"""Typed decoding: a page of a table's records parsed straight into structs of its Swagger model, in C (msgspec).

In the common case (every value of its column's type, no field the model lacks) msgspec checks each value as it
parses, and flattening only reads the struct's attributes (`RecordFlattener`'s typed function): no dict of ~100
keys per contact is built, and no value is checked again in Python. Anything else (a value of another type, a
number beyond 64 bits, a field the model does not define, JSON msgspec refuses) makes the decoder refuse the whole
text, which is then parsed by `jsonfast.loads` into dicts and flattened with the general path's conversions and
problem counts. So typed decoding only ever produces rows the general path produces for the same text
(tests/unit/test_typed_records.py compares them).

A typed record reads like the record's dict where the sync needs it (`get`, `[]`): its id, cursor and creation
stamps, and the arrays links are made from."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeAlias, cast

import msgspec

from .jsonfast import Raw, load_raw, loads
from .records import CONVERTERS, INT64, ObjectPlan, RecordFlattener

# What a typed record takes for each column type: the Python type a value keeps as is (within bounds); timestamps
# are strings that flattening converts.
JSON_TYPES: dict[str, Any] = {
    kind: (Annotated[exact, msgspec.Meta(ge=bounds[0], le=bounds[1])] if bounds else exact) if exact else str
    for kind, (exact, bounds, _) in CONVERTERS.items()
}
# A custom field's value: any JSON scalar a column of some type can hold (objects, arrays and numbers beyond 64
# bits go to the general path, which parses such numbers differently).
CUSTOM_VALUE = str | bool | Annotated[int, msgspec.Meta(ge=INT64[0], le=INT64[1])] | float | None


class TypedRecord(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A record parsed into its model's struct. `get` and `[]` take the JSON keys; an array (kept as JSON text
    while parsing) is parsed the first time it is read, and kept."""

    attribute_of: ClassVar[dict[str, str]]  # JSON key → attribute

    def get(self, key: str) -> Any:
        attribute = self.attribute_of.get(key)
        if attribute is None:
            return None
        value = getattr(self, attribute)
        if type(value) is Raw:
            value = load_raw(value)
            setattr(self, attribute, value)
        return value

    def __getitem__(self, key: str) -> Any:
        if key not in self.attribute_of:
            raise KeyError(key)
        return self.get(key)


RECORD_TYPES = (dict, TypedRecord)  # what a page's records are: dicts (the general path) or typed records
Record: TypeAlias = "dict[str, Any] | TypedRecord"


def struct_for(plan: ObjectPlan, name: str) -> type[TypedRecord]:
    """The struct of one object plan (nested objects are structs of their own), its attributes named by the plan."""
    fields: list[tuple[str, Any, Any]] = []
    for key, _, kind in plan.scalars:
        fields.append((plan.attributes[key], JSON_TYPES[kind] | None, msgspec.field(default=None, name=key)))
    for key, _ in plan.json_texts:  # kept as text: parsed by jsonfast.loads when read, as the general path does
        fields.append((plan.attributes[key], Raw, msgspec.field(default=None, name=key)))
    for key, _, sub_plan in plan.objects:
        sub = struct_for(sub_plan, f"{name}.{key}")
        fields.append((plan.attributes[key], sub | None, msgspec.field(default=None, name=key)))
    if plan.custom_fields_key:
        key = plan.custom_fields_key
        fields.append((plan.attributes[key], dict[str, CUSTOM_VALUE] | None, msgspec.field(default=None, name=key)))
    struct = msgspec.defstruct(
        name,
        fields,
        bases=(TypedRecord,),
        namespace={"attribute_of": dict(plan.attributes)},
        forbid_unknown_fields=True,
        gc=False,
    )
    return cast("type[TypedRecord]", struct)


class TypedDecoder:
    """Parses a table's page (a JSON array) into typed records, or says it cannot (None)."""

    def __init__(self, flattener: RecordFlattener, name: str) -> None:
        try:
            records: Any = list[struct_for(flattener.plan, name)]  # type: ignore[misc]
        except ValueError:  # msgspec takes no field name with a quote, a backslash or a control character
            self._decode = None
        else:
            self._decode = msgspec.json.Decoder(records).decode

    def __call__(self, text: bytes | bytearray) -> list[Any] | None:
        if self._decode is None:
            return None
        try:
            records: list[Any] = self._decode(text)
        except ValueError:  # msgspec's DecodeError and ValidationError, and invalid UTF-8
            return None
        return records

    def or_loads(self, text: bytes | bytearray) -> list[Any]:
        """Typed records when the text allows, else what `jsonfast.loads` makes of it (dicts, or its error)."""
        records = self(text)
        return loads(text) if records is None else records
