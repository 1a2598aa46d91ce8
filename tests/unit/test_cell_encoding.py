"""Timestamp cells land byte for byte as before: a UTC_DATETIME value written as a naive UTC datetime (or, at
midnight, as a date when the SDK encodes one identically) goes through the SDK's own row encoder to exactly the
bytes of the aware datetime the connector wrote before, for every form of timestamp Act! writes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from fivetran_connector_sdk_cli import type_coercion
from hypothesis import given
from hypothesis import strategies as st

from act import records
from act.records import RecordFlattener
from act.timestamps import format_timestamp, parse_timestamp

COLUMNS = {"cell": type_coercion.DataType.UTC_DATETIME}


def _encoded(value: object) -> dict:
    return type_coercion.encode_row_data(COLUMNS, {"cell": value})


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T05:00:00.1234567Z",  # .NET: seven digits
        "2026-11-28T05:00:00.123Z",
        "2026-11-28T05:00:00.1Z",
        "2026-11-28T05:00:00Z",
        "2026-11-28T00:00:00Z",  # midnight
        "2026-11-28T00:00:00.0000000Z",
        "2026-11-28T00:00:00.0000001Z",  # a tick after midnight: not a date
        "2026-11-28",  # a date alone
        "2024-02-29T23:59:59.9999999Z",
        "1900-01-01T00:00:00Z",
        "9999-12-31T23:59:59.9999999Z",
        "2026-11-28T07:00:00+02:00",  # offsets: the same UTC moment
        "2026-11-28T00:30:00-05:30",
        "2026-11-28 05:00:00Z",
    ],
)
def test_a_timestamp_cell_encodes_to_the_bytes_of_the_aware_datetime(text):
    cell = records._to_datetime(text)
    assert type(cell) is date or cell.tzinfo is None  # naive UTC (or a date at midnight)
    assert _encoded(cell) == _encoded(parse_timestamp(text))


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 30)), st.booleans())
def test_any_act_timestamp_encodes_as_before(moment, midnight):
    if midnight:
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    text = format_timestamp(moment.replace(tzinfo=timezone.utc))
    assert _encoded(records._to_datetime(text)) == _encoded(parse_timestamp(text))


STAMPS = {  # column: (Act! field, value)
    "created": ("created", "2026-11-28T00:00:00Z"),
    "edited": ("edited", "2026-11-28T05:06:07.8901234Z"),
    "actual_close_date": ("actualCloseDate", "2027-01-31T00:00:00.0000000Z"),
    "estimated_close_date": ("estimatedCloseDate", "2026-12-01T12:00:00+01:00"),
    "open_date": ("openDate", "2026-11-01T09:30:00.5Z"),
}


@pytest.mark.parametrize("dates", [True, False], ids=["dates at midnight", "datetimes only"])
def test_whole_rows_encode_as_before(monkeypatch, dates):
    monkeypatch.setattr(records, "MIDNIGHT_AS_DATE", dates)
    flattener = RecordFlattener("Opportunities.Opportunity")
    columns = {column: getattr(type_coercion.DataType, kind) for column, kind in flattener.columns().items()}
    row = flattener.flatten({"id": "a1", "name": "Renewal", **{key: text for key, text in STAMPS.values()}})
    before = {column: parse_timestamp(text) for column, (_, text) in STAMPS.items()}  # what was written before
    assert set(before) <= set(row) and (type(row["created"]) is date) is dates
    assert type_coercion.encode_row_data(columns, row) == type_coercion.encode_row_data(columns, {**row, **before})


def test_the_sdk_in_use_encodes_a_date_as_its_midnight():
    assert records.MIDNIGHT_AS_DATE  # SDK 3.0.0; an SDK that rejects dates makes this False and keeps datetimes
    assert _encoded(date(2026, 11, 28)) == _encoded(datetime(2026, 11, 28) + timedelta(0))
