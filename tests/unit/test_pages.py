"""Big pages parsed a slice at a time: the records come out exactly as one parse of the whole page gives them,
whatever the records hold (nested arrays of objects, brackets and `},{` inside strings, bytes that are not UTF-8),
and the budget of page bytes in flight never makes a table wait for a table that waits."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from act import page_memory, pages
from act.pages import BytesInFlight, NestedBoundaries, SlicedPage
from tests.support.ids import random_guids, sql_ordered

pytestmark = pytest.mark.unit


def _sliced(body: bytes, rest_calls: list | None = None, nested: NestedBoundaries | None = None) -> SlicedPage:
    start, stop = pages._array_bounds(body)
    assert start is not None and stop is not None

    def parse_rest(text: bytes, read: int) -> list:
        if rest_calls is not None:
            rest_calls.append(read)
        return orjson.loads(text.decode("utf-8", errors="replace"))

    return SlicedPage(body, start, stop, parse_rest, nested=nested)


def _record(i: int, note: str = "") -> dict:
    return {
        "id": f"{i:08d}-0000-0000-0000-000000000000",
        "name": f"contact {i}",
        "address": {"city": "Springfield", "lines": ["a", "b"]},
        "contacts": [{"id": f"c{i}a", "name": "x"}, {"id": f"c{i}b", "name": "y"}],
        "note": note,
        "edited": "2024-01-02T03:04:05.1234567Z",
    }


@pytest.fixture(autouse=True)
def small_slices(monkeypatch):
    monkeypatch.setattr(pages, "SLICE_BYTES", 300)


NOTES = {
    "plain": "",
    "boundary in a string": 'a},{"id":"fake"},{b',
    "brackets in a string": "[[[{{{",
    "closers in a string": "]]]}}}",
    "escaped quotes": 'say \\"},{\\" twice',
    "unicode": "Zoë, 東京, 🎉",
}


@pytest.mark.parametrize("note", list(NOTES.values()), ids=list(NOTES))
def test_slices_give_exactly_the_records_of_one_parse(note):
    records = [_record(i, note if i % 3 == 1 else "") for i in range(40)]
    body = orjson.dumps(records)
    page = _sliced(body)
    assert list(page.drain()) == records
    assert len(page) == 40 and list(page) == records


def test_braces_are_counted_only_for_a_table_whose_records_hold_boundaries_inside_them(monkeypatch):
    counted: list = []
    count = pages._open_braces
    monkeypatch.setattr(pages, "_open_braces", lambda *args: counted.append(args) or count(*args))
    learned = NestedBoundaries()
    flat = [{"id": i, "name": f"contact {i}", "address": {"city": "Springfield"}} for i in range(60)]
    page = _sliced(orjson.dumps(flat), nested=learned)
    assert list(page.drain()) == flat
    assert not counted and not learned.seen  # every first cut parsed: nothing counted
    nested = [_record(i) for i in range(40)]  # arrays of objects: `},{` inside each record
    for _ in range(2):  # the pass's next page knows it from the first
        page = _sliced(orjson.dumps(nested), nested=learned)
        assert list(page.drain()) == nested
        assert learned.seen and counted
    assert len(counted) > 2


def test_the_tail_is_the_last_records_of_the_page():
    records = [_record(i, NOTES["boundary in a string"]) for i in range(40)]
    tail = _sliced(orjson.dumps(records)).tail()
    assert tail and tail == records[-len(tail) :]


def test_a_page_drained_without_keeping_hands_each_slice_on_and_cannot_be_read_again():
    records = [_record(i) for i in range(30)]
    page = _sliced(orjson.dumps(records))
    slices: list = []
    assert list(page.drain(keep=False, after_slice=slices.append)) == records
    assert len(slices) > 1 and [r for s in slices for r in s] == records
    assert len(page) == 30
    with pytest.raises(RuntimeError, match="released"):
        list(page)


def test_bytes_that_are_not_utf8_send_the_rest_of_the_page_to_the_robust_parse():
    body = orjson.dumps([_record(i) for i in range(30)])
    bad = body.replace(b"contact 17", b"contact \xe917")
    calls: list = []
    page = _sliced(bad, calls)
    got = list(page.drain())
    assert len(got) == 30 and got[17]["name"] == "contact \ufffd17"
    assert calls and 0 < calls[0] <= 17  # the slices before it were parsed on their own


def test_a_page_written_with_spaces_between_records_is_parsed_whole():
    records = [_record(i) for i in range(20)]
    body = orjson.dumps(records, option=orjson.OPT_INDENT_2)
    calls: list = []
    assert list(_sliced(body, calls).drain()) == records
    assert calls == [0]


text = st.text(alphabet=st.sampled_from(list('ab{}[],:"\\ é')), max_size=12)
value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@given(st.lists(st.dictionaries(text, value, max_size=4), min_size=1, max_size=25))
def test_any_array_of_objects_slices_to_the_same_records(records):
    body = orjson.dumps(records)
    page = _sliced(body)
    assert list(page.drain()) == records
    tail = _sliced(body).tail()
    assert tail is None or tail == records[-len(tail) :]


@given(st.lists(st.dictionaries(text, value, max_size=4), min_size=1, max_size=25))
def test_a_downloaded_page_is_sliced_in_place_and_left_as_it_was(records):
    """A bytearray (what the client downloads) gets its brackets written in place for each slice's copy: the
    tail read first, a cut that does not parse and the memory given back must leave every record intact."""
    body = bytearray(orjson.dumps(records))
    page = _sliced(body)
    tail = page.tail()
    assert tail is None or tail == records[-len(tail) :]
    assert body == orjson.dumps(records)  # the tail's brackets were taken back
    page.on_bytes_freed = lambda freed: None
    assert list(page.drain()) == records


def test_the_budget_admits_anything_when_nothing_is_held_and_waiters_are_woken():
    budget = BytesInFlight(100)
    assert budget.take(500, wait=False)  # one page bigger than the budget: it fits when nothing else is held
    assert not budget.take(1, wait=False)
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: (budget.take(60), taken.set()))
    waiter.start()
    assert not taken.wait(0.1)
    budget.give(500)
    assert taken.wait(5)
    waiter.join()
    assert budget.held == 60
    budget.adjust(-60)
    assert budget.held == 0


@given(st.lists(st.sampled_from(list(NOTES.values())), min_size=1, max_size=30))
def test_without_madvise_a_page_gives_back_exactly_what_cpython_frees_and_yields_every_record(notes):
    records = [_record(i, note) for i, note in enumerate(notes)]
    body = bytearray(orjson.dumps(records))
    allocated = body.__alloc__()
    page = _sliced(body)
    freed: list[int] = []
    page.on_bytes_freed = freed.append
    with pytest.MonkeyPatch.context() as patch:  # the portable way, as where madvise is missing
        patch.setattr(page_memory, "_madvise", None)
        assert list(page.drain(keep=False)) == records
    assert sum(freed) == allocated - body.__alloc__()  # what the budget gets back is what memory got back


@pytest.mark.skipif(page_memory._madvise is None, reason="madvise: Linux only")
@given(st.lists(st.sampled_from(list(NOTES.values())), min_size=20, max_size=300))  # over one memory page
def test_with_madvise_whole_memory_pages_of_what_was_read_go_back_and_every_record_comes_out(notes):
    records = [_record(i, note) for i, note in enumerate(notes)]
    body = bytearray(orjson.dumps(records))
    page = _sliced(body)
    freed: list[int] = []
    page.on_bytes_freed = freed.append
    assert list(page.drain(keep=False)) == records  # nothing still to be read was given back
    assert all(amount > 0 and amount % page_memory.PAGE_SIZE == 0 for amount in freed)
    assert sum(freed) <= len(body)


@pytest.mark.parametrize("mechanism", ["madvise", "copy"])
def test_a_big_page_gives_back_most_of_its_json_before_its_last_slice(mechanism, monkeypatch):
    if mechanism == "copy":
        monkeypatch.setattr(page_memory, "_madvise", None)
    records = [_record(i, NOTES["boundary in a string"]) for i in range(400)]  # ~100 KB: many memory pages
    body = bytearray(orjson.dumps(records))
    size = len(body)
    page = _sliced(body)
    freed: list[int] = []
    page.on_bytes_freed = freed.append
    for record in page.drain(keep=False):
        if record == records[-1]:
            assert sum(freed) > size // 2
    assert len(freed) >= 2


def _resident_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * page_memory.PAGE_SIZE


@pytest.mark.skipif(page_memory._madvise is None, reason="madvise: Linux only")
def test_a_downloaded_page_leaves_memory_as_it_is_written_without_a_copy(monkeypatch):
    monkeypatch.setattr(pages, "SLICE_BYTES", 1 << 20)
    page_memory.keep_big_blocks_mapped()
    records = [_record(i, "x" * 2000) for i in range(8_000)]  # ~19 MB of JSON
    body = bytearray(orjson.dumps(records))
    allocated = body.__alloc__()
    page = _sliced(body)
    freed: list[int] = []
    page.on_bytes_freed = freed.append
    resident = _resident_bytes()
    for i, record in enumerate(page.drain(keep=False)):
        assert record == records[i]
        if i == len(records) - 1:
            given_back = resident - _resident_bytes()
            assert sum(freed) > len(body) * 3 // 4
            assert given_back > sum(freed) * 3 // 4  # the memory really left the process
    assert body.__alloc__() == allocated  # nothing was copied or moved


def test_room_goes_to_tables_in_the_order_they_asked_so_a_big_page_is_not_passed_forever():
    budget = BytesInFlight(100)
    big, small = object(), object()
    assert budget.take(90, wait=False)
    assert not budget.take(50, big, wait=False)  # does not fit: big is first in line
    assert not budget.take(5, small, wait=False)  # would fit, but big asked first
    budget.give(50)
    assert budget.take(50, big, wait=False)
    assert budget.take(5, small, wait=False)
    assert budget.held == 95


def test_a_table_that_leaves_the_line_lets_the_next_one_in():
    budget = BytesInFlight(100)
    gone, next_one = object(), object()
    assert budget.take(90, wait=False)
    assert not budget.take(50, gone, wait=False)
    assert not budget.take(5, next_one, wait=False)
    budget.leave(gone)
    assert budget.take(5, next_one, wait=False)


class _Collection:
    """A table served from memory to a PageReader as act/client.py serves it: a page's body is handed over after
    `before_body` (where the reader waits for room) was called with its size, here twice, as when a first attempt's
    body failed to arrive whole and the client asked again."""

    def __init__(self, ids: list[str], hold: threading.Event | None = None) -> None:
        self.records = [{"id": i, "name": "n" * 200} for i in ids]
        self.index = {i: n for n, i in enumerate(ids)}
        self.page_cap: int | None = None
        self.largest_answer = 0
        self.tops: list[int] = []
        self.hold, self.started = hold, threading.Event()  # the second download waits for `hold`, if given

    @staticmethod
    def query(position, top: int) -> dict:
        return {"after": position["id"] if position else None, "top": top}

    def _answer(self, params: dict) -> bytes:
        start = 0 if params["after"] is None else self.index[params["after"]] + 1
        return orjson.dumps(self.records[start : start + params["top"]])

    def get_collection_body(self, path: str, params: dict, before_body=None) -> bytearray:
        self.tops.append(params["top"])
        if self.hold is not None and len(self.tops) == 2:
            self.started.set()
            self.hold.wait()
        body = self._answer(params)
        before_body(len(body) + 1_000)  # the first attempt's answer, cut short
        before_body(len(body))
        return bytearray(body)

    def parse_collection(self, body, path: str, typed=None) -> list:
        return orjson.loads(body)

    def get_collection(self, path: str, params: dict) -> list:
        return orjson.loads(self._answer(params))


def _random_guids(count: int, seed: int) -> list[str]:
    return sql_ordered(random_guids(count, random.Random(seed)))


def _reader(server: _Collection, downloads, ends_small: bool = True) -> pages.PageReader:
    return pages.PageReader(
        server,  # type: ignore[arg-type]
        "/api/contacts",
        server.query,
        top=10_000,
        position_field=None,
        downloads=downloads,
        confirm_end=True,
        table="contacts",
        ends_small=ends_small,
    )


@pytest.mark.parametrize("ends_small", [True, False])
def test_a_pass_reads_every_record_once_gives_all_room_back_and_ends_in_small_pages(ends_small):
    from concurrent.futures import ThreadPoolExecutor

    ids = _random_guids(33_333, seed=5)
    server = _Collection(ids)
    read, sizes = [], []
    with ThreadPoolExecutor(2) as downloads:
        for page, _ in _reader(server, downloads, ends_small).pages(None):
            records = list(page.drain(keep=False)) if isinstance(page, SlicedPage) else list(page)
            read += [r["id"] for r in records]
            sizes.append(len(records))
        assert pages.bytes_in_flight(downloads).held == 0  # every answer's room, retried ones too, came back
    assert read == ids
    if ends_small:
        assert sizes[-1] <= pages.FIRST_PAGE_RECORDS  # little is left to write once the last page has arrived
        assert sizes[3:] == sorted(sizes[3:], reverse=True)  # 1,000, 4,000, 10,000, then shrinking
    else:
        assert sizes == [1_000, 4_000, 10_000, 10_000, 8_333]


def test_a_pass_left_while_a_download_runs_gives_its_room_back_when_it_ends():
    from concurrent.futures import ThreadPoolExecutor

    hold = threading.Event()
    server = _Collection(_random_guids(3_000, seed=6), hold)
    with ThreadPoolExecutor(2) as downloads:
        walk = _reader(server, downloads).pages(None)
        next(walk)
        assert server.started.wait(10)  # the second page's download is running (not merely queued)
        walk.close()  # the pass ends (a failure elsewhere) while it runs
        hold.set()
    assert pages.bytes_in_flight(downloads).held == 0
