"""What the API serves only per parent record, read again for each parent record a pass writes (the parents that
changed, and all of them in a full pass): child collections (`/api/opportunities/{id}/products`: whole records)
and association sides (`/api/groups/{id}/associated-contacts`: only the associated ids matter, kept as key pairs).

The answer for one parent is paged like any collection (in id order), because a server that caps `$top` would
otherwise truncate it silently; an answer known to be shorter than the cap is complete, so it costs one request. A parent
deleted between its page and this read answers 404: that parent is marked deleted (once the server confirms it
is gone), and its child rows are marked at the table's next full re-read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fivetran_connector_sdk import Operations as op

from .client import ActApiError
from .keyset import id_order_query, odata_literal
from .records import Problems, RecordFlattener
from .tables import AssociationSpec, TableSpec, path_for_parent

if TYPE_CHECKING:
    from .client import ActClient
    from .table_run import SyncContext

CHILD_READS_IN_FLIGHT = 4
GONE = None  # what a read answers for a parent that no longer exists


@dataclass
class ChildTable:
    """A child collection: its records are flattened like any table's."""

    spec: TableSpec
    flattener: RecordFlattener
    select: list[str] | None = None
    in_full_pass: bool = True

    @property
    def table(self) -> str:
        return self.spec.name

    @property
    def problems(self) -> Problems:
        return self.flattener.problems

    def path_for(self, parent_id: object) -> str:
        return path_for_parent(self.spec.path, parent_id)

    def rows(self, parent_id: object, records: list[Any]) -> Iterator[dict[str, Any]]:
        flatten = self.flattener.flatten
        for record in records:
            if type(record) is dict and record.get("id") is not None:
                yield flatten(record)
            else:
                self.problems.add("a record without an id was skipped")


@dataclass
class AssociationRead:
    """One side of an association: each associated record's id, paired with the parent's."""

    side: AssociationSpec
    problems: Problems = field(default_factory=Problems)
    select: list[str] | None = field(default_factory=lambda: ["id"])

    @property
    def table(self) -> str:
        return self.side.table

    @property
    def in_full_pass(self) -> bool:
        return self.side.in_full_pass

    def path_for(self, parent_id: object) -> str:
        return path_for_parent(self.side.path, parent_id)

    def rows(self, parent_id: object, records: list[Any]) -> Iterator[dict[str, Any]]:
        parent_key, child_key = self.side.parent_key, self.side.child_key
        for record in records:
            if type(record) is dict and record.get("id") is not None:
                yield {parent_key: parent_id, child_key: record["id"]}
            else:
                self.problems.add("an associated record without an id was skipped")


PerParentRead = ChildTable | AssociationRead


def read_children(ctx: SyncContext, child: PerParentRead, parent_path: str, parent_id: object) -> list[Any] | None:
    """Every record the API serves under one parent, or GONE if the parent no longer exists."""
    client, top = ctx.client, ctx.batch_size
    path, records, after = child.path_for(parent_id), [], None
    while True:
        before = client.largest_answer
        try:
            page = client.get_collection(path, id_order_query(after, top, select=child.select))
        except ActApiError as error:
            if error.status == 404 and not _parent_exists(client, parent_path, parent_id):
                return GONE
            raise
        records += page
        ids = [r["id"] for r in page if isinstance(r, dict) and r.get("id") is not None]
        if _complete(client, len(page), top, before) or not ids:
            return records
        after = {"id": ids[-1]}


def _complete(client: ActClient, answered: int, top: int, largest_before: int) -> bool:
    """Whether an answer of `answered` records is all there is. A server's cap on `$top` is known once a pass has
    seen it; until then an answer shorter than one the server already gave cannot have been cut, and any other
    is followed by one more request (the cap is never guessed: a capped answer taken as whole loses rows)."""
    if client.page_cap is not None:
        return answered < min(top, client.page_cap)
    return answered < top and answered < largest_before


def _parent_exists(client: ActClient, parent_path: str, parent_id: object) -> bool:
    query = {"$filter": f"id eq {odata_literal(parent_id)}", "$select": "id", "$top": "1"}
    return bool(client.get_collection(parent_path, query))


def emit_children(
    ctx: SyncContext, child: PerParentRead, parent_table: str, parent_path: str, parent_ids: list[Any]
) -> None:
    """Reads and writes what the API serves under every parent in `parent_ids` (the records a page wrote), a few
    reads in flight at a time; on a failure the reads not yet started are dropped, so a dead server fails the
    table instead of retrying every parent."""
    in_flight: deque[tuple[object, Future[list[Any] | None]]] = deque()

    def write_next() -> None:
        parent_id, future = in_flight.popleft()
        records = future.result()
        if records is GONE:
            op.delete(parent_table, {"id": parent_id})
            child.problems.add(
                f"a parent record in {parent_table} was deleted before its rows were read; marked deleted"
            )
            return
        for row in child.rows(parent_id, records):
            op.upsert(child.table, row)

    try:
        for parent_id in parent_ids:
            future = ctx.prefetch.submit(read_children, ctx, child, parent_path, parent_id)
            in_flight.append((parent_id, future))
            if len(in_flight) >= CHILD_READS_IN_FLIGHT:
                write_next()
        while in_flight:
            write_next()
    finally:
        for _, future in in_flight:
            future.cancel()
