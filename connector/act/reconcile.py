"""Hard deletes. The Act! Web API has no feed of deleted records, so at an interval (`delete_reconciliation_hours`)
each table's ids are walked (`$select=id,created`, ordered by id, which never moves) and compared with the walk
before, through a fixed-size sketch of the ids (id_sketch.py): the ids that were there and are gone are deleted
(`_fivetran_deleted = TRUE`), exactly those. Ids created since the previous walk are left out of the comparison, so
only deletions have to fit in the sketch. Deletes are written only once a walk is complete, so no committed
checkpoint ever marks a live record deleted; a walk killed midway resumes from its last page.

Cost: one request per `batch_size` ids per table per interval, reading two fields of each record; state: a few KB
per table, whatever its size.
"""
from __future__ import annotations

import time

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .id_sketch import IdSketch, id_to_key, key_to_id
from .keyset import odata_literal
from .timestamps import parse_timestamp, shift_timestamp

SECTION = "reconciliation"


def is_due(entry: dict, hours: float) -> bool:
    if hours <= 0:
        return False
    if entry.get("walk"):
        return True  # an unfinished walk always resumes
    last = entry.get("finished_at")
    return last is None or time.time() - last >= hours * 3600


def reconcile_table(spec, path: str, ctx) -> None:
    """One reconciliation walk of `spec`'s table (resumed if one was left unfinished)."""
    entries = ctx.state.section(SECTION)
    entry = entries.get(spec.name, {})
    walk = entry.get("walk") or {"after": None, "seen": 0, "all": IdSketch().dumps(), "old": IdSketch().dumps()}
    baseline = IdSketch.loads(entry["sketch"]) if entry.get("sketch") else None
    baseline_as_of = parse_timestamp(entry["as_of"]) if entry.get("as_of") else None
    current_all, current_old = IdSketch.loads(walk["all"]), IdSketch.loads(walk["old"])
    after, seen = walk["after"], walk["seen"]
    select = "id" + (f",{spec.created_field}" if spec.created_field else "")
    while True:
        params = {"$select": select, "$orderby": "id asc", "$top": str(ctx.batch_size)}
        if after is not None:
            params["$filter"] = f"id gt {odata_literal(after)}"
        page = ctx.client.get_collection(path, params)
        if not page:
            break
        for record in page:
            key = id_to_key(record.get("id")) if isinstance(record, dict) else None
            if key is None:
                continue
            current_all.add(key)
            if baseline_as_of is None or _created_by(record.get(spec.created_field), baseline_as_of):
                current_old.add(key)
            after = record["id"]
            seen += 1
        walk = {"after": after, "seen": seen, "all": current_all.dumps(), "old": current_old.dumps()}
        ctx.state.set_section(SECTION, {**ctx.state.section(SECTION), spec.name: {**entry, "walk": walk}})
        op.checkpoint(ctx.state.snapshot())
    deleted = _deleted_ids(spec.name, baseline, current_old, seen, entry.get("count", 0))
    for record_id in deleted:
        op.delete(spec.name, {"id": record_id})
    # Every id in this walk was created before the server's clock at its end; one second covers the Date header's
    # rounding, so the next walk's "created since" cut never leaves out an id this sketch holds.
    as_of = shift_timestamp(ctx.client.server_time or ctx.sync_upper_bound, 1)
    done = {"sketch": current_all.dumps(), "as_of": as_of, "count": seen, "finished_at": time.time()}
    ctx.state.set_section(SECTION, {**ctx.state.section(SECTION), spec.name: done})
    op.checkpoint(ctx.state.snapshot())
    log.info(f"{spec.name}: delete check walked {seen} ids, {len(deleted)} deleted in Act! marked deleted")


def _created_by(value, moment) -> bool:
    """True unless `value` is a readable timestamp after `moment` (unknown creation counts as old: at worst an id
    is listed as new, never as deleted)."""
    if not isinstance(value, str):
        return True
    try:
        return parse_timestamp(value) <= moment
    except ValueError:
        return True


def _deleted_ids(table: str, baseline: IdSketch | None, current_old: IdSketch, seen: int, baseline_count: int) -> list[str]:
    if baseline is None:
        log.info(f"{table}: first delete check, {seen} ids recorded; deletions from now on will be found")
        return []
    if seen == 0 and baseline_count > 0:
        log.warning(f"{table}: the delete check found no records at all where {baseline_count} were; nothing is marked "
                    f"deleted (check the Act! user's permissions)")
        return []
    difference = baseline.subtract(current_old).peel()
    if difference is None:
        log.warning(f"{table}: more records were deleted since the last check than its sketch can list; they stay "
                    f"live until a historical re-sync of the table (lower 'delete_reconciliation_hours' to check "
                    f"more often)")
        return []
    gone, _ = difference
    return sorted(key_to_id(key) for key in gone)
