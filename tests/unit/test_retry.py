"""How long a retry waits: `Retry-After` (seconds or an HTTP date, capped) and full-jitter exponential backoff."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from act import retry
from act.retry import MAX_BACKOFF_SECONDS, MAX_RETRY_AFTER_SECONDS, backoff_seconds, retry_after_seconds

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 28, 5, 0, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-5", 0.0),  # never negative
        ("100000", MAX_RETRY_AFTER_SECONDS),  # capped
        ("inf", MAX_RETRY_AFTER_SECONDS),
        ("nan", None),
        ("Sat, 28 Nov 2026 05:00:30 GMT", 30.0),  # an HTTP date, relative to now
        ("Sat, 28 Nov 2026 04:59:00 GMT", 0.0),  # in the past: at once
        ("Sun, 29 Nov 2026 05:00:00 GMT", MAX_RETRY_AFTER_SECONDS),
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_retry_after_seconds(header, expected):
    assert retry_after_seconds(header, now=NOW) == expected


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_retry_after_in_seconds_is_always_within_its_bounds(seconds):
    wait = retry_after_seconds(repr(seconds), now=NOW)
    assert wait is not None and 0.0 <= wait <= MAX_RETRY_AFTER_SECONDS
    assert wait == min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


@given(st.integers(min_value=-86_400, max_value=86_400))
def test_retry_after_as_an_http_date_waits_until_then(offset):
    header = format_datetime(datetime.fromtimestamp(NOW + offset, timezone.utc), usegmt=True)
    assert retry_after_seconds(header, now=NOW) == min(max(float(offset), 0.0), MAX_RETRY_AFTER_SECONDS)


@given(
    attempt=st.integers(min_value=1, max_value=200),
    base=st.floats(min_value=0.001, max_value=30),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_backoff_is_between_half_and_all_of_its_doubling_ceiling(attempt, base, seed):
    ceiling = min(MAX_BACKOFF_SECONDS, base * 2.0 ** (attempt - 1))
    wait = backoff_seconds(attempt, base, random.Random(seed))
    assert ceiling / 2 <= wait <= ceiling


def test_backoff_grows_and_jitters():
    rng = random.Random(7)
    waits = [backoff_seconds(attempt, 1.0, rng) for attempt in range(1, 9)]
    ceilings = [min(MAX_BACKOFF_SECONDS, 2.0 ** (n - 1)) for n in range(1, 9)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings))
    assert len({backoff_seconds(3, 1.0, rng) for _ in range(20)}) > 1  # parallel threads do not retry in lockstep


def test_backoff_defaults_to_the_one_retry_base(monkeypatch):
    assert retry.RETRY_BASE_SECONDS == 1.0
    monkeypatch.setattr(retry, "RETRY_BASE_SECONDS", 0.01)
    assert 0.005 <= backoff_seconds(1) <= 0.01
