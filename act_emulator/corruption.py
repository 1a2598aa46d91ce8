"""Bad records on demand (POST /_emulator/corrupt): how a misbehaving Act! server would serve a record wrongly.

The store keeps each record's real values (its truth: the index, filters, snapshots and later edits use them) and,
for a corrupted record, the different bytes it serves. `apply` turns a real record into both: every kind but
`huge-text` only spoils what is served; `huge-text` is real (if awkward) data, so the truth carries it too.
Fields are chosen from the Swagger model, preferring the familiar ones (`amaScore`, `isPrivate`, `birthday`...),
so every table can be corrupted in every kind its model allows.
"""

from __future__ import annotations

import orjson

from .modelinfo import model
from .tables import EmulatedTable

KINDS = ("missing-id", "missing-cursor", "extra-field", "wrong-type", "non-utf8", "huge-text")
EXTRA_FIELDS = {"legacyScore": 7, "extraInfo": {"a": 1}}
WRONG_VALUES = {"int": "high", "number": "high", "bool": "maybe", "datetime": "not a date", "string": 12345}
INVALID_UTF8 = b"\xff\xfe"
HUGE_TEXT_BYTES = 2 * 1024 * 1024
_PLACEHOLDER = "@@act-emulator-invalid-utf8@@"  # spliced out of the serialised bytes for INVALID_UTF8
_PREFERRED = {  # per kind of value, the properties to spoil first when the model has them
    "int": ("amaScore", "probability", "leadMinutes", "noteTypeID", "historyTypeID"),
    "number": ("price", "quantity", "revenue"),
    "bool": ("isPrivate", "isActive"),
    "datetime": ("birthday", "estimatedCloseDate", "startTime", "displayDate", "lastLogOnDate", "createDate"),
    "string": ("jobTitle", "name", "subject", "regarding", "username", "description"),
    "text": ("noteText", "details", "firstName", "name", "subject", "regarding", "description", "username"),
}


class ServedBlob(bytes):
    """The bytes served for a corrupted record; `.clean` is the real record's serialisation and `.kind` how it is
    corrupted. A bytes subclass, so pages join it like any other blob at no extra cost."""


def clean(blob: bytes) -> bytes:
    """The real serialisation behind a served blob (the blob itself unless the record is corrupted)."""
    return blob.clean if type(blob) is ServedBlob else blob


def served_record(blob: bytes) -> dict:
    """A served blob decoded the way a lenient client would (invalid UTF-8 becomes U+FFFD)."""
    try:
        return orjson.loads(blob)
    except orjson.JSONDecodeError:
        return orjson.loads(bytes(blob).decode("utf-8", "replace"))


def _pick(table: EmulatedTable, kind: str, record: dict) -> str | None:
    """The property of `kind` (a modelinfo kind, or "text") to spoil: a preferred one, else the first in the model;
    never the id or the cursor."""
    wanted = "string" if kind == "text" else kind
    props = [
        p.name
        for p in (model(table.definition) or {}).values()
        if p.kind == wanted and p.name not in ("id", table.cursor_field, "editDate", "edited") and p.name in record
    ]
    for name in _PREFERRED[kind]:
        if name in props:
            return name
    return props[0] if props else None


def cursor_fields(table: EmulatedTable) -> tuple[str, ...]:
    """The last-edited properties a record carries (opportunity products have both `edited` and `editDate`)."""
    return tuple(dict.fromkeys((table.cursor_field, "edited", "editDate"))) if table.cursor_field else ()


def check(table: EmulatedTable, kind: str) -> None:
    """ValueError when `kind` is unknown or cannot apply to `table`."""
    if kind not in KINDS:
        raise ValueError(f"unknown corruption kind {kind!r}; known: {', '.join(KINDS)}")
    if kind == "missing-cursor" and table.cursor_field is None:
        raise ValueError(f"table {table.name} has no cursor field to leave out")


def apply(table: EmulatedTable, kind: str, record: dict) -> tuple[dict, bytes, list[str]]:
    """(the record's truth, the bytes served for it, the properties spoiled) for a record corrupted by `kind`."""
    served = dict(record)
    spoiled: list[str] = []
    if kind == "missing-id":
        del served["id"]
        spoiled = ["id"]
    elif kind == "missing-cursor":
        spoiled = [name for name in cursor_fields(table) if name in served]
        for name in spoiled:
            del served[name]
    elif kind == "extra-field":
        served.update(EXTRA_FIELDS)
        spoiled = list(EXTRA_FIELDS)
    elif kind == "wrong-type":
        for value_kind, wrong in WRONG_VALUES.items():
            name = _pick(table, value_kind, record)
            if name is not None and name not in spoiled:
                served[name] = wrong
                spoiled.append(name)
    elif kind == "non-utf8":
        name = _pick(table, "text", record)
        if name is None:
            raise ValueError(f"table {table.name} has no text field to spoil")
        served[name] = (record[name] or "") + _PLACEHOLDER
        spoiled = [name]
        return record, orjson.dumps(served).replace(_PLACEHOLDER.encode(), INVALID_UTF8), spoiled
    elif kind == "huge-text":
        name = _pick(table, "text", record)
        if name is None:
            raise ValueError(f"table {table.name} has no text field to fill")
        record = dict(record, **{name: huge_text()})
        return record, orjson.dumps(record), [name]
    return record, orjson.dumps(served), spoiled


def huge_text() -> str:
    """HUGE_TEXT_BYTES of plain ASCII (as many characters as bytes), with line breaks like a pasted document."""
    line = "Pasted from the old CRM: meeting minutes, quotes and e-mail threads, kept verbatim.\r\n"
    return (line * (HUGE_TEXT_BYTES // len(line) + 1))[:HUGE_TEXT_BYTES]
