"""How the server writes GUID ids: `lower` (`5f0c…`), `upper` (`5F0C…`) or `braced` (`{5f0c…}`).

SQL Server hands `uniqueidentifier` values to .NET as `Guid`s, and what text reaches the client depends on the
server's serialiser: most Act! servers write lower case, some upper case, and a few .NET `Guid.ToString("B")`
braces. A client that compares ids as text (a primary key, a parent reference, a keyset position) must cope with
all of them, and comparisons on the server stay `uniqueidentifier` comparisons whatever the text. The store keeps
ids lower case internally (its dictionary keys) and renders every GUID in the bytes it serves in the chosen form.
"""

from __future__ import annotations

import re

ID_FORMATS = ("lower", "upper", "braced")
_GUID = re.compile(rb"\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?")


def check(id_format: str) -> str:
    """The format, or ValueError naming the known ones."""
    if id_format not in ID_FORMATS:
        raise ValueError(f"id_format must be one of {', '.join(ID_FORMATS)}, got {id_format!r}")
    return id_format


def format_id(value, id_format: str):
    """One id as the server writes it (ints, the ids of task types, are left alone)."""
    if not isinstance(value, str):
        return value
    text = value.strip("{}").lower()
    if id_format == "upper":
        return text.upper()
    if id_format == "braced":
        return "{" + text + "}"
    return text


def _lower(match: re.Match) -> bytes:
    return match.group(1).lower()


def _upper(match: re.Match) -> bytes:
    return match.group(1).upper()


def _braced(match: re.Match) -> bytes:
    return b"{" + match.group(1).lower() + b"}"


_REWRITERS = {"lower": _lower, "upper": _upper, "braced": _braced}


def render(blob: bytes, id_format: str) -> bytes:
    """`blob` (serialised JSON) with every GUID in it written in `id_format`, whatever form it had."""
    return _GUID.sub(_REWRITERS[id_format], blob)
