"""Timestamps as the Act! Web API (.NET on SQL Server) keeps and writes them.

.NET counts time in 100 ns ticks and serialises a UTC `DateTime` as ISO 8601 with a `Z` and up to seven
fractional digits, trailing zeros trimmed (`2024-03-05T10:11:12.1234567Z`, `2024-03-05T10:11:12Z`). The emulator
stores every timestamp as an integer tick count so that ordering and comparison are exact at 100 ns, and formats
it only when a record is served. A Python `datetime` holds microseconds only, so it is never used for storage.
"""

from __future__ import annotations

import re
import time

TICKS_PER_SECOND = 10_000_000
# .NET ticks at the Unix epoch: 0001-01-01 to 1970-01-01.
UNIX_EPOCH_TICKS = 621_355_968_000_000_000

_LITERAL = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), with no datetime in between."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = (days if days >= 0 else days - 146096) // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    year = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return year + (month <= 2), month, day


def parse_ticks(text: str) -> int:
    """Ticks of an ISO 8601 timestamp (date only, with or without seconds, fraction up to 7 digits, `Z` or an offset;
    no offset means UTC). Raises ValueError naming the text when it is not one."""
    match = _LITERAL.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    month_i, day_i = int(month), int(day)
    if not (1 <= month_i <= 12 and 1 <= day_i <= 31):
        raise ValueError(f"not a valid date: {text!r}")
    seconds = _days_from_civil(int(year), month_i, day_i) * 86400
    seconds += int(hour or 0) * 3600 + int(minute or 0) * 60 + int(second or 0)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    ticks = UNIX_EPOCH_TICKS + seconds * TICKS_PER_SECOND
    if fraction:
        ticks += int(fraction.ljust(7, "0"))
    return ticks


def format_ticks(ticks: int) -> str:
    """The string .NET writes for a UTC DateTime of `ticks`: seconds precision plus up to 7 digits, zeros trimmed, `Z`."""
    seconds, fraction = divmod(ticks - UNIX_EPOCH_TICKS, TICKS_PER_SECOND)
    days, second_of_day = divmod(seconds, 86400)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    if fraction:
        text += "." + f"{fraction:07d}".rstrip("0")
    return text + "Z"


def now_ticks() -> int:
    """The current UTC time in ticks (the clock has microsecond or better resolution on Linux)."""
    return UNIX_EPOCH_TICKS + time.time_ns() // 100
