"""Hard deletes. The Act! Web API has no feed of deleted records, so at an interval (`delete_reconciliation_hours`)
each table's ids are walked (`$select=id,created` plus the embedded arrays its selected link tables come from,
ordered by id, which never moves) and compared with the walk before, through fixed-size sketches of the ids and of
the (parent, linked) pairs (id_sketch.py): what was there and is gone is deleted (`_fivetran_deleted = TRUE`),
exactly that. Records created since the previous walk are left out of the comparison, so mostly deletions have to
fit in a sketch. Deletes are written only once a walk is complete, so no committed checkpoint ever marks a live row
deleted; a walk killed midway resumes from its last page.

Cost: one request per `batch_size` ids per table per interval, reading a few fields of each record; state: a few KB
per table and link table, whatever their size.
"""

from __future__ import annotations

import time

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .id_sketch import IdSketch, id_to_key, key_to_id, key_to_link, link_to_key
from .keyset import odata_literal
from .tables import LinkSpec
from .timestamps import parse_timestamp, shift_timestamp

SECTION = "reconciliation"
LINK_KEY_BYTES = 32


def is_due(entry: dict, hours: float) -> bool:
    if hours <= 0:
        return False
    if entry.get("walk"):
        return True  # an unfinished walk always resumes
    last = entry.get("finished_at")
    return last is None or time.time() - last >= hours * 3600


class _Walk:
    """The sketches a walk builds: of every id (the next baseline) and of the ids created before the last walk
    (compared with it), and the same two for each link table."""

    def __init__(self, saved: dict | None, links: list[LinkSpec]) -> None:
        saved = saved or {}
        self.after, self.seen = saved.get("after"), saved.get("seen", 0)
        self.all = _load(saved.get("all"))
        self.old = _load(saved.get("old"))
        self.links_all = {
            link.table: _load((saved.get("links_all") or {}).get(link.table), LINK_KEY_BYTES) for link in links
        }
        self.links_old = {
            link.table: _load((saved.get("links_old") or {}).get(link.table), LINK_KEY_BYTES) for link in links
        }

    def dumps(self) -> dict:
        return {
            "after": self.after,
            "seen": self.seen,
            "all": self.all.dumps(),
            "old": self.old.dumps(),
            "links_all": {t: s.dumps() for t, s in self.links_all.items()},
            "links_old": {t: s.dumps() for t, s in self.links_old.items()},
        }


def _load(text: str | None, key_bytes: int = 16) -> IdSketch:
    return IdSketch.loads(text) if text else IdSketch(key_bytes=key_bytes)


def reconcile_table(spec, path: str, ctx, links: list[LinkSpec]) -> None:
    """One reconciliation walk of `spec`'s table and its selected link tables (resumed if left unfinished)."""
    entry = ctx.state.section(SECTION).get(spec.name, {})
    walk = _Walk(entry.get("walk"), links)
    as_of = parse_timestamp(entry["as_of"]) if entry.get("as_of") else None
    fields = ["id"] + ([spec.created_field] if spec.created_field else []) + [link.array_field for link in links]
    while True:
        params = {"$select": ",".join(fields), "$orderby": "id asc", "$top": str(ctx.batch_size)}
        if walk.after is not None:
            params["$filter"] = f"id gt {odata_literal(walk.after)}"
        page = ctx.client.get_collection(path, params)
        if not page:
            break
        for record in page:
            key = id_to_key(record.get("id")) if isinstance(record, dict) else None
            if key is None:
                continue
            old = as_of is None or _created_by(record.get(spec.created_field), as_of)
            _add(walk.all, walk.old, key, old)
            for link in links:
                for item in record.get(link.array_field) or []:
                    pair = link_to_key(record["id"], item.get("id")) if isinstance(item, dict) else None
                    if pair is not None:
                        _add(walk.links_all[link.table], walk.links_old[link.table], pair, old)
            walk.after = record["id"]
            walk.seen += 1
        _save(ctx, spec.name, {**entry, "walk": walk.dumps()})
        op.checkpoint(ctx.state.snapshot())
    deleted = _gone(spec.name, entry.get("sketch"), walk.old, walk.seen, entry.get("count", 0))
    for key in deleted:
        op.delete(spec.name, {"id": key_to_id(key)})
    link_deletes = 0
    for link in links:
        gone = _gone(
            link.table,
            (entry.get("links") or {}).get(link.table),
            walk.links_old[link.table],
            walk.seen,
            entry.get("count", 0),
        )
        for key in gone:
            parent_id, linked_id = key_to_link(key)
            op.delete(link.table, {link.parent_key: parent_id, link.child_key: linked_id})
        link_deletes += len(gone)
    # Every id in this walk was created before the server's clock at its end; one second covers the Date header's
    # rounding, so the next walk's "created since" cut never leaves out an id this sketch holds.
    done = {
        "sketch": walk.all.dumps(),
        "links": {t: s.dumps() for t, s in walk.links_all.items()},
        "as_of": shift_timestamp(ctx.client.server_time or ctx.sync_upper_bound, 1),
        "count": walk.seen,
        "finished_at": time.time(),
    }
    _save(ctx, spec.name, done)
    op.checkpoint(ctx.state.snapshot())
    log.info(
        f"{spec.name}: delete check walked {walk.seen} ids, {len(deleted)} deleted in Act! marked deleted"
        + (f", {link_deletes} removed links marked deleted" if links else "")
    )


def _add(every: IdSketch, old: IdSketch, key: int, is_old: bool) -> None:
    every.add(key)
    if is_old:
        old.add(key)


def _save(ctx, table: str, entry: dict) -> None:
    ctx.state.set_entry(SECTION, table, entry)


def _created_by(value, moment) -> bool:
    """True unless `value` is a readable timestamp after `moment` (unknown creation counts as old: at worst an id
    is listed as new, never as deleted)."""
    if not isinstance(value, str):
        return True
    try:
        return parse_timestamp(value) <= moment
    except ValueError:
        return True


def _gone(table: str, baseline_text: str | None, current_old: IdSketch, seen: int, baseline_count: int) -> list[int]:
    """The keys in the last walk's sketch that this walk did not find."""
    if not baseline_text:
        log.info(f"{table}: first delete check, {seen} records recorded; deletions from now on will be found")
        return []
    if seen == 0 and baseline_count > 0:
        log.warning(
            f"{table}: the delete check found no records at all where {baseline_count} were; nothing is marked "
            f"deleted (check the Act! user's permissions)"
        )
        return []
    difference = IdSketch.loads(baseline_text).subtract(current_old).peel()
    if difference is None:
        log.warning(
            f"{table}: more rows were deleted since the last delete check than its sketch can list; they stay "
            f"live until a historical re-sync of the table (lower 'delete_reconciliation_hours' to check "
            f"more often)"
        )
        return []
    return sorted(difference[0])
