"""Delete checks. The Act! Web API has no feed of deleted records, so every `delete_reconciliation_hours` each
incremental table's ids are walked in id order (`$select` of the id, its creation stamp and the embedded arrays
its selected link tables come from) and compared with the last walk through fixed-size sketches (baseline.py).
Exactly what is gone is marked deleted; ids that came back (a record made public again with its old stamp, or
one created back-dated) are read and written again. Nothing is written until the walk is complete, so no
committed checkpoint ever marks a live row deleted, and a walk killed midway resumes from its last page.

When the difference is too large for a sketch to list (a mass delete), the check says so and the table is read
whole in the same sync under a deferred truncate: exact at any volume.

Cost: one request per `batch_size` ids reading a few fields of each record, and the state keeps a few KB per
table whatever its size.
"""

from __future__ import annotations

import time
from typing import Any

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .baseline import Baseline, Difference, compare, sketch_records
from .keyset import id_order_query, odata_literal
from .pages import PageReader
from .table_run import SyncContext, TableRun, replicated_since, write_page

SECTION = "reconciliation"
REFETCH_BATCH = 40  # ids per `id eq ... or id eq ...` request
MAX_REFETCH = 2_000


def is_due(entry: dict[str, Any], hours: float) -> bool:
    if hours <= 0:
        return False
    if entry.get("walk"):
        return True  # an unfinished walk always resumes
    last = entry.get("finished_at")
    return last is None or time.time() - last >= hours * 3600


def delete_check(run: TableRun, ctx: SyncContext) -> str | None:
    """Walks the table's ids and marks exactly the deleted ones; returns why a full re-read is needed instead, or
    None when the check was exact."""
    spec = run.spec
    entry = ctx.state.entry(SECTION, spec.name)
    links = run.links.specs if run.links else []
    if not entry.get("baseline"):
        return "no delete-check baseline yet"
    saved = Baseline.loads(entry["baseline"], spec.created_field, links)
    walk = entry.get("walk") or {}
    if walk:
        old = Baseline.loads(walk["old"], spec.created_field, saved.links)
        new = Baseline.loads(walk["new"], spec.created_field, links)
    else:
        old = Baseline(saved.cutoff, spec.created_field, saved.links)
        new = Baseline(ctx.state.cursor(spec.name), spec.created_field, links)
    fields = ["id", *([spec.created_field] if spec.created_field else []), *(link.array_field for link in links)]
    since = replicated_since(spec, ctx)
    reader = PageReader(
        ctx.client,
        run.path,
        lambda position, top: id_order_query(position, top, since, fields),
        top=ctx.batch_size,
        position_field=None,
        downloads=ctx.downloads,
        confirm_end=True,
        table=spec.name,
    )
    for page, position in reader.pages(walk.get("after")):
        sketch_records(page, [old, new])
        walk = {"after": position, "old": old.dumps(), "new": new.dumps()}
        ctx.state.set_entry(SECTION, spec.name, {**entry, "walk": walk})
        if reader.page_worth_a_checkpoint:
            op.checkpoint(ctx.state.snapshot())
    if new.count == 0 and saved.count > 0:
        return f"the delete check found no records where there were {saved.count}"
    difference = compare(saved, old)
    if difference is None:
        return "more records were deleted since the last delete check than it can list"
    if len(difference.returned) + len(difference.parents_with_new_links) > MAX_REFETCH:
        return "more records came back since the last delete check than are worth reading one by one"
    _apply(run, ctx, difference)
    ctx.state.set_entry(SECTION, spec.name, {"baseline": new.dumps(), "finished_at": time.time()})
    op.checkpoint(ctx.state.snapshot())
    removed_links = sum(len(pairs) for pairs in difference.deleted_links.values())
    log.info(
        f"{spec.name}: delete check walked {new.count} ids, {len(difference.deleted)} deleted in Act! marked "
        f"deleted, {len(difference.returned)} back again"
        + (f", {removed_links} removed links marked deleted" if links else "")
    )
    return None


def _apply(run: TableRun, ctx: SyncContext, difference: Difference) -> None:
    spec = run.spec
    for record_id in difference.deleted:
        op.delete(spec.name, {"id": record_id})
    links = {link.table: link for link in (run.links.specs if run.links else [])}
    for table, pairs in difference.deleted_links.items():
        link = links[table]
        for parent_id, linked_id in pairs:
            op.delete(table, {link.parent_key: parent_id, link.child_key: linked_id})
    again = sorted(set(difference.returned) | difference.parents_with_new_links)
    for start in range(0, len(again), REFETCH_BATCH):
        batch = again[start : start + REFETCH_BATCH]
        query = {"$filter": " or ".join(f"id eq {odata_literal(i)}" for i in batch), "$top": str(len(batch))}
        write_page(run, ctx.client.get_collection(run.path, query), ctx)
