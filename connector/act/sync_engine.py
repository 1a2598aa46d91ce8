"""The sync engine: every table, one loop.

For each selected table: page through it with a keyset (see keyset.py) inside a window fixed when its pass
starts, upsert each page, record the position and checkpoint, so a killed sync resumes at the last committed
page. A table's cursor advances only when its pass is complete (an empty page). Tables run in parallel threads
(the SDK's operations are thread-safe) and each prefetches its next page while the current one is written.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .client import ActClient
from .keyset import Window, last_position, page_query
from .links import LinkEmitter
from .reconcile import reconcile_table
from .records import RecordFlattener
from .state import SyncState
from .tables import TableSpec
from .timestamps import shift_timestamp

EMPTY_RESULTS_LIMIT = 3
CHILD_READS_IN_FLIGHT = 4
TOO_MANY_EMPTY = "Too many empty results: check API connectivity and authentication"


class SyncFailed(RuntimeError):
    """The sync cannot complete; the message says why and what to do. Progress up to it is checkpointed."""


class EmptyResultGuard:
    """The original design's fail-safe: empty results that point at a systematic problem (a first full read of a
    table that returns nothing) are counted across the sync, the count resets whenever data arrives, and more than
    three in a row fail the sync. An empty first page of an incremental pass is normal (nothing changed), and so is
    an empty page after a full one (a table whose size is a multiple of the page size): neither is counted. (The
    original design counted the latter; with tables synced in parallel their ends coincide and tripped healthy syncs.)"""

    def __init__(self, limit: int = EMPTY_RESULTS_LIMIT) -> None:
        self.limit = limit
        self.count = 0
        self._lock = threading.Lock()

    def data_arrived(self) -> None:
        with self._lock:
            self.count = 0

    def suspicious(self, what: str) -> None:
        with self._lock:
            self.count += 1
            count = self.count
        log.warning(f"{what} (suspicious empty result {count} in a row; more than {self.limit} fail the sync)")
        if count > self.limit:
            raise SyncFailed(TOO_MANY_EMPTY)


@dataclass
class ChildTable:
    """A collection served per parent record (`/api/opportunities/{id}/products`): read again, whole, for each
    parent record the parent's pass writes, i.e. for the parents that changed."""

    spec: TableSpec
    flattener: RecordFlattener

    def path_for(self, parent_id) -> str:
        return self.spec.path.format(parent_id=parent_id)


@dataclass
class TableRun:
    """What one table's pass needs besides the shared context."""

    spec: TableSpec
    path: str
    flattener: RecordFlattener
    links: LinkEmitter | None = None
    children: list[ChildTable] = field(default_factory=list)
    reconcile: bool = False  # run the delete check after the pass (reconcile.py)
    rows: int = 0
    pages: int = 0
    started: float = 0.0


@dataclass
class SyncContext:
    client: ActClient
    state: SyncState
    batch_size: int
    default_start: str
    overlap_seconds: int
    sync_upper_bound: str  # the server's clock when this sync started
    guard: EmptyResultGuard
    prefetch: ThreadPoolExecutor


def _window(run: TableRun, ctx: SyncContext, tracking: dict | None) -> Window | None:
    if not run.spec.incremental:
        return None
    if tracking and tracking.get("upper_bound") and tracking.get("lower_bound"):
        return Window(tracking["lower_bound"], tracking["upper_bound"])  # a resumed pass keeps its window
    cursor = ctx.state.cursor(run.spec.name)
    lower = ctx.default_start if cursor is None else shift_timestamp(cursor, -ctx.overlap_seconds)
    return Window(lower, ctx.sync_upper_bound)


