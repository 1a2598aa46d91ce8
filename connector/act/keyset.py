"""OData queries for keyset paging: ordered on the server by (cursor field, id), each page starting strictly after
the last row of the one before.

Keyset paging, unlike `$skip`, neither skips nor repeats rows when records are inserted, edited or deleted while
a table is paged, and a short page (servers cap `$top`) says nothing about the end: only an empty page does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def odata_literal(value) -> str:
    """A value as an OData URI literal: GUIDs and numbers bare, other strings quoted with '' escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _GUID.match(text):
        return text
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Window:
    """The pass's fixed range of cursor values: lower bound inclusive, upper bound inclusive."""

    lower: str
    upper: str


def page_query(cursor_field: str | None, window: Window | None, after: dict | None, top: int) -> dict:
    """The OData options of the next page. `after` is the last row committed ({"cursor": ..., "id": ...}) or None."""
    params = {"$top": str(top)}
    if cursor_field is None:
        params["$orderby"] = "id asc"
        if after is not None:
            params["$filter"] = f"id gt {odata_literal(after['id'])}"
        return params
    params["$orderby"] = f"{cursor_field} asc,id asc"
    upper = f"{cursor_field} le {window.upper}"
    if after is None:
        params["$filter"] = f"{cursor_field} ge {window.lower} and {upper}"
    else:
        cursor, last_id = after["cursor"], odata_literal(after["id"])
        params["$filter"] = (
            f"({cursor_field} gt {cursor} or ({cursor_field} eq {cursor} and id gt {last_id})) and {upper}"
        )
    return params


def last_position(page: list, cursor_field: str | None) -> dict | None:
    """The keyset position after `page`: its last row that has an id (and a cursor value, when the table has one)."""
    for record in reversed(page):
        if not isinstance(record, dict) or record.get("id") is None:
            continue
        if cursor_field is None:
            return {"id": record["id"]}
        cursor = record.get(cursor_field)
        if isinstance(cursor, str):
            return {"cursor": cursor, "id": record["id"]}
    return None
