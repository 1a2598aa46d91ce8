"""Delete-check baselines: both sides of a comparison use one created cut-off, so only deletions (and records
that came back) differ, whatever the clocks did."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from act.baseline import Baseline, compare, sketch_records
from act.tables import LinkSpec

pytestmark = pytest.mark.unit

CUTOFF = "2026-06-01T12:00:00Z"
LINK = LinkSpec(
    table="opportunity_contacts",
    array_field="contacts",
    parent_key="opportunity_id",
    child_key="contact_id",
    model="Contacts.EmbeddedContact",
)


def guid(number: int) -> str:
    return str(uuid.UUID(int=number + 1))


def record(number: int, created: str = "2026-05-01T00:00:00Z", contacts=()) -> dict:
    return {"id": guid(number), "created": created, "contacts": [{"id": guid(1000 + c)} for c in contacts]}


def walk(cutoff: str | None, records: list[dict]) -> Baseline:
    baseline = Baseline(cutoff, "created", [LINK])
    sketch_records(records, [baseline])
    return baseline


def test_exactly_the_deleted_records_and_links_differ():
    before = [record(n, contacts=(n, n + 1)) for n in range(50)]
    after = [record(n, contacts=(n,)) for n in range(50) if n not in (3, 7)]
    difference = compare(walk(CUTOFF, before), walk(CUTOFF, after))
    assert difference.deleted == sorted([guid(3), guid(7)])
    assert difference.returned == []
    removed = set(difference.deleted_links["opportunity_contacts"])
    assert removed == {(guid(n), guid(1000 + n + 1)) for n in range(50)} | {(guid(n), guid(1000 + n)) for n in (3, 7)}


def test_a_record_created_after_the_cutoff_is_on_neither_side_even_with_a_clock_running_ahead():
    ahead = record(99, created="2026-06-01T12:00:30Z")  # created 30 s after the cut-off by a clock running ahead
    saved = walk(CUTOFF, [record(1), ahead])
    current = walk(CUTOFF, [record(1), ahead])
    assert compare(saved, current).deleted == []
    assert compare(walk(CUTOFF, [record(1)]), current).deleted == []


def test_a_record_back_again_is_listed_to_be_read_again():
    saved = walk(CUTOFF, [record(1)])
    assert compare(saved, walk(CUTOFF, [record(1), record(2)])).returned == [guid(2)]


def test_ids_a_sketch_cannot_hold_make_the_comparison_inexact():
    saved = walk(CUTOFF, [record(1), {"id": "not-a-guid", "created": "2026-05-01T00:00:00Z"}])
    assert saved.unkeyable == 1
    assert compare(saved, walk(CUTOFF, [record(1)])) is None


def test_too_many_deletions_to_list_make_the_comparison_inexact():
    assert compare(walk(CUTOFF, [record(n) for n in range(600)]), walk(CUTOFF, [])) is None


def test_a_baseline_survives_the_state_round_trip():
    saved = walk(CUTOFF, [record(n, contacts=(n,)) for n in range(20)])
    again = Baseline.loads(saved.dumps(), "created", [LINK])
    assert again.dumps() == saved.dumps()
    assert compare(again, saved).deleted == []


@given(
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(["2026-05-01T00:00:00Z", "2026-06-01T12:00:00Z", "2026-07-01T00:00:00.5Z", "junk", None]),
            st.lists(st.integers(0, 5), max_size=3),
        ),
        max_size=40,
    ),
    st.sampled_from([None, CUTOFF, "2026-06-30T00:00:00Z"]),
)
def test_sketching_for_two_cutoffs_at_once_is_sketching_for_each_alone(entries, other_cutoff):
    records = [record(n, created, contacts) for n, created, contacts in entries]
    for r, (_, created, _) in zip(records, entries):
        if created is None:
            del r["created"]
    together = [Baseline(CUTOFF, "created", [LINK]), Baseline(other_cutoff, "created", [])]
    sketch_records(records, together)
    alone = [Baseline(CUTOFF, "created", [LINK]), Baseline(other_cutoff, "created", [])]
    for baseline in alone:
        for r in records:
            sketch_records([r], [baseline])
    assert [b.dumps() for b in together] == [b.dumps() for b in alone]
