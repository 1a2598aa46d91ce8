"""The records a pass in id order has left, estimated from its ids: in step with SQL Server's `uniqueidentifier`
order (the emulator's `sqlorder`, the truth the connector is compared with), close for Act!'s random ids, and
silent (no estimate) for ids that are not GUIDs, that go backwards in that order or that cluster."""

from __future__ import annotations

import random
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from act.id_space import RemainingRecords, guid_fraction
from act.pages import FIRST_PAGE_RECORDS, PAGE_GROWTH, first_page_top, next_page_top
from act_emulator.sqlorder import guid_sort_key
from tests.support.ids import random_guids, sql_ordered

pytestmark = pytest.mark.unit

GUIDS = st.uuids().map(str)


@given(GUIDS, GUIDS)
def test_the_fraction_follows_sql_servers_order(a, b):
    if guid_sort_key(a) < guid_sort_key(b):
        assert guid_fraction(a) <= guid_fraction(b)  # type: ignore[operator]
    assert 0.0 <= guid_fraction(a) < 1.0  # type: ignore[operator]


@given(GUIDS)
def test_braces_and_upper_case_are_the_same_guid(text):
    assert guid_fraction("{" + text.upper() + "}") == guid_fraction(text)


@pytest.mark.parametrize("value", [12, "12", "not-a-guid", "", None, "0000000-0000-0000-0000-000000000000"])
def test_what_is_not_a_guid_has_no_fraction(value):
    assert guid_fraction(value) is None


def _estimates(ids: list[str], top: int, start: int = 0) -> list[tuple[int, int | None]]:
    """(records truly left, estimate) after each page of a pass over `ids` paged as act/pages.py pages it."""
    remaining = RemainingRecords(ids[start - 1] if start else None)
    asked, read, out = first_page_top(top), start, []
    while read < len(ids):
        page = ids[read : read + asked]
        read += len(page)
        left = remaining.page_read(len(page), page[-1])
        out.append((len(ids) - read, left))
        asked = next_page_top(asked, top, left)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_random_ids_give_a_close_estimate_from_the_second_page_on(seed):
    rng = random.Random(seed)
    size = rng.randrange(6_000, 60_000)
    ids = sql_ordered(random_guids(size, rng))
    estimates = _estimates(ids, 10_000)
    assert estimates[0][1] is None  # one page says nothing about whether the estimate holds still
    for left, estimate in estimates[1:]:
        assert estimate is not None
        assert abs(estimate - left) <= 0.05 * size  # within a few percent of the table


@pytest.mark.parametrize("seed", range(4))
def test_a_resumed_pass_estimates_from_where_it_resumed(seed):
    rng = random.Random(seed)
    ids = sql_ordered(random_guids(30_000, rng))
    for left, estimate in _estimates(ids, 10_000, start=12_345)[1:]:
        assert estimate is not None and abs(estimate - left) <= 1_500


def test_ids_that_go_backwards_in_sql_servers_order_give_no_estimate_for_the_rest_of_the_pass():
    rng = random.Random(7)
    ids = sorted(random_guids(20_000, rng))  # as text: not SQL Server's order
    remaining, fractions, estimates = RemainingRecords(), [], []
    for end in range(1_000, 20_001, 1_000):
        fractions.append(guid_fraction(ids[end - 1]))
        estimates.append(remaining.page_read(1_000, ids[end - 1]))
    back = next(i for i in range(1, len(fractions)) if fractions[i] <= fractions[i - 1])  # type: ignore[operator]
    assert estimates[back:] == [None] * (len(estimates) - back)


def test_integer_ids_give_no_estimate():
    remaining = RemainingRecords()
    assert [remaining.page_read(1_000, i * 1_000) for i in range(1, 5)] == [None] * 4


def test_ids_in_two_clusters_are_not_trusted_across_the_gap():
    """Half the ids near the start of the id space, half near its middle (imported or sequential ids): the page
    that jumps the gap changes the density by far more than `STEADY`, so no estimate is given there."""
    rng = random.Random(3)

    def near(base: int) -> str:
        return str(uuid.UUID(bytes_le=bytes(rng.getrandbits(8) for _ in range(10)) + base.to_bytes(6, "big")))

    ids = sql_ordered([near(rng.randrange(0, 1 << 40)) for _ in range(5_000)])
    ids += sql_ordered([near((1 << 47) + rng.randrange(0, 1 << 40)) for _ in range(5_000)])
    remaining = RemainingRecords()
    for end in (1_000, 4_000):
        remaining.page_read(end - (1_000 if end > 1_000 else 0), ids[end - 1])
    assert remaining.page_read(5_000, ids[8_999]) is None  # the page across the gap


@given(
    st.integers(1, 20_000),
    st.integers(1, 20_000),
    st.one_of(st.none(), st.integers(0, 100_000)),
)
def test_pages_grow_to_batch_size_and_end_in_halves_down_to_the_first_pages_size(asked, top, remaining):
    grown = min(top, asked * PAGE_GROWTH)
    chosen = next_page_top(asked, top, remaining)
    assert 1 <= chosen <= grown
    if remaining is None:
        assert chosen == grown
    else:
        assert chosen == grown or chosen >= min(grown, FIRST_PAGE_RECORDS)
        assert chosen <= max(FIRST_PAGE_RECORDS, remaining // 2)
