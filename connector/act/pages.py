"""One pass's pages, in order: the next page downloads while the current one is written, a server's cap on
`$top` is learned, and an empty page ends a pass only when it can be trusted.

A spurious empty answer (a glitch of the server) in the middle of an id-ordered pass would end it early, and the
rows not read would then look deleted, so such a pass (`confirm_end`) asks once more before it believes an empty
page that follows a full one. An incremental pass need not: ending early there only delays rows to the next sync,
because its position is the last row it read.

Memory. A page of 10,000 contacts is ~25 MB of JSON and ~62 MB once parsed, and four tables read at once. So the
next page is downloaded as bytes only, and a big page is parsed a slice (~1 MB of JSON) at a time on the thread
that writes it (`SlicedPage`): the records of a slice are released once written (and sketched for the next delete
check first), and the JSON already parsed is given back as the page is written. Where the next page starts is read
from the page's last slice, parsed first. The bytes downloaded and not yet written are bounded across the tables
of a sync (`BytesInFlight`), so the tables together hold at most about `BYTES_IN_FLIGHT` of pages (one page of any
size always fits when nothing else is held). A table's next page is asked for as soon as the page before says
where it starts, and its room is taken when the answer's headers are in, before its body is read: a server
spends seconds on a big page before its first byte leaves, and that time overlaps with writing whatever fills
the budget meanwhile, instead of following it. A download waiting for room holds none, and the pages that do
hold it are being written, so room always comes (downloads run on their own executor, which nothing a page's
writing waits for shares).

Overlap. A pass's first page asks for at most `FIRST_PAGE_RECORDS` and each next one `PAGE_GROWTH` times more, up
to `batch_size`: the first records are written within a second of asking while the bigger pages download, instead
of the CPU waiting for a whole `batch_size` page (seconds at a real server's pace) before it has anything to do.
A full pass also ends small (`ends_small`): once its ids say how many records are left, each page asks for at most
half of them, so the writing that follows the last page's arrival is that of a small page, not of `batch_size`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any

from fivetran_connector_sdk import Logging as log

from .errors import SyncFailed
from .id_space import RemainingRecords
from .jsonfast import loads
from .keyset import Position, last_position
from .page_memory import PrefixRelease, keep_big_blocks_mapped

if TYPE_CHECKING:
    from .client import ActClient
    from .typed_records import TypedDecoder

Page = list[Any]
Body = bytes | bytearray  # a page's JSON as downloaded (client.get_collection_body)

SLICE_BYTES = 1 << 20  # JSON parsed at once from a big page (~400 contacts, ~2.5 MB once parsed)
WHOLE_PAGE_BYTES = 2 * SLICE_BYTES  # pages up to this size are parsed at once
BYTES_IN_FLIGHT = 64 << 20  # page bytes downloaded and not yet written, across the tables of a sync
FIRST_PAGE_RECORD_BYTES = 1_500  # the size guessed per record before a table's first page is seen
FIRST_PAGE_RECORDS = 1_000  # a pass's first page asks no more: the writing starts while bigger pages download
PAGE_GROWTH = 4  # each next page asks this many times more, up to `batch_size`
CUT_ATTEMPTS = 3  # balanced cuts tried (parsed) before the rest of a page is parsed at once
_BOUNDARY = b"},{"  # between two records of an array (Act!'s JSON is compact, as ASP.NET writes it)


def first_page_top(top: int) -> int:
    """The `$top` of a pass's first page: small, so that writing starts while the bigger pages download."""
    return min(top, FIRST_PAGE_RECORDS)


