"""OData queries for keyset paging: each page starts strictly after the last row of the one before.

Two orders serve two kinds of pass. An incremental pass reads in (cursor field, id) order from a lower bound and
has no upper bound: a record edited while the table is paged gets a later stamp, moves behind the position and is
read again in the same pass, so the pass's last row carries the newest stamp the data's own clock has written.
A full pass (and a delete check) reads in id order, which never moves while records are edited, so every id
present for the whole pass is read exactly once. Keyset paging, unlike `$skip`, neither skips nor repeats rows
when records are inserted, edited or deleted meanwhile, and a short page (servers cap `$top`) says nothing about
the end: only an empty page does.
"""

from __future__ import annotations

import re
from typing import Any

from .typed_records import RECORD_TYPES

# a GUID as Act! or a user may write it (braced or not, any case); group 1 is the GUID without its braces
GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")

Position = dict[str, Any]  # {"cursor": "...", "id": ...} in cursor order, {"id": ...} in id order


def odata_literal(value: object) -> str:
    """A value as an OData URI literal: GUIDs bare (braces dropped), numbers bare, other strings quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    guid = GUID.match(text)
    if guid:
        return guid.group(1)
    return "'" + text.replace("'", "''") + "'"


def _join(*conditions: str | None) -> str | None:
    present = [condition for condition in conditions if condition]
    if not present:
        return None
    return " and ".join(f"({c})" if " or " in c else c for c in present)


def cursor_order_query(cursor_field: str, lower: str, after: Position | None, top: int) -> dict[str, str]:
    """The next page of an incremental pass: rows with `cursor_field` at or after `lower`, after `after`."""
    params = {"$top": str(top), "$orderby": f"{cursor_field} asc,id asc"}
    if after is None:
        params["$filter"] = f"{cursor_field} ge {lower}"
    else:
        cursor, last_id = after["cursor"], odata_literal(after["id"])
        params["$filter"] = f"{cursor_field} gt {cursor} or ({cursor_field} eq {cursor} and id gt {last_id})"
    return params


def id_order_query(
    after: Position | None, top: int, since: tuple[str, str] | None = None, select: list[str] | None = None
) -> dict[str, str]:
    """The next page of a full pass or delete check: rows in id order after `after`; `since` = (cursor field,
    start date) keeps the rows a sync replicates (`default_start_date`), `select` narrows the fields."""
    params = {"$top": str(top), "$orderby": "id asc"}
    condition = _join(
        f"{since[0]} ge {since[1]}" if since else None,
        f"id gt {odata_literal(after['id'])}" if after is not None else None,
    )
    if condition:
        params["$filter"] = condition
    if select:
        params["$select"] = ",".join(select)
    return params


def newest_stamp_query(cursor_field: str) -> dict[str, str]:
    """One row: the newest stamp the table holds now, on the data's own clock (a full pass starts from it)."""
    return {"$top": "1", "$orderby": f"{cursor_field} desc,id desc", "$select": f"id,{cursor_field}"}


def last_position(page: list[Any], cursor_field: str | None) -> Position | None:
    """The keyset position after `page`: its last row that has an id (and a cursor value, in cursor order)."""
    for record in reversed(page):
        if not isinstance(record, RECORD_TYPES) or record.get("id") is None:
            continue
        if cursor_field is None:
            return {"id": record["id"]}
        cursor = record.get(cursor_field)
        if isinstance(cursor, str):
            return {"cursor": cursor, "id": record["id"]}
    return None