def sync_table(run: TableRun, ctx: SyncContext) -> None:
    """One table's pass, from where the state says it stopped to an empty page."""
    spec, client = run.spec, ctx.client
    run.started = time.monotonic()
    tracking = ctx.state.tracking(spec.name) or {}
    window = _window(run, ctx, tracking)
    after = tracking.get("keyset")
    first_sync = spec.incremental and ctx.state.cursor(spec.name) is None
    skip, batch_count = tracking.get("skip", 0), tracking.get("batch_count", 0)
    if after:
        log.info(f"{spec.name}: resuming an unfinished pass after {batch_count} pages ({skip} rows)")

    def fetch(position):
        return client.get_collection(run.path, page_query(spec.cursor_field, window, position, ctx.batch_size))

    pending: Future = ctx.prefetch.submit(fetch, after)
    try:
        while True:
            page = pending.result()
            if not page:
                if run.pages == 0 and not after and (first_sync or not spec.incremental):
                    ctx.guard.suspicious(f"{spec.name}: a full read returned no records")
                break
            position = last_position(page, spec.cursor_field)
            if position is None:
                raise SyncFailed(
                    f"{spec.name}: a page of {len(page)} records had no record with both an id and "
                    f"'{spec.cursor_field or 'id'}', so paging cannot go on; check the Act! server's data"
                )
            if position == after:
                raise SyncFailed(
                    f"{spec.name}: the server returned the same page twice; paging stopped to avoid a loop"
                )
            pending = ctx.prefetch.submit(fetch, position)  # the next page downloads while this one is written
            ctx.guard.data_arrived()
            emitted = _emit_page(run, page)
            for child in run.children:
                _emit_children(child, page, ctx)
            after, skip, batch_count = position, skip + emitted, batch_count + 1
            run.rows += emitted
            run.pages += 1
            ctx.state.set_tracking(
                spec.name,
                {
                    "skip": skip,
                    "batch_count": batch_count,
                    "keyset": after,
                    **({"lower_bound": window.lower, "upper_bound": window.upper} if window else {}),
                },
            )
            op.checkpoint(ctx.state.snapshot())
            _log_progress(run)
    finally:
        pending.cancel()
    ctx.state.complete(spec.name, window.upper if window else None)
    _report_problems(run)
    op.checkpoint(ctx.state.snapshot())
    elapsed = max(time.monotonic() - run.started, 1e-9)
    log.info(
        f"{spec.name}: complete, {run.rows} rows in {run.pages} pages, {elapsed:.1f}s "
        f"({run.rows / elapsed:,.0f} rows/s)"
    )


def _emit_page(run: TableRun, page: list) -> int:
    """Upserts a page's records; returns how many were written. Records without an id cannot be keyed and are
    counted as problems instead of failing the sync."""
    table, flatten, upsert = run.spec.name, run.flattener.flatten, op.upsert
    links = run.links
    written = 0
    for record in page:
        if type(record) is not dict or record.get("id") is None:
            run.flattener.problems.add("a record without an id was skipped")
            continue
        upsert(table, flatten(record))
        if links is not None:
            links.emit(record)
        written += 1
    return written


def _emit_children(child: ChildTable, page: list, ctx: SyncContext) -> None:
    """Reads and writes the child records of every parent in `page`, a few reads in flight at a time; on a failure
    the reads not yet started are dropped, so a dead server fails the table instead of retrying every parent."""
    parent_ids = [record["id"] for record in page if type(record) is dict and record.get("id") is not None]
    table, flatten, problems = child.spec.name, child.flattener.flatten, child.flattener.problems
    in_flight: deque[Future] = deque()

    def write_next() -> None:
        for record in in_flight.popleft().result():
            if type(record) is not dict or record.get("id") is None:
                problems.add("a record without an id was skipped")
                continue
            op.upsert(table, flatten(record))

    try:
        for parent_id in parent_ids:
            in_flight.append(ctx.prefetch.submit(ctx.client.get_collection, child.path_for(parent_id)))
            if len(in_flight) >= CHILD_READS_IN_FLIGHT:
                write_next()
        while in_flight:
            write_next()
    finally:
        for future in in_flight:
            future.cancel()


def _log_progress(run: TableRun) -> None:
    elapsed = max(time.monotonic() - run.started, 1e-9)
    log.info(f"{run.spec.name}: page {run.pages}, {run.rows} rows, {run.rows / elapsed:,.0f} rows/s")


def _report_problems(run: TableRun) -> None:
    for name, flattener in [(run.spec.name, run.flattener)] + [(c.spec.name, c.flattener) for c in run.children]:
        for what, count in flattener.problems.take().items():
            log.warning(f"{name}: {count} record(s): {what}")
        for column, source in flattener.extra_columns.items():
            log.warning(
                f"{name}: the server sent '{source}', which the Act! model does not define; "
                f"it lands in column '{column}'"
            )
        flattener.extra_columns.clear()


def run_tables(runs: list[TableRun], ctx: SyncContext, parallel: int) -> None:
    """Runs every table's pass; one table failing does not stop the others (their progress is checkpointed),
    but the sync then fails with every failing table named."""
    failures: dict[str, BaseException] = {}

    def table_job(run: TableRun) -> None:
        sync_table(run, ctx)
        if run.reconcile:
            reconcile_table(run.spec, run.path, ctx, run.links.specs if run.links else [])

    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="act-table") as tables:
        futures = {tables.submit(table_job, run): run for run in runs}
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
