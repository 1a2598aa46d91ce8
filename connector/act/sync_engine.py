"""The sync engine: what each table does in a sync, and the tables run in parallel.

A table's sync is one of two passes. Usually an incremental pass (passes.py): the records edited since its
cursor, then, when one is due, a delete check (reconcile.py). A full pass instead reads the table whole under a
deferred truncate when there is a reason to (its first sync, the weekly re-read, a child or link table switched
on, custom fields that changed, a delete check that could not list the deletions, a full-refresh table). Tables
run in parallel threads (the SDK's operations are thread-safe); one failing does not stop the others, whose
progress is checkpointed, but the sync then fails naming every failed table.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .errors import SyncFailed
from .passes import full_pass, incremental_pass
from .reconcile import delete_check
from .table_run import TOO_MANY_EMPTY, SyncContext, TableRun, report_problems

__all__ = ["SyncContext", "SyncFailed", "TableRun", "run_tables"]


def sync_table(run: TableRun, ctx: SyncContext) -> None:
    """One table's sync: a full pass when there is a reason for one, else an incremental pass and, when due, a
    delete check, which falls back to a full pass when it cannot list the deletions exactly."""
    run.started = time.monotonic()
    if run.full_pass_reason:
        full_pass(run, ctx, run.full_pass_reason)
    else:
        incremental_pass(run, ctx)
        if run.check_deletes:
            reason = delete_check(run, ctx)
            if reason:
                full_pass(run, ctx, reason)
    report_problems(run)
    op.checkpoint(ctx.state.snapshot())
    elapsed = max(time.monotonic() - run.started, 1e-9)
    log.info(
        f"{run.spec.name}: complete, {run.rows} rows in {run.pages} pages, {elapsed:.1f}s "
        f"({run.rows / elapsed:,.0f} rows/s)"
    )


def run_tables(runs: list[TableRun], ctx: SyncContext, parallel: int) -> None:
    """Runs every table's sync; one table failing does not stop the others (their progress is checkpointed),
    but the sync then fails with every failing table named."""
    failures: dict[str, BaseException] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="act-table") as tables:
        futures = {tables.submit(sync_table, run, ctx): run for run in runs}
        for future, run in futures.items():
            error = future.exception()
            if error is not None:
                failures[run.spec.name] = error
    if not failures:
        return
    for name, error in failures.items():
        log.error(f"{name}: {error}")
    first = next(iter(failures.values()))
    if isinstance(first, SyncFailed) and str(first) == TOO_MANY_EMPTY:
        raise SyncFailed(TOO_MANY_EMPTY)
    details = "; ".join(f"{name}: {error}" for name, error in failures.items())
    raise SyncFailed(f"Sync failed for {', '.join(failures)} (progress up to the last page is saved): {details}")
