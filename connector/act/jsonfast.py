"""JSON parsing and writing for the hot path: orjson when installed (requirements.txt pins it; it parses Act!'s
pages about twice as fast as the standard library), the standard library otherwise; and `load_raw` for the raw
JSON a typed record keeps (act/typed_records.py), parsed the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from msgspec import Raw  # what a typed record holds for an array until it is read

__all__ = ["Raw", "dumps_text", "load_raw", "loads"]

loads: Callable[[bytes | bytearray | str], Any]
dumps_text: Callable[[Any], str]

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson is missing
    _ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    loads = json.loads
    dumps_text = _ENCODER.encode
else:
    loads = orjson.loads

    def _orjson_text(value: Any) -> str:
        """Compact JSON text (arrays and free-form objects stored in STRING columns)."""
        return orjson.dumps(value).decode()

    dumps_text = _orjson_text


def load_raw(raw: Raw) -> Any:
    """A value a typed record kept as its JSON text (act/typed_records.py: arrays and free objects), parsed by
    `loads` as the page's other records are, so it lands exactly as it would have without typed decoding."""
    return loads(bytes(raw))
