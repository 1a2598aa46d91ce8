"""Act! timestamps, in one place.

The Act! Web API is .NET on SQL Server: it writes UTC timestamps as ISO 8601 with a `Z` and up to seven
fractional digits (100 ns ticks), trailing zeros trimmed. Cursor values are kept as the exact strings the server
wrote, because a round trip through a Python `datetime` (microseconds) drops the seventh digit and would make a
keyset position land before or after the record it names. Values written to the warehouse are `datetime`s: the
SDK's UTC_DATETIME columns hold microseconds.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

UTC = timezone.utc

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|z|[+-]\d{2}:?\d{2})?$")


def _parse_general(text: str) -> datetime:
    """Any ISO 8601 form Act! or a user may write: date only, no seconds, any fraction length, `Z` or an offset."""
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    if zone and zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return value.replace(tzinfo=timezone(sign * offset)).astimezone(UTC)
    return value.replace(tzinfo=UTC)


if sys.version_info >= (3, 11):
    _fromisoformat = datetime.fromisoformat

    def parse_timestamp(text: str) -> datetime:
        """An aware UTC datetime from an Act! timestamp. The common .NET form takes the C fast path."""
        try:
            value = _fromisoformat(text)
        except ValueError:
            return _parse_general(text)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value if value.tzinfo is UTC else value.astimezone(UTC)
else:  # pragma: no cover - Python 3.10 has no 'Z' or 7-digit fractions in fromisoformat
    parse_timestamp = _parse_general


def parse_utc_naive(text: str) -> datetime:
    """The UTC moment of an Act! timestamp as a naive datetime: what a warehouse cell gets. The SDK encodes a naive
    datetime in a UTC_DATETIME column as UTC, to the same bytes as the aware one, with less work per cell; and the
    common `...Z` form parses without a time zone at all (tests/unit/test_cell_encoding.py proves the bytes)."""
    if text[-1:] == "Z":
        try:
            value = datetime.fromisoformat(text[:-1])
        except ValueError:
            pass
        else:
            if value.tzinfo is None:
                return value
    return parse_timestamp(text).replace(tzinfo=None)


def format_timestamp(value: datetime) -> str:
    """An aware datetime as .NET writes it: `Z`, fraction as 7 digits with trailing zeros trimmed."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond * 10:07d}".rstrip("0")
    return text + "Z"


def shift_timestamp(text: str, seconds: float) -> str:
    """`text` moved by `seconds` (negative: earlier). Used for the overlap below a cursor, where the seventh
    digit does not matter because the window only grows."""
    return format_timestamp(parse_timestamp(text) + timedelta(seconds=seconds))


def parse_http_date(header: str | None) -> datetime | None:
    """An HTTP date (`Date`, `Retry-After`) as an aware datetime, or None if absent or unreadable."""
    if not header:
        return None
    try:
        value = parsedate_to_datetime(header.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def http_date_to_timestamp(header: str | None) -> str | None:
    """The server clock from an HTTP `Date` header (second precision), or None if absent or unreadable."""
    value = parse_http_date(header)
    return None if value is None else format_timestamp(value)


def now_timestamp() -> str:
    return format_timestamp(datetime.now(UTC))
