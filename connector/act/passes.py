"""The two passes a table's sync is made of, both resumable from the last checkpointed page.

An incremental pass reads, in (cursor, id) order, the records stamped at or after the table's cursor minus
`cursor_overlap_seconds` (late commits), with no upper bound; its new cursor is the newest stamp it read, so the
position follows the data's own clock. A full pass reads the table in id order, with its child and link tables,
under a deferred truncate called once at its start (never again when it resumes): when the sync ends well, every
row it did not send again is marked deleted. It also records what the next delete check compares with, and
its table's cursor becomes the newest stamp the table held when it started (edits made while it ran are read by
the next incremental pass).
"""

from __future__ import annotations

import time
from typing import Any

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .baseline import Baseline
from .custom_fields import STATE_SECTION as CUSTOM_FIELD_COLUMNS
from .data_clock import later_stamp
from .deferred_truncate import truncate_when_sync_ends_well
from .errors import SyncFailed
from .keyset import cursor_order_query, id_order_query, newest_stamp_query
from .pages import PageReader
from .table_run import SyncContext, TableRun, log_progress, replicated_since, write_page
from .timestamps import shift_timestamp


def incremental_pass(run: TableRun, ctx: SyncContext) -> None:
    spec = run.spec
    assert spec.cursor_field is not None
    tracking = ctx.state.tracking(spec.name) or {}
    if tracking.get("mode", "incremental") == "incremental" and tracking.get("lower_bound"):
        lower, after = tracking["lower_bound"], tracking.get("keyset")
        log.info(f"{spec.name}: resuming an unfinished pass after {tracking.get('batch_count', 0)} pages")
    else:
        cursor = ctx.state.cursor(spec.name)
        lower = ctx.default_start if cursor is None else shift_timestamp(cursor, -ctx.overlap_seconds)
        after, tracking = None, {}
    skip, batch_count = tracking.get("skip", 0), tracking.get("batch_count", 0)
    field_name = spec.cursor_field
    reader = PageReader(
        ctx.client,
        run.path,
        lambda position, top: cursor_order_query(field_name, lower, position, top),
        top=ctx.batch_size,
        position_field=field_name,
        downloads=ctx.downloads,
        confirm_end=False,
        table=spec.name,
        typed=run.typed,
    )
    for page, position in reader.pages(after):
        skip += write_page(run, page, ctx)
        batch_count += 1
        after = position
        ctx.clock.note_read(spec.name, position["cursor"])
        ctx.state.set_tracking(
            spec.name,
            {"mode": "incremental", "skip": skip, "batch_count": batch_count, "keyset": after, "lower_bound": lower},
        )
        if reader.page_worth_a_checkpoint:
            op.checkpoint(ctx.state.snapshot())
        log_progress(run)
    newest = later_stamp(ctx.state.cursor(spec.name), after["cursor"] if after else None)
    ctx.state.complete(spec.name, ctx.clock.safe_cursor(newest) if newest else None)
    op.checkpoint(ctx.state.snapshot())


def _start_full_pass(run: TableRun, ctx: SyncContext, reason: str) -> dict[str, Any]:
    """Records the full pass in the state before its deferred truncates are called (`_truncate`).

    The order matters: whenever the runner keeps a deferred truncate of a table (another thread's checkpoint may
    save it at any moment), the state already says that table's full pass is under way, so the next sync
    finishes the pass instead of letting the truncate delete rows that were never read again."""
    spec = run.spec
    probe = None
    if spec.cursor_field:
        newest = run.newest_stamp  # asked at the start of this sync (act/api_paths.py): earlier is on the safe side
        if newest is None:
            newest = ctx.client.get_collection(run.path, newest_stamp_query(spec.cursor_field))
        run.newest_stamp = None
        stamps = [r.get(spec.cursor_field) for r in newest if isinstance(r, dict)]
        probe = next((s for s in stamps if isinstance(s, str)), None)
        if probe:
            ctx.clock.note_read(spec.name, probe)
    tracking: dict[str, Any] = {
        "mode": "full",
        "reason": reason,
        "tables": [spec.name, *run.dependents],
        "probe": probe,
        "truncated": False,
        "skip": 0,
        "batch_count": 0,
        "keyset": None,
    }
    if run.keep_baseline:
        links = run.links.specs if run.links else []
        tracking["baseline"] = Baseline(probe, spec.created_field, links).dumps()
    ctx.state.set_tracking(spec.name, tracking)
    return tracking


