"""JSON parsing and writing for the hot path: orjson when installed (requirements.txt pins it; it parses Act!'s
pages about twice as fast as the standard library), the standard library otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

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
