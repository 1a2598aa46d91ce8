"""Act! timestamps: parsing (7-digit fractions, offsets, date only), .NET formatting, shifting, HTTP dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from act.timestamps import (
    UTC,
    _parse_general,
    format_timestamp,
    http_date_to_timestamp,
    parse_http_date,
    parse_timestamp,
    shift_timestamp,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T05:00:00Z", datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC)),
        ("2026-11-28T05:00:00.1234567Z", datetime(2026, 11, 28, 5, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-28T05:00:00.5Z", datetime(2026, 11, 28, 5, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-28T05:00:00", datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC)),  # naive: UTC
        ("2026-11-28", datetime(2026, 11, 28, tzinfo=UTC)),
        ("2026-11-28T05:00", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
        ("2026-11-28 05:00:00z", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
        ("2026-11-28T05:00:00+02:00", datetime(2026, 11, 28, 3, 0, tzinfo=UTC)),
        ("2026-11-28T05:00:00-0530", datetime(2026, 11, 28, 10, 30, tzinfo=UTC)),
        ("2026-01-01T00:30:00+01:00", datetime(2025, 12, 31, 23, 30, tzinfo=UTC)),  # crosses the year
    ],
)
def test_parse_timestamp_reads_every_form_act_or_a_user_writes(text, expected):
    for parse in (parse_timestamp, _parse_general):
        value = parse(text)
        assert value == expected and value.utcoffset() == timedelta(0), parse.__name__


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30", "2026-11-28T25:00:00Z", "28/11/2026"]
)
def test_parse_timestamp_rejects_what_is_not_a_timestamp(text):
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC), "2026-11-28T05:00:00Z"),
        (datetime(2026, 11, 28, 5, 0, 0, 123456, tzinfo=UTC), "2026-11-28T05:00:00.123456Z"),
        (datetime(2026, 11, 28, 5, 0, 0, 500000, tzinfo=UTC), "2026-11-28T05:00:00.5Z"),  # trailing zeros trimmed
        (datetime(2026, 11, 28, 5, 0, 0, 10, tzinfo=UTC), "2026-11-28T05:00:00.00001Z"),
        (datetime(2026, 11, 28, 7, 0, tzinfo=timezone(timedelta(hours=2))), "2026-11-28T05:00:00Z"),
        (datetime(1900, 1, 1, tzinfo=UTC), "1900-01-01T00:00:00Z"),
    ],
)
def test_format_timestamp_writes_as_dotnet_does(value, text):
    assert format_timestamp(value) == text


@pytest.mark.parametrize(
    ("text", "seconds", "expected"),
    [
        ("2026-11-28T05:00:00Z", -300, "2026-11-28T04:55:00Z"),
        ("2026-11-28T05:00:00Z", 1, "2026-11-28T05:00:01Z"),
        ("2026-01-01T00:00:00Z", -0.5, "2025-12-31T23:59:59.5Z"),
        ("2026-11-28T05:00:00.1234567Z", 0, "2026-11-28T05:00:00.123456Z"),  # the seventh digit goes: see module
    ],
)
def test_shift_timestamp_moves_a_cursor(text, seconds, expected):
    assert shift_timestamp(text, seconds) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Sat, 28 Nov 2026 05:00:00 GMT", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
        ("  Sat, 28 Nov 2026 05:00:00 GMT ", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
        ("Sat, 28 Nov 2026 07:00:00 +0200", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
        ("Sat, 28 Nov 2026 05:00:00 -0000", datetime(2026, 11, 28, 5, 0, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("not a date", None),
        ("120", None),
    ],
)
def test_parse_http_date(header, expected):
    assert parse_http_date(header) == expected


def test_http_date_to_timestamp_is_the_server_clock_as_a_cursor():
    assert http_date_to_timestamp("Sat, 28 Nov 2026 05:00:00 GMT") == "2026-11-28T05:00:00Z"
    assert http_date_to_timestamp(None) is None and http_date_to_timestamp("garbage") is None


AWARE = st.datetimes(
    min_value=datetime(1753, 1, 1),  # SQL Server's datetime range
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]),
)


@given(AWARE)
def test_format_then_parse_gives_back_the_same_moment(value):
    text = format_timestamp(value)
    assert parse_timestamp(text) == value
    assert _parse_general(text) == value
    assert format_timestamp(parse_timestamp(text)) == text  # and the text is a fixed point


@given(AWARE, st.integers(min_value=0, max_value=9))
def test_a_seventh_fraction_digit_only_truncates(value, seventh):
    """.NET writes 100 ns ticks: parsing keeps the microseconds and drops the seventh digit, never rounds up."""
    base = format_timestamp(value)[:19]
    text = f"{base}.{value.microsecond:06d}{seventh}Z"
    assert parse_timestamp(text) == value.astimezone(UTC)
