"""JSON parsing and writing for the hot path: orjson when installed (requirements.txt pins it; it parses Act!'s
pages about twice as fast as the standard library), the standard library otherwise."""

from __future__ import annotations

import json

try:
    import orjson

    loads = orjson.loads

    def dumps_text(value) -> str:
        """Compact JSON text (arrays and free-form objects stored in STRING columns)."""
        return orjson.dumps(value).decode()
except ImportError:  # pragma: no cover - exercised only where orjson is missing
    loads = json.loads
    _ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def dumps_text(value) -> str:
        return _ENCODER.encode(value)
