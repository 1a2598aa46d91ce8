"""The incremental position follows the data's stamps; the server's Date only holds back a stamp from the far
future."""

from __future__ import annotations

import pytest

from act.data_clock import DataClock, later_stamp

pytestmark = pytest.mark.unit


class ClientAt:
    def __init__(self, server_time):
        self.server_time = server_time


@pytest.mark.parametrize(
    ("server_time", "stamp", "cursor"),
    [
        ("2026-06-01T12:00:00Z", "2026-06-01T11:50:00.1234567Z", "2026-06-01T11:50:00.1234567Z"),  # Date ahead
        ("2026-06-01T12:00:00Z", "2026-06-01T12:10:00.1234567Z", "2026-06-01T12:10:00.1234567Z"),  # Date behind
        ("2026-06-01T12:00:00Z", "2026-06-01T14:00:00Z", "2026-06-01T12:15:00Z"),  # one stamp from the future
        (None, "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),  # no Date header: the stamps alone
    ],
)
def test_the_cursor_is_the_stamp_read_unless_it_is_far_ahead_of_the_server(server_time, stamp, cursor):
    assert DataClock(ClientAt(server_time)).safe_cursor(stamp) == cursor


@pytest.mark.parametrize(
    ("first", "second", "later"),
    [
        (None, None, None),
        ("2026-01-01T00:00:00Z", None, "2026-01-01T00:00:00Z"),
        (None, "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.5Z"),
        ("2026-01-01T00:00:00.0000001Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.0000001Z"),
    ],
)
def test_the_later_stamp_keeps_the_servers_spelling(first, second, later):
    assert later_stamp(first, second) == later