def next_page_top(asked: int, top: int, remaining: int | None = None) -> int:
    """The `$top` of the page after one that asked for `asked`: growing to `batch_size` (`top`), and, when about
    `remaining` records are left (act/id_space.py), at most half of them, down to `FIRST_PAGE_RECORDS`: a pass
    ends in small pages, so little is left to write once its last page has arrived."""
    grown = min(top, asked * PAGE_GROWTH)
    if remaining is None:
        return grown
    return min(grown, max(FIRST_PAGE_RECORDS, remaining // 2))


class BytesInFlight:
    """A budget of page bytes downloaded and not yet written, shared by the tables of one sync. Tables get room in
    the order they first asked for it, so a table with big pages is not passed again and again by tables with
    small ones. `take` waits, on a download's thread, while others hold too much; what is held belongs to pages
    being written or bodies being read, which go on without room, so the wait ends; anything fits when nothing is
    held."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._changed = threading.Condition()
        self._line: list[object] = []  # who asked for room and did not get it yet, first first

    def _fits(self, amount: int, who: object) -> bool:
        first = not self._line or self._line[0] is who
        return self.held <= 0 or (first and self.held + amount <= self.limit)

    def _join_line(self, who: object) -> None:
        if who is not None and who not in self._line:
            self._line.append(who)

    def _leave_line(self, who: object) -> None:
        if who in self._line:
            self._line.remove(who)
            self._changed.notify_all()  # the next in line may fit now

    def take(self, amount: int, who: object = None, wait: bool = True) -> bool:
        """Takes `amount` for `who` once it fits (at once if not `wait`: False, keeping `who`'s place in line)."""
        with self._changed:
            self._join_line(who)
            while not self._fits(amount, who):
                if not wait:
                    return False
                self._changed.wait()
            self.held += amount
            self._leave_line(who)
            return True

    def leave(self, who: object) -> None:
        """`who` no longer wants room (its pass ended)."""
        with self._changed:
            self._leave_line(who)

    def adjust(self, delta: int) -> None:
        """A reservation made on a guess, set to what arrived (it may go over the limit: the bytes are here)."""
        with self._changed:
            self.held += delta
            self._changed.notify_all()

    def give(self, amount: int) -> None:
        self.adjust(-amount)


_BUDGETS: weakref.WeakKeyDictionary[Executor, BytesInFlight] = weakref.WeakKeyDictionary()
_BUDGETS_LOCK = threading.Lock()


def bytes_in_flight(downloads: Executor) -> BytesInFlight:
    """The budget of the sync that owns `downloads` (one executor per sync, shared by its tables)."""
    with _BUDGETS_LOCK:
        budget = _BUDGETS.get(downloads)
        if budget is None:
            keep_big_blocks_mapped()
            budget = _BUDGETS[downloads] = BytesInFlight(BYTES_IN_FLIGHT)
        return budget


def _open_braces(body: Body, start: int, end: int) -> int:
    """How many more `{` than `}` `body[start:end]` has (strings not told apart: a cut's parse proves it)."""
    return body.count(b"{", start, end) - body.count(b"}", start, end)


def _array_text(body: Body, start: int, end: int) -> Body:
    """The JSON array of the records in `body[start:end]`, copied once: in a bytearray the byte before `start` (the
    page's `[` or a `,` between records) and the one at `end` (a `,` or the page's `]`) are made brackets for the
    copy and then restored. Concatenating brackets around a slice copied a page's JSON three times, each copy a
    fresh mapping of ~1 MB for the kernel to fault in: a third of the CPU a big page's parse took."""
    if not isinstance(body, bytearray) or start < 1:
        return b"[" + body[start:end] + b"]"
    before, after = body[start - 1], body[end]
    body[start - 1], body[end] = 0x5B, 0x5D  # '[' and ']'
    text = body[start - 1 : end + 1]
    body[start - 1], body[end] = before, after
    return text


class NestedBoundaries:
    """Whether a table's records were seen to hold `},{` inside them (arrays of objects, as opportunities and
    activities have): shared by the pages of a pass, so that only such a table pays for counting braces."""

    seen = False


class SlicedPage(list[Any]):
    """A big page, parsed a slice at a time as it is read.

    `drain()` yields each record once, slice by slice, keeping them or not; plain iteration parses and keeps every
    record whole. A slice ends at a `},{` between two records, proven by its parse: from a record's start, a cut
    anywhere else (inside a nested object, an array or a string) leaves something open, which no JSON parser
    accepts. Once a table's records show `},{` inside them (`NestedBoundaries`), a cut is parsed only where the
    braces before it balance, as a failed parse costs as much as one that succeeds. A slice that does not parse
    after `CUT_ATTEMPTS` cuts, or bytes only `parse_rest` can read (invalid UTF-8), send the rest of the page to
    `parse_rest` at once, so a slice never splits a record."""

    def __init__(
        self,
        body: Body,
        start: int,
        stop: int,
        parse_rest: Callable[[Body, int], list[Any]],
        parse: Callable[[Body], list[Any]] = loads,
        nested: NestedBoundaries | None = None,
    ) -> None:
        super().__init__()
        self._nested = nested if nested is not None else NestedBoundaries()
        self._body, self._start, self._stop = body, start, stop  # first record's '{', the closing ']'
        self._parse_rest = parse_rest  # (JSON array text, records read before it) -> its records
        self._parse = parse  # a slice's JSON array text -> its records (raises ValueError if it is not one)
        self.records_read = 0
        self.drained = self.released = False
        self.on_drained: Callable[[SlicedPage, list[Any]], None] | None = None
        # called with the number of bytes of JSON no longer held, as slices are parsed (a bytearray body only)
        self.on_bytes_freed: Callable[[int], None] | None = None

    def tail(self) -> list[Any] | None:
        """The page's last records (from a `},{` between two records near its end), parsed: where the next page
        starts. None if they cannot be found that way. Asked before the page is drained."""
        body, start, stop = self._body, self._start, self._stop
        counted, curly, attempts = stop, 0, 0  # braces of body[counted:stop]
        while attempts < CUT_ATTEMPTS:
            cut = body.rfind(_BOUNDARY, start, counted)
            if cut == -1 or stop - cut > 4 * SLICE_BYTES:
                return None
            curly += _open_braces(body, cut + 2, counted)
            counted = cut + 2
            if curly:
                continue
            attempts += 1
            try:
                records = loads(_array_text(body, cut + 2, stop))
            except ValueError:
                continue  # balanced by brackets inside strings: not a cut between records
            return records if isinstance(records, list) and records else None
        return None

    def _slices(self) -> Iterator[list[Any]]:
        body, start, stop = self._body, self._start, self._stop
        release: PrefixRelease | None = None
        while start < stop:
            records, cut = None, -1
            if start + SLICE_BYTES < stop:
                cut = body.find(_BOUNDARY, start + SLICE_BYTES, stop)
                scanned, curly, attempts = start, 0, 0  # braces of body[start:scanned], once counted
                while cut != -1 and attempts < CUT_ATTEMPTS:
                    if self._nested.seen:
                        curly, scanned = curly + _open_braces(body, scanned, cut + 1), cut + 1
                    if not curly:
                        try:
                            records = self._parse(_array_text(body, start, cut + 1))
                            break
                        except ValueError:  # inside a record, brackets inside strings, or bytes for parse_rest
                            if self._nested.seen:
                                attempts += 1  # braces balance but it does not parse
                            # else nothing was counted yet (scanned is still start): the next cut counts from it
                            self._nested.seen = True
                    cut = body.find(_BOUNDARY, cut + 1, stop)
            if records is None:
                yield self._parse_rest(_array_text(body, start, stop), self.records_read)
                return
            start = cut + 2
            if isinstance(body, bytearray) and self.on_bytes_freed is not None:
                if release is None:
                    release = PrefixRelease(body)
                # the byte before the next record stays, for _array_text's opening bracket
                freed, removed = release.release(start - 1)
                start, stop = start - removed, stop - removed
                if freed:
                    self.on_bytes_freed(freed)
            yield records

    def drain(self, keep: bool = True, after_slice: Callable[[list[Any]], None] | None = None) -> Iterator[Any]:
        """Yields each record once, slice by slice, then `after_slice(records)` of each slice; keeps the records
        for reading the page again only if `keep` (a page written once keeps none: its memory goes slice by
        slice)."""
        if self.drained:
            yield from self.__iter__()
            return
        last: list[Any] = []
        for records in self._slices():
            yield from records
            self.records_read += len(records)
            if after_slice is not None:
                after_slice(records)
            if keep:
                self.extend(records)
            last = records
        self._body = b""
        self.drained, self.released = True, not keep
        if self.on_drained is not None:
            self.on_drained(self, last)

    def __iter__(self) -> Iterator[Any]:
        if not self.drained:
            for _ in self.drain():
                pass
        if self.released:
            raise RuntimeError("this page's records were released as they were written; it cannot be read again")
        return list.__iter__(self)

    def __len__(self) -> int:
        if not self.drained:
            for _ in self.drain():
                pass
        return self.records_read

    def __bool__(self) -> bool:
        return True  # never empty: an empty answer is never sliced


class _Download:
    """One page being downloaded: its `$top`, the size guessed before its headers declare one, and the budget its
    answer took (set on the download's thread; read once it is done)."""

    def __init__(self, top: int, guess: int) -> None:
        self.top, self.guess = top, guess
        self.reserved = 0
        self.future: Future[Body] | None = None


class PageReader:
    def __init__(
        self,
        client: ActClient,
        path: str,
        query: Callable[[Position | None, int], dict[str, str]],
        *,
        top: int,
        position_field: str | None,
        downloads: Executor,
        confirm_end: bool,
        table: str,
        typed: TypedDecoder | None = None,
        ends_small: bool = False,
    ) -> None:
        """`downloads` runs the page downloads of a sync's tables (nothing else: a download may wait there for
        room in the budget); `typed` parses the table's pages into typed records where it can
        (act/typed_records.py); `ends_small` makes a pass in id order end in small pages."""
        self._client, self._path, self._query = client, path, query
        self._typed = typed
        self._nested = NestedBoundaries()  # learned from this pass's pages
        self._top, self._position_field = top, position_field
        self._downloads, self._confirm_end, self._table = downloads, confirm_end, table
        self._budget = bytes_in_flight(downloads)
        self._pending: _Download | None = None
        self._asked = first_page_top(top)  # the `$top` the current page asked for
        self._record_bytes = FIRST_PAGE_RECORD_BYTES  # per record, as the last page had them
        self._held = 0  # the budget the page being written holds (less as a sliced page is parsed)
        self._ends_small = ends_small and position_field is None

    @property
    def page_worth_a_checkpoint(self) -> bool:
        """Whether the page just given asked for `batch_size` records. The small first (and last) pages of a pass
        are not checkpointed on their own (each checkpoint makes the destination write a batch; a sync killed there
        reads them again, fewer than twice `batch_size` records): the next full-size page's checkpoint, or the
        pass's last, commits them."""
        return self._asked >= self._top

    # -- downloads ------------------------------------------------------------------------------------------------
    def _fetch_body(self, after: Position | None, download: _Download) -> Body:
        return self._client.get_collection_body(
            self._path, self._query(after, download.top), lambda size: self._make_room(download, size)
        )

    def _make_room(self, download: _Download, size: int | None) -> None:
        """Waits, on the download's thread, until the budget has room for an answer of `size` bytes (its guess if
        undeclared); an earlier attempt's room (its body failed to arrive whole) is given back first."""
        if download.reserved:
            self._budget.give(download.reserved)
            download.reserved = 0
        amount = size if size is not None else download.guess
        self._budget.take(amount, self)
        download.reserved = amount

    def _download(self, after: Position | None, top: int) -> None:
        """Asks for the `top` records after `after` now; their room in the budget is taken when the answer arrives."""
        download = _Download(top, max(2, self._record_bytes * top))
        download.future = self._downloads.submit(self._fetch_body, after, download)
        self._pending = download

    def _abandon(self, download: _Download) -> None:
        """A download no longer wanted: cancelled if it has not started, else its room is given back when done."""
        assert download.future is not None
        if not download.future.cancel():
            download.future.add_done_callback(lambda _: self._budget.give(download.reserved))

    def _arrived(self) -> Body:
        """The pending download's body; the budget it holds becomes its real size."""
        download, self._pending = self._pending, None
        assert download is not None and download.future is not None
        try:
            body = download.future.result()
        except BaseException:
            self._abandon(download)
            raise
        self._budget.adjust(len(body) - download.reserved)
        self._asked = download.top
        per_record = len(body) // self._asked
        if per_record >= 64:  # a plausible record size (a short last page says little)
            self._record_bytes = per_record
        return body

    # -- parsing ------------------------------------------------------------------------------------------------
    def _records(self, body: Body, after: Position | None) -> Page:
        """The records of a body: a SlicedPage if big, else parsed at once; a body that is not a JSON array is
        asked again (through the client's retries)."""
        if len(body) > WHOLE_PAGE_BYTES:
            start, stop = _array_bounds(body)
            if start is not None and stop is not None:
                parse = loads if self._typed is None else self._typed.or_loads
                return SlicedPage(
                    body, start, stop, lambda text, read: self._parse_rest(text, read, after), parse, self._nested
                )
        records = self._client.parse_collection(body, self._path, self._typed)
        if records is None:
            records = self._client.get_collection(self._path, self._query(after, self._asked))
        return records

    def _parse_rest(self, text: Body, read: int, after: Position | None) -> list[Any]:
        """The rest of a sliced page, parsed at once. If it is unreadable, the page is asked again: with nothing
        written yet, the new answer is used; else the pass stops (the page's rows are written again next time)."""
        records = self._client.parse_collection(text, self._path, self._typed)
        if records is not None:
            return records
        again = self._client.get_collection(self._path, self._query(after, self._asked))
        if read == 0:
            return again
        raise SyncFailed(
            f"{self._table}: the server answered a page with unreadable JSON after {read} records; the rows of "
            f"that page are written again by the next sync (progress up to the page before is saved)"
        )

    def _position(self, page: Page) -> Position | None:
        if isinstance(page, SlicedPage):
            tail = page.tail()
            position = None if tail is None else last_position(tail, self._position_field)
            if position is not None:
                return position
        return last_position(list(iter(page)), self._position_field)  # a SlicedPage is parsed whole for it: rare

    # -- the pass -----------------------------------------------------------------------------------------------
    def _full_page(self, asked: int) -> int:
        """The records a page that asked for `asked` holds when full (a sliced page is counted only as written)."""
        return min(asked, self._client.page_cap or asked)

    def _ends_table(self, previous: int | None, asked: int) -> bool:
        """An empty page after a short one (fewer records than it asked for) ends the table; after a full one (or
        first) it is asked again."""
        limit = min(asked, self._client.page_cap or asked)
        return previous is not None and previous < limit

    def _learn_cap(self, count: int, position: Position, asked: int) -> None:
        """A short page with more behind it: the server caps `$top`, and paging (children's too) follows it from
        this page on."""
        if count >= asked or self._client.page_cap is not None:
            return
        assert self._pending is not None and self._pending.future is not None  # the next page, asked before this
        self._budget.give(self._held)  # the next answer may be waiting for room: this short page's goes first
        self._held = 0
        if not _is_empty(self._pending.future.result()):
            self._client.page_cap = count
            log.info(f"the Act! server returns at most {count} records per request; paging follows it")

    def _bytes_freed(self, amount: int) -> None:
        """A sliced page gave back `amount` bytes: the budget gets them (a download waiting for room may fit)."""
        self._held -= amount
        self._budget.give(amount)

    def _drained(self, position: Position, asked: int) -> Callable[[SlicedPage, list[Any]], None]:
        """What a sliced page checks once written: it ended where its last slice said, and the cap."""

        def check(page: SlicedPage, last: list[Any]) -> None:
            read = last_position(last, self._position_field)
            if read is not None and read != position:
                raise SyncFailed(
                    f"{self._table}: a page ended at {read} where its last records said {position}; paging "
                    f"stopped (progress up to the page before is saved)"
                )
            client = self._client
            client.largest_answer = max(client.largest_answer, page.records_read)  # as get_collection does
            self._learn_cap(page.records_read, position, asked)

        return check

    def pages(self, after: Position | None) -> Iterator[tuple[Page, Position]]:
        """(page, position after it) until the table's end; positions only move forward. A page's records are
        released when the next page is asked for."""
        previous: int | None = None  # records in the page before, and how many it asked for
        previous_asked = self._top
        remaining = RemainingRecords(after["id"] if after else None) if self._ends_small else None
        self._download(after, first_page_top(self._top))
        try:
            while True:
                body = self._arrived()
                self._held = len(body)
                page: Page = [] if _is_empty(body) else self._records(body, after)
                del body  # a sliced page holds it until it is written, no longer
                if not page and self._confirm_end and not self._ends_table(previous, previous_asked):
                    page = self._client.get_collection(self._path, self._query(after, self._asked))
                    if page:
                        log.warning(
                            f"{self._table}: the server answered an empty page and then rows for the same "
                            f"page; the pass goes on (an empty answer ends it only when confirmed)"
                        )
                if not page:
                    return
                position = self._position(page)
                if position is None:
                    raise SyncFailed(
                        f"{self._table}: a page of {len(page)} records had no record with both an id and "
                        f"'{self._position_field or 'id'}', so paging cannot go on; check the Act! server's data"
                    )
                if position == after:
                    raise SyncFailed(
                        f"{self._table}: the server returned the same page twice; paging stopped to avoid a loop"
                    )
                asked = self._asked
                left = None if remaining is None else remaining.page_read(self._full_page(asked), position.get("id"))
                self._download(position, next_page_top(asked, self._top, left))
                if isinstance(page, SlicedPage):
                    page.on_drained = self._drained(position, asked)
                    page.on_bytes_freed = self._bytes_freed
                else:
                    self._learn_cap(len(page), position, asked)
                yield page, position
                previous, previous_asked = len(page), asked
                page.clear()  # written: its records go before the next page is parsed
                self._budget.give(self._held)
                self._held = 0
                after = position
        finally:
            self._budget.give(self._held)
            self._held = 0
            self._budget.leave(self)
            if self._pending is not None:
                self._abandon(self._pending)
                self._pending = None


def _is_empty(body: Body) -> bool:
    return len(body) < 64 and body.strip() == b"[]"


def _array_bounds(body: Body) -> tuple[int | None, int | None]:
    """The index of the first record's `{` and of the closing `]` of a JSON array of objects, if it is one (found
    from both ends without copying the body)."""
    start, stop = 0, len(body) - 1
    while start <= stop and body[start] in _SPACE:
        start += 1
    while stop > start and body[stop] in _SPACE:
        stop -= 1
    if body[start : start + 1] != b"[" or body[stop : stop + 1] != b"]":
        return None, None
    first = start + 1
    while first < stop and body[first] in _SPACE:
        first += 1
    if body[first : first + 1] != b"{":
        return None, None
    return first, stop


_SPACE = b" \t\r\n"  # JSON's whitespace, as byte values