def _truncate(ctx: SyncContext, table: str, tracking: dict[str, Any]) -> None:
    """The deferred truncates of a full pass, called before its first page and, if a sync died before it said
    they were called, again (no row of the pass was written yet, so a later cut-off loses nothing)."""
    for name in tracking["tables"]:
        truncate_when_sync_ends_well(name)
    tracking["truncated"] = True
    ctx.state.set_tracking(table, tracking)
    op.checkpoint(ctx.state.snapshot())
    log.info(
        f"{table}: full re-read ({tracking['reason']}) of {', '.join(tracking['tables'])}; the rows it does "
        f"not read again are marked deleted when the sync ends well"
    )


def full_pass(run: TableRun, ctx: SyncContext, reason: str) -> None:
    spec = run.spec
    tracking = ctx.state.tracking(spec.name)
    if tracking and tracking.get("mode") == "full":
        log.info(
            f"{spec.name}: resuming its full re-read ({tracking.get('reason')}) after "
            f"{tracking.get('batch_count', 0)} pages"
        )
    else:
        tracking = _start_full_pass(run, ctx, reason)
    if not tracking.get("truncated"):
        _truncate(ctx, spec.name, tracking)
    links = run.links.specs if run.links else []
    baseline = Baseline.loads(tracking["baseline"], spec.created_field, links) if tracking.get("baseline") else None
    since = replicated_since(spec, ctx)
    reader = PageReader(
        ctx.client,
        run.path,
        lambda position, top: id_order_query(position, top, since),
        top=ctx.batch_size,
        position_field=None,
        downloads=ctx.downloads,
        confirm_end=True,
        table=spec.name,
        typed=run.typed,
        ends_small=True,
    )
    for page, position in reader.pages(tracking.get("keyset")):
        tracking["skip"] += write_page(run, page, ctx, full_pass=True, baseline=baseline)
        tracking["batch_count"] += 1
        tracking["keyset"] = position
        if baseline is not None:
            tracking["baseline"] = baseline.dumps()
        ctx.state.set_tracking(spec.name, tracking)
        if reader.page_worth_a_checkpoint:
            op.checkpoint(ctx.state.snapshot())
        log_progress(run)
    _finish_full_pass(run, ctx, tracking, baseline)


def _finish_full_pass(run: TableRun, ctx: SyncContext, tracking: dict[str, Any], baseline: Baseline | None) -> None:
    spec, rows = run.spec, tracking["skip"]
    before = (ctx.state.full_pass(spec.name) or {}).get("rows", 0)
    if rows == 0 and before:
        raise SyncFailed(
            f"{spec.name}: its full re-read found no records where the last one found {before}; nothing is marked "
            f"deleted. Check that the Act! user can still read them (the next sync tries again)"
        )
    if rows == 0:
        ctx.guard.suspicious(f"{spec.name}: a full read returned no records")
    cursor = None
    if spec.cursor_field:
        probe = tracking.get("probe")
        cursor = ctx.clock.safe_cursor(probe) if probe else ctx.state.cursor(spec.name) or ctx.default_start
    entry = {
        "finished_at": time.time(),
        "rows": rows,
        "reason": tracking.get("reason"),
        "tables": [t for t in tracking["tables"] if t in ctx.selected],
    }
    reconciliation = None
    if baseline is not None:
        reconciliation = {"baseline": baseline.dumps(), "finished_at": time.time()}
    ctx.state.finish_full_pass(spec.name, cursor, entry, reconciliation)
    for table, columns in run.new_custom_field_columns.items():
        ctx.state.set_entry(CUSTOM_FIELD_COLUMNS, table, columns)
    op.checkpoint(ctx.state.snapshot())
    log.info(f"{spec.name}: full re-read complete, {rows} rows")
