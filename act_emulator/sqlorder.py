"""How SQL Server (behind the Act! Web API) orders values, as sort keys Python can compare.

`uniqueidentifier` does not sort like its text: SQL Server compares the 16 bytes of the .NET `Guid.ToByteArray()`
layout in the order 10-15, 8-9, 6-7, 4-5, 0-3 (the last 6 bytes first; `System.Data.SqlTypes.SqlGuid` does the
same). A keyset walk `id gt K` must follow that order or it skips and repeats records, so the emulator keeps this
key for every GUID it serves and compares. The connector can import `guid_sort_key` to reason about the same order.
"""

from __future__ import annotations

import uuid

# Byte positions of Guid.ToByteArray() (== uuid.UUID.bytes_le) from most to least significant for SQL Server.
SQL_GUID_BYTE_ORDER = (10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3)
MIN_GUID_KEY = b""  # sorts before every 16-byte key
MAX_GUID_KEY = b"\xff" * 17  # sorts after every 16-byte key


def guid_sort_key(text: str) -> bytes:
    """16 bytes that compare (as Python bytes) in SQL Server `uniqueidentifier` order. ValueError if not a GUID."""
    if len(text) == 36 and text[8] == text[13] == text[18] == text[23] == "-":
        h = text[:8] + text[9:13] + text[14:18] + text[19:23] + text[24:]  # fast path: canonical text
        try:
            return bytes.fromhex(
                h[20:32] + h[16:20] + h[14:16] + h[12:14] + h[10:12] + h[8:10] + h[6:8] + h[4:6] + h[2:4] + h[0:2]
            )
        except ValueError:
            pass
    raw = uuid.UUID(text.strip("{}")).bytes_le
    return bytes(raw[i] for i in SQL_GUID_BYTE_ORDER)


def try_guid_sort_key(value: object) -> bytes | None:
    """`guid_sort_key` for a value that may be anything; None when it is not a GUID string."""
    if not isinstance(value, str):
        return None
    try:
        return guid_sort_key(value)
    except ValueError:
        return None


def string_sort_key(text: str) -> str:
    """Act! databases use a case-insensitive collation: 'smith' equals 'Smith' and sorts with it."""
    return text.casefold()
