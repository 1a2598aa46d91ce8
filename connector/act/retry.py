"""How long to wait before retrying a request: the server's `Retry-After` when it gives one, else exponential
backoff with full jitter (so that parallel table threads do not retry in lockstep)."""

from __future__ import annotations

import random
import time

from .timestamps import parse_http_date

# The first retry waits about this long (jittered), each next one twice as long, up to MAX_BACKOFF_SECONDS. Users
# tune retries with `max_retries`; the tests set this module attribute to a small value (tests/support).
RETRY_BASE_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 600.0
_RANDOM = random.Random()


def retry_after_seconds(header: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: a number of seconds or an HTTP date (relative to `now`, a Unix
    time, default the current time), capped at MAX_RETRY_AFTER_SECONDS; None if absent or unreadable."""
    if not header:
        return None
    try:
        seconds = float(header.strip())
    except ValueError:
        moment = parse_http_date(header)
        if moment is None:
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # nan
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def backoff_seconds(attempt: int, base: float | None = None, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff for the `attempt`-th retry (1-based): between half and all of
    `base` (default RETRY_BASE_SECONDS) × 2^(attempt-1), capped at MAX_BACKOFF_SECONDS."""
    first = RETRY_BASE_SECONDS if base is None else base
    ceiling = min(MAX_BACKOFF_SECONDS, first * 2.0 ** min(attempt - 1, 64))
    return ceiling * (0.5 + (rng or _RANDOM).random() / 2)
