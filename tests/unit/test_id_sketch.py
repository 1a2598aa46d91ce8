"""The id sketch: ids keep the exact form the server wrote, and the difference of two sketches lists exactly the
ids that differ while it fits (property-based)."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from act.id_sketch import HASHED_CELLS, IdSketch, _hashes, hash_key, id_to_key, key_to_id, key_to_link, link_to_key

pytestmark = pytest.mark.unit

GUID = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.mark.parametrize("form", [GUID, GUID.upper(), "{" + GUID + "}", "{" + GUID.upper() + "}"])
def test_an_id_comes_back_exactly_as_the_server_wrote_it(form):
    assert key_to_id(id_to_key(form)) == form


@pytest.mark.parametrize("bad", [None, 17, "", "not-a-guid", GUID.replace("-", ""), "5F0c1a2b" + GUID[8:], GUID + " "])
def test_what_is_not_a_plain_guid_has_no_key(bad):
    assert id_to_key(bad) is None


def test_the_same_guid_written_two_ways_is_two_keys():
    assert id_to_key(GUID) != id_to_key(GUID.upper())


def test_a_link_key_holds_both_ids():
    other = str(uuid.UUID(int=12345)).upper()
    assert key_to_link(link_to_key(GUID, other)) == (GUID, other)


guids = st.uuids().map(str)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    common=st.sets(guids, max_size=300),
    gone=st.sets(guids, max_size=25),
    new=st.sets(guids, max_size=25),
)
def test_the_difference_lists_exactly_the_ids_gone_and_the_ids_new(common, gone, new):
    gone, new = gone - common, new - common - gone
    before, after = IdSketch(), IdSketch()
    for record_id in common | gone:
        before.add(id_to_key(record_id))
    for record_id in common | new:
        after.add(id_to_key(record_id))
    peeled = before.subtract(after).peel()
    assert peeled is not None  # 50 differences in 150 cells: far below where peeling can fail
    assert {key_to_id(k) for k in peeled[0]} == gone
    assert {key_to_id(k) for k in peeled[1]} == new


def test_a_difference_too_large_to_list_says_so_instead_of_guessing():
    before = IdSketch()
    for number in range(1000):
        before.add(id_to_key(str(uuid.UUID(int=number + 1))))
    assert before.subtract(IdSketch()).peel() is None


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.sets(guids, max_size=50))
def test_a_sketch_survives_the_state_round_trip(ids):
    sketch = IdSketch()
    for record_id in ids:
        sketch.add(id_to_key(record_id))
    again = IdSketch.loads(sketch.dumps())
    assert (again.count, again.keys, again.sums) == (sketch.count, sketch.keys, sketch.sums)


def _reference_key(record_id: object) -> int | None:
    """How state versions up to 0.1.0 keyed an id (through uuid.UUID): saved sketches depend on it."""
    if not isinstance(record_id, str):
        return None
    braced = len(record_id) == 38 and record_id[0] == "{" and record_id[-1] == "}"
    text = record_id[1:-1] if braced else record_id
    lower = text.lower()
    if len(text) != 36 or (text != lower and text != text.upper()):
        return None
    try:
        value = uuid.UUID(lower)
    except ValueError:
        return None
    if str(value) != lower:
        return None
    return value.int | (((1 if text != lower else 0) | (2 if braced else 0)) << 128)


def _reference_hashes(key: int, cells: int) -> tuple[list[int], int]:
    """How those versions placed a key in a sketch (blake2b, three 32-bit picks and a 64-bit checksum)."""
    digest = hashlib.blake2b(key.to_bytes(40, "little"), digest_size=20).digest()
    part = cells // 3
    picks = [i * part + int.from_bytes(digest[4 * i : 4 * i + 4], "little") % part for i in range(3)]
    return picks, int.from_bytes(digest[12:20], "little")


id_like = st.one_of(
    guids,
    guids.map(str.upper),
    guids.map(lambda g: "{" + g + "}"),
    guids.map(lambda g: g[:8] + g[8:].upper()),
    st.text(alphabet="0123456789abcdefABCDEF-{} x\u0130", min_size=34, max_size=40),
    st.none(),
    st.integers(),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(id_like)
def test_ids_are_keyed_as_saved_sketches_were(record_id):
    assert id_to_key(record_id) == _reference_key(record_id)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=(1 << 272) - 1), st.sampled_from([150, 300, 99]))
def test_keys_land_in_the_cells_saved_sketches_used(key, cells):
    assert _hashes(key, cells) == _reference_hashes(key, cells)
    if cells == HASHED_CELLS:
        assert hash_key(key) == _reference_hashes(key, cells)
