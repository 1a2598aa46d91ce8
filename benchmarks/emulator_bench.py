"""Emulator benchmark: is the connector's keyset page as cheap at the end of a big table as at the start, how
fast does one keep-alive client receive contacts, and how long does a tiny keep-alive request take?

    .venv/bin/python benchmarks/emulator_bench.py                 # 1,000,000 contacts (about 2-3 minutes to generate)
    .venv/bin/python benchmarks/emulator_bench.py --records 100000

Prints (1) ms/page of the keyset walk for the first 10 and the last 10 pages (pages of --page-size, and of 100 to
show the server's own cost without the transfer), with the end/start ratio, and (2) contacts/s and bytes/s served
to one `requests.Session` over a whole keyset walk, each page fetched and parsed with orjson, and (3) the median
latency of a tiny request (`/api/task-types`) on a keep-alive connection: about a millisecond; ~40 ms means Nagle
plus delayed ACK are back (TCP_NODELAY lost on the listening socket). Figures only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import orjson
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from act_emulator.tables import TABLES
from tests.support.emulator import start_emulator

UPPER = "2099-01-01T00:00:00Z"
ORDER = "edited asc,id asc"


def keyset_params(last: dict | None, size: int) -> dict:
    """The connector's page: first `edited ge X and edited le U`, then `(edited gt T or (edited eq T and id gt K))`."""
    if last is None:
        flt = f"edited ge 1900-01-01T00:00:00Z and edited le {UPPER}"
    else:
        t, k = last["edited"], last["id"]
        flt = f"(edited gt {t} or (edited eq {t} and id gt {k})) and edited le {UPPER}"
    return {"$filter": flt, "$orderby": ORDER, "$top": str(size)}


def fetch(session: requests.Session, url: str, params: dict) -> tuple[list, int, float]:
    start = time.perf_counter()
    response = session.get(url, params=params, timeout=300)
    response.raise_for_status()
    body = response.content
    records = orjson.loads(body)
    return records, len(body), time.perf_counter() - start


def walk(session, url, start_after: dict | None, size: int, pages: int) -> list[float]:
    """ms of each of `pages` consecutive keyset pages starting after `start_after`."""
    last, times = start_after, []
    for _ in range(pages):
        records, _, seconds = fetch(session, url, keyset_params(last, size))
        times.append(seconds * 1000)
        if not records:
            break
        last = records[-1]
    return times


def record_before_end(session, url, offset: int) -> dict:
    """The record `offset` places before the end of the cursor order (served from the index, descending)."""
    params = {"$orderby": "edited desc,id desc", "$top": "1", "$skip": str(offset), "$select": "id,edited"}
    return fetch(session, url, params)[0][0]


def page_costs(session, url, n: int, size: int) -> None:
    pages = 10
    walk(session, url, None, size, 3)  # warm up (allocator, connection) before measuring
    start = walk(session, url, None, size, pages)
    tail_after = record_before_end(session, url, min(n - 1, pages * size))
    end = walk(session, url, tail_after, size, pages)
    a, b = statistics.median(start), statistics.median(end)
    print(
        f"  pages of {size:>6}: first {pages}: {a:8.2f} ms/page (median; mean {statistics.mean(start):.2f})   "
        f"last {pages}: {b:8.2f} ms/page (median; mean {statistics.mean(end):.2f})   end/start = {b / a:.2f}"
    )


def throughput(session, url, size: int, parse: bool = True) -> int:
    """Walk the whole table; returns the bytes served."""
    last, total, nbytes = None, 0, 0
    started = time.perf_counter()
    while True:
        params = keyset_params(last, size)
        if parse:
            records, length, _ = fetch(session, url, params)
            count = len(records)
        else:  # bytes only: the server's side of the cost (the last record is found without parsing the page)
            body = session.get(url, params=params, timeout=300).content
            length = len(body)
            count = body.count(b'"customFields":')  # one per contact
            tail = orjson.loads(body[body.rfind(b'{"id":') : -1]) if count else None
            records = [tail] if tail else []
        total += count
        nbytes += length
        if count < size:
            break
        last = records[-1]
    seconds = time.perf_counter() - started
    how = "fetched + parsed (orjson)" if parse else "fetched, not parsed"
    print(
        f"  {total:,} contacts in {seconds:.2f} s, pages of {size}: {total / seconds:,.0f} contacts/s, "
        f"{nbytes / seconds / 1e6:,.1f} MB/s ({nbytes / max(total, 1):,.0f} bytes/contact), {how}"
    )
    return nbytes


def keepalive_latency(session, base_url: str, runs: int = 50) -> None:
    """Median ms of a tiny GET on one keep-alive connection (after a warm-up)."""
    url = base_url + "/api/task-types"
    for _ in range(5):
        session.get(url, timeout=30).raise_for_status()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.get(url, timeout=30).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"  GET /api/task-types x{runs}: median {statistics.median(times):.2f} ms, "
        f"p90 {times[int(runs * 0.9) - 1]:.2f} ms, max {times[-1]:.2f} ms"
    )


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="contacts in the table (default 1,000,000)")
    parser.add_argument("--page-size", type=int, default=10_000, help="connector page size (default 10,000)")
    args = parser.parse_args()
    counts = {name: 0 for name in TABLES} | {
        "contacts": args.records,
        "users": 15,
        "companies": 500,
        "activity_types": 12,
    }
    print(f"starting the emulator with {args.records:,} contacts ...", flush=True)
    started = time.perf_counter()
    with start_emulator(records=counts, startup_timeout=3600, log_level="error") as emu:
        print(f"  ready in {time.perf_counter() - started:.1f} s at {emu.base_url}")
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + emu.token()
        url = emu.base_url + "/api/contacts"
        print("(1) keyset page cost, start vs end of the table")
        page_costs(session, url, args.records, 100)
        page_costs(session, url, args.records, args.page_size)
        print("(2) throughput to one keep-alive requests.Session client")
        served = throughput(session, url, args.page_size)
        throughput(session, url, args.page_size, parse=False)
        rss = rss_mb(emu.process.pid)
        if rss:
            print(
                f"  emulator memory: {rss:,.0f} MB resident for {served / 2**20:,.0f} MB of served JSON "
                f"({rss * 2**20 / served:.2f}x)"
            )
        print("(3) latency of a tiny request on a keep-alive connection")
        keepalive_latency(session, emu.base_url)
        print(f"  (load average while measuring: {', '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
