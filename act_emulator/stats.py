"""What the emulator has seen since start or the last reset (GET /_emulator/stats): tests count requests, statuses
and faults with it, e.g. to prove a rejected configuration never reached the server."""

from __future__ import annotations

from collections import Counter


class Stats:
    def __init__(self):
        self.requests_total = 0
        self.by_path = Counter()
        self.by_status = Counter()
        self.faults = Counter()
        self.rate_limited = 0
        self.tokens_issued = 0

    def count(self, family: str, status) -> None:
        """One answered (or aborted, status 0) request of a path family."""
        self.requests_total += 1
        self.by_path[family] += 1
        self.by_status[status or "aborted"] += 1

    def view(self) -> dict:
        return {
            "requests_total": self.requests_total,
            "by_path": dict(self.by_path),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "faults": dict(self.faults),
            "rate_limited": self.rate_limited,
            "tokens_issued": self.tokens_issued,
        }
