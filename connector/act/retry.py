"""How long to wait before retrying a request: the server's `Retry-After` when it gives one, else exponential
backoff with full jitter (so that parallel table threads do not retry in lockstep)."""

from __future__ import annotations

import random
import time

from .timestamps import parse_http_date

MAX_BACKOFF_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 600.0


def retry_after_seconds(header: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: a number of seconds or an HTTP date; None if absent or bad."""
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


def backoff_seconds(attempt: int, base: float, rng: random.Random = random._inst) -> float:
    """Full-jitter exponential backoff for the `attempt`-th retry (1-based)."""
    ceiling = min(MAX_BACKOFF_SECONDS, base * (2 ** (attempt - 1)))
    return ceiling * (0.5 + rng.random() / 2)
