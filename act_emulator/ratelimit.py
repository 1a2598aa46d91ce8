"""A token bucket in front of the API, so the connector's 429 handling (and Retry-After parsing) is exercised.

R requests per second with a burst of R (at least 1); 0 turns it off. `retry_after` picks how the wait is announced: delta
seconds, an HTTP date, or no header at all (the connector must then back off on its own).
"""

from __future__ import annotations

import math
import time
from email.utils import formatdate

RETRY_AFTER_FORMS = ("seconds", "http-date", "none")


class TokenBucket:
    def __init__(self, rate: float = 0.0, retry_after: str = "seconds"):
        self.configure(rate, retry_after)

    def configure(self, rate: float | None = None, retry_after: str | None = None) -> None:
        if rate is not None:
            self.rate = float(rate)
            self.capacity = max(1.0, self.rate)
            self.tokens = self.capacity
            self.updated = time.monotonic()
        if retry_after is not None:
            if retry_after not in RETRY_AFTER_FORMS:
                raise ValueError(f"retry_after must be one of {RETRY_AFTER_FORMS}")
            self.retry_after = retry_after

    def take(self) -> float | None:
        """None when the request may go ahead, else the seconds until a token is available."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate

    def retry_after_header(self, wait: float) -> str | None:
        """The Retry-After value for a wait (whole seconds, at least 1), or None when configured off."""
        seconds = max(1, math.ceil(wait))
        if self.retry_after == "seconds":
            return str(seconds)
        if self.retry_after == "http-date":
            return formatdate(time.time() + seconds, usegmt=True)
        return None
