"""The emulator's clock, in .NET ticks: what mutations stamp on records and what the `Date` header says.

One source for both, so the connector (which takes the server's `Date` as its sync upper bound) sees the same
time the data is stamped with. Stamps are strictly increasing and later than every generated record.
"""

from __future__ import annotations

from email.utils import formatdate

from .dotnet_time import TICKS_PER_SECOND, UNIX_EPOCH_TICKS, now_ticks


class Clock:
    def __init__(self, floor_ticks: int = 0):
        self._last = floor_ticks  # no stamp is issued at or below this

    def raise_floor(self, ticks: int) -> None:
        self._last = max(self._last, ticks)

    def now(self) -> int:
        """The current time, never behind the last stamp (so the Date header never goes back)."""
        return max(now_ticks(), self._last)

    def stamp(self) -> int:
        """A fresh timestamp for a changed record: strictly after every earlier one."""
        self._last = max(now_ticks(), self._last + 1)
        return self._last

    def http_date(self, offset_seconds: float = 0.0) -> str:
        """The `Date` header (RFC 7231, second precision, rounded down), `offset_seconds` from the data clock: the
        web server and SQL Server behind Act! are different machines whose clocks may disagree."""
        ticks = self.now() + round(float(offset_seconds) * TICKS_PER_SECOND)
        return formatdate((ticks - UNIX_EPOCH_TICKS) // TICKS_PER_SECOND, usegmt=True)
