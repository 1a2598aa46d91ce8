"""The data's own clock. Act! stamps `edited` on the SQL Server (or Act! client) clock, and the web server writes
its `Date` header on another, so the incremental position follows the stamps actually read, never `Date`.

`Date` only guards against one bad stamp: a record stamped far in the future (a client PC whose clock is wrong)
must not carry the position past the edits the other clocks are still writing. So a cursor is held at most
`FUTURE_TOLERANCE` after the server's `Date`; when the data's clock really runs ahead of it by more, each sync
re-reads the difference (more rows read, none lost).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fivetran_connector_sdk import Logging as log

from .timestamps import format_timestamp, parse_timestamp

if TYPE_CHECKING:
    from .client import ActClient

FUTURE_TOLERANCE = timedelta(minutes=15)
SKEW_WORTH_SAYING = timedelta(minutes=1)


class DataClock:
    """What this sync has seen of the data's clock against the server's `Date` (the client keeps the latest)."""

    def __init__(self, client: ActClient) -> None:
        self._client = client
        self._said = False
        self._lock = threading.Lock()

    def _server_now(self) -> datetime | None:
        server_time = self._client.server_time
        return parse_timestamp(server_time) if server_time else None

    def note_read(self, table: str, stamp: str) -> None:
        """Says once per sync that the data's stamps run ahead of the server's `Date` (two clocks disagree)."""
        server_now = self._server_now()
        if server_now is None or self._said:
            return
        ahead = parse_timestamp(stamp) - server_now
        if ahead > SKEW_WORTH_SAYING and self._first_to_say():
            log.info(
                f"{table}: a record is stamped {ahead.total_seconds():.0f}s after the Act! server's Date header: the "
                f"clock that stamps records and the web server's clock disagree; the sync follows the records' stamps"
            )

    def _first_to_say(self) -> bool:
        with self._lock:
            said, self._said = self._said, True
        return not said

    def safe_cursor(self, stamp: str) -> str:
        """`stamp` as the next incremental position, held back to `Date` + FUTURE_TOLERANCE at the latest."""
        server_now = self._server_now()
        if server_now is None:
            return stamp
        latest = server_now + FUTURE_TOLERANCE
        return format_timestamp(latest) if parse_timestamp(stamp) > latest else stamp


def later_stamp(first: str | None, second: str | None) -> str | None:
    """The later of two stamps (either may be missing), kept as the server wrote it."""
    if first is None or second is None:
        return first or second
    return first if parse_timestamp(first) >= parse_timestamp(second) else second
