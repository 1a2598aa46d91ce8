"""One table's run through a sync: what it needs (TableRun, SyncContext), how a page of its records is written
(with its links and child records), and the fail-safe for empty reads shared by all tables."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .baseline import Baseline, sketch_records
from .children import ChildTable, PerParentRead, emit_children
from .client import ActClient
from .data_clock import DataClock
from .errors import SyncFailed
from .links import LinkEmitter
from .pages import SlicedPage
from .records import RecordFlattener
from .state import SyncState
from .tables import TableSpec
from .timestamps import parse_timestamp
from .typed_records import RECORD_TYPES, TypedDecoder

if TYPE_CHECKING:
    from collections.abc import Iterable

EMPTY_RESULTS_LIMIT = 3
EARLIEST_YEAR = 1900  # a default_start_date this early excludes nothing
TOO_MANY_EMPTY = "Too many empty results: check API connectivity and authentication"


class EmptyResultGuard:
    """A fail-safe for a systematic problem: a full read of a table that returns nothing is counted across the
    sync, the count resets whenever data arrives, and more than three in a row fail the sync. An empty
    incremental pass (nothing changed) is normal and not counted."""

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
class TableRun:
    """What one table's sync needs besides the shared context."""

    spec: TableSpec
    path: str
    flattener: RecordFlattener
    typed: TypedDecoder | None = None  # parses its pages into typed records where it can (act/typed_records.py)
    links: LinkEmitter | None = None
    children: list[PerParentRead] = field(default_factory=list)  # child collections and association sides
    dependents: list[str] = field(default_factory=list)  # selected child and link tables, read with it
    full_pass_reason: str | None = None  # why this sync reads it whole; None: an incremental pass
    check_deletes: bool = False  # a delete check is due after the incremental pass
    keep_baseline: bool = False  # full passes record what the next delete check compares with
    new_custom_field_columns: dict[str, Any] = field(default_factory=dict)  # saved when its full pass completes
    newest_stamp: list[Any] | None = None  # its newest-stamp answer, asked this sync before any table started
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
    guard: EmptyResultGuard
    prefetch: ThreadPoolExecutor  # reads of what the API serves per record (children.py)
    downloads: ThreadPoolExecutor  # page downloads only (pages.py: one may wait there for room)
    clock: DataClock
    selected: frozenset[str]


def write_page(
    run: TableRun, page: list[Any], ctx: SyncContext, full_pass: bool = False, baseline: Baseline | None = None
) -> int:
    """Upserts a page's records with their links and what the API serves per record (in a full pass, only the
    association sides a full re-read reads), and adds them to `baseline` (the next delete check's); returns how
    many were written. Records without an id cannot be keyed and are counted as problems instead of failing the
    sync.

    A big page (pages.SlicedPage) is parsed a slice at a time as it is written, and each slice is sketched and
    released once written."""
    table, flatten, upsert, links = run.spec.name, run.flattener.flatten, op.upsert, run.links
    sketch = None if baseline is None else partial(sketch_records, baselines=[baseline])
    records: Iterable[Any] = page
    if isinstance(page, SlicedPage):  # sketched slice by slice as it is written
        records, sketch = page.drain(keep=False, after_slice=sketch), None
    per_parent = [child for child in run.children if child.in_full_pass or not full_pass]
    parent_ids: list[Any] = []
    written = 0
    for record in records:
        if not isinstance(record, RECORD_TYPES) or record.get("id") is None:
            run.flattener.problems.add("a record without an id was skipped")
            continue
        upsert(table, flatten(record))
        if links is not None:
            links.emit(record)
        if per_parent:
            parent_ids.append(record["id"])
        written += 1
    if sketch is not None:
        sketch(page)
    for child in per_parent:
        emit_children(ctx, child, table, run.path, parent_ids)
    if written:
        ctx.guard.data_arrived()
    run.rows += written
    run.pages += 1
    return written


def replicated_since(spec: TableSpec, ctx: SyncContext) -> tuple[str, str] | None:
    """The filter an id-ordered pass needs to keep only the records a sync replicates: those edited at or after
    `default_start_date`. None when nothing is older than it (the default), which lets the server walk its
    primary key alone; records with no edit stamp are then read by full passes too, and only by them."""
    if spec.cursor_field is None or parse_timestamp(ctx.default_start).year <= EARLIEST_YEAR:
        return None
    return spec.cursor_field, ctx.default_start


def log_progress(run: TableRun) -> None:
    elapsed = max(time.monotonic() - run.started, 1e-9)
    log.info(f"{run.spec.name}: page {run.pages}, {run.rows} rows, {run.rows / elapsed:,.0f} rows/s")


def report_problems(run: TableRun) -> None:
    for child in run.children:
        for what, count in child.problems.take().items():
            log.warning(f"{child.table}: {count} record(s): {what}")
    flatteners = [(run.spec.name, run.flattener)]
    flatteners += [(c.table, c.flattener) for c in run.children if isinstance(c, ChildTable)]
    for name, flattener in flatteners:
        for what, count in flattener.problems.take().items():
            log.warning(f"{name}: {count} record(s): {what}")
        for column, source in flattener.extra_columns.items():
            log.warning(
                f"{name}: the server sent '{source}', which the Act! model does not define; it lands in column '{column}'"
            )
        flattener.extra_columns.clear()
