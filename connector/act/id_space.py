"""How many records a pass in id order has left, estimated from where its ids have got to.

Act! creates record ids with .NET's `Guid.NewGuid()` (random), and its Web API (SQL Server) orders them as SQL
Server orders `uniqueidentifier`: the text's last group first, then its fourth, and so on. Random ids spread
evenly over that order, so a pass that has read `n` records from fraction `f0` of the id space to fraction `f` has
about `n * (1 - f) / (f - f0)` to go, within a few percent after a thousand records.

A full pass uses this only to end in small pages (act/pages.py): the last page's writing is the one part of a sync
nothing else overlaps with. The estimate is trusted only while it holds still from page to page; ids that are not
GUIDs, that go backwards in this order or that cluster (sequential or imported ids) make it drift, and the pass
keeps its full-size pages. A wrong estimate changes page sizes only, never which records are read.
"""

from __future__ import annotations

from .keyset import GUID

_SPAN = float(1 << 64)
STEADY = 0.25  # the most two successive estimates of the pass's density may differ by (relative) to be trusted


def guid_fraction(value: object) -> float | None:
    """Where a GUID falls in SQL Server's `uniqueidentifier` order, from 0 to 1 (its 64 most significant bits:
    the text's last group, then its fourth); None if `value` is not a GUID."""
    match = GUID.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    text = match.group(1)  # without braces
    return int(text[24:] + text[19:23], 16) / _SPAN


class RemainingRecords:
    """The records a pass in id order has left, from the ids at the ends of its pages (see the module doc)."""

    def __init__(self, start_id: object = None) -> None:
        start = 0.0 if start_id is None else guid_fraction(start_id)
        self._start = self._last = start  # None: not GUIDs in SQL Server's order, so nothing is estimated
        self._read = 0
        self._density: float | None = None  # records per unit of the id space, as of the last page

    def page_read(self, records: int, last_id: object) -> int | None:
        """Notes a page of `records` ending at `last_id`; returns the records estimated to remain, or None."""
        self._read += records
        fraction = guid_fraction(last_id)
        if self._start is None or self._last is None or fraction is None or fraction <= self._last:
            self._start = None  # not GUIDs in this order: no estimate for the rest of the pass
            return None
        self._last = fraction
        density = self._read / (fraction - self._start)
        steady = self._density is not None and abs(density - self._density) <= STEADY * self._density
        self._density = density
        return round(density * (1.0 - fraction)) if steady else None  # None until two successive pages agree
