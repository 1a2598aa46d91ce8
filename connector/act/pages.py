"""One pass's pages, in order: the next page downloads while the current one is written, a server's cap on
`$top` is learned, and an empty page ends a pass only when it can be trusted.

A spurious empty answer (a glitch of the server) in the middle of an id-ordered pass would end it early, and the
rows not read would then look deleted, so such a pass (`confirm_end`) asks once more before it believes an empty
page that follows a full one. An incremental pass need not: ending early there only delays rows to the next sync,
because its position is the last row it read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any

from fivetran_connector_sdk import Logging as log

from .errors import SyncFailed
from .keyset import Position, last_position

if TYPE_CHECKING:
    from .client import ActClient

Page = list[Any]


class PageReader:
    def __init__(
        self,
        client: ActClient,
        path: str,
        query: Callable[[Position | None], dict[str, str]],
        *,
        top: int,
        position_field: str | None,
        prefetch: Executor,
        confirm_end: bool,
        table: str,
    ) -> None:
        self._client, self._path, self._query = client, path, query
        self._top, self._position_field = top, position_field
        self._prefetch, self._confirm_end, self._table = prefetch, confirm_end, table

    def _fetch(self, after: Position | None) -> Page:
        page: Page = self._client.get_collection(self._path, self._query(after))
        return page

    def _ends_table(self, previous: int | None) -> bool:
        """An empty page after a short one ends the table; after a full one (or first) it is asked again."""
        limit = min(self._top, self._client.page_cap or self._top)
        return previous is not None and previous < limit

    def pages(self, after: Position | None) -> Iterator[tuple[Page, Position]]:
        """(page, position after it) until the table's end; positions only move forward."""
        pending: Future[Page] = self._prefetch.submit(self._fetch, after)
        previous: int | None = None
        try:
            while True:
                page = pending.result()
                if not page and self._confirm_end and not self._ends_table(previous):
                    page = self._fetch(after)
                    if page:
                        log.warning(
                            f"{self._table}: the server answered an empty page and then rows for the same "
                            f"page; the pass goes on (an empty answer ends it only when confirmed)"
                        )
                if not page:
                    return
                position = last_position(page, self._position_field)
                if position is None:
                    raise SyncFailed(
                        f"{self._table}: a page of {len(page)} records had no record with both an id and "
                        f"'{self._position_field or 'id'}', so paging cannot go on; check the Act! server's data"
                    )
                if position == after:
                    raise SyncFailed(
                        f"{self._table}: the server returned the same page twice; paging stopped to avoid a loop"
                    )
                pending = self._prefetch.submit(self._fetch, position)
                if len(page) < self._top and self._client.page_cap is None and pending.result():
                    self._client.page_cap = len(page)  # a short page with more behind it: the server caps $top
                    log.info(f"the Act! server returns at most {len(page)} records per request; paging follows it")
                yield page, position
                after, previous = position, len(page)
        finally:
            pending.cancel()
