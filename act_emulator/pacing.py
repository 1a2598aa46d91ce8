"""A serving pace for collection answers: what an IIS-hosted Act! Web API delivers, per request stream.

The emulator answers from memory at loopback speed (a 10,000-contact page in well under a second), far faster
than a real Act! server, which reads each page from SQL Server, builds Act!'s entity objects and serialises them
with ASP.NET before its first byte leaves. With `--serve-rate R` a collection answer of N records (a page, a
`$select` walk page, an opportunity's product lines) is held N / R seconds before it is sent. The pace is per
request: concurrent requests wait side by side (IIS serves each on its own worker thread), so a client reading
four tables at once gets four streams' worth, as it would from a real server with cores to spare.

The assumption the benchmark makes (benchmarks/sync_bench.py, `paced` workload) is `DEFAULT_SERVE_RATE`: 3,000
records per second per request stream, i.e. ~3.3 s for a page of 10,000 contacts. It is an estimate, not a
measurement of a particular server: Act! Premium's Web API on a typical on-premises IIS and SQL Server serves a
few thousand wide records per second per request; a busy or remote server serves fewer, which only makes the
server, not the connector, the limit sooner. 0 (the default) turns pacing off.
"""

from __future__ import annotations

import asyncio

import orjson

DEFAULT_SERVE_RATE = 3000.0  # records per second per request stream (see above)


def records_in(body: object) -> int:
    """How many records a collection answer holds: a store.JsonArray (its parts) or JSON array bytes."""
    parts = getattr(body, "parts", None)
    if parts is not None:
        return len(parts)
    if isinstance(body, (bytes, bytearray)):
        data = orjson.loads(body)
        return len(data) if isinstance(data, list) else 1
    return 0


def serve_seconds(records: int, rate: float) -> float:
    """How long a server serving `rate` records per second takes to produce an answer of `records` records."""
    if rate <= 0 or records <= 0:
        return 0.0
    return records / rate


async def hold(body: object, rate: float) -> None:
    """Waits as long as a server at `rate` records per second takes to produce `body` (other requests go on)."""
    seconds = serve_seconds(records_in(body), rate) if rate > 0 else 0.0
    if seconds > 0:
        await asyncio.sleep(seconds)
