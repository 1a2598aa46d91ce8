"""The sync benchmark: the connector against the raw limit, in one run, on loopback against the emulator.

    python benchmarks/sync_bench.py                       # every workload but `million` (about 15 minutes)
    python benchmarks/sync_bench.py --workloads default,paced --repeat 3
    python benchmarks/sync_bench.py --workloads million   # 1,000,000 contacts (about 15 minutes more)

Every run uses the connector's DEFAULT configuration (batch_size 10000, parallel_tables 4, rate_limit_pause 0.25,
delete_reconciliation_hours 24, full_resync_hours 168, ...: the configuration names only the server and its
credentials) unless a workload says otherwise below. The raw limit always uses the same `parallel_tables` and
`rate_limit_pause` as the connector runs it is compared with.

Workloads:
  default      the default dataset (~60,000 records, six tables) on the fast emulator, `rate_limit_pause` 0 for
               both sides (the emulator answers so fast that the pause between 15-45 requests would hide the
               connector's own time): raw, connector with the SDK's encoding, connector with `upsert` a no-op,
               one profiled run (where the time goes) and the gap to "raw + SDK encoding CPU"; peak RSS
  paced        the default dataset at a real server's pace (`--serve-rate`, act_emulator/pacing.py: 3,000 records
               per second per request), all defaults: full sync against the raw fetch of the same pages
  incremental  an incremental sync after 1% of the default dataset changed, against that full sync
               (cursor_overlap_seconds 0, so exactly the 1% is read)
  deletes      100,000 contacts: a first sync with and without the delete baseline, and a later delete check
               against a full sync (CPU, bytes received, requests)
  duckdb       the whole `fivetran debug` run (the SDK's runner into DuckDB, as the demo does), process start included
  million      peak RSS and wall of a full sync of 100,000 and of 1,000,000 contacts

Raw and connector runs are interleaved (raw, connector, connector-own, raw, ...) in fresh processes
(benchmarks/bench_workers.py) and the medians are printed: wall seconds, rows/s, CPU seconds, peak RSS, and the
ratios to the raw limit. Nothing is asserted: the figures are the result (machines here are shared and noisy, so
compare ratios from the same run, and prefer CPU ratios).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from act_emulator.pacing import DEFAULT_SERVE_RATE  # noqa: E402
from tests.support.emulator import start_emulator  # noqa: E402
from tests.support.fivetran_run import connector_config, fivetran_debug, make_project  # noqa: E402

WORKER = ROOT / "benchmarks" / "bench_workers.py"
# connector_config's settings for fast tests; the benchmark drops them so the connector's defaults apply
TEST_SETTINGS = ("batch_size", "rate_limit_pause", "max_retries", "request_timeout", "delete_reconciliation_hours")


def defaults_config(emulator, **overrides) -> dict:
    """The connector's default configuration for `emulator` (only the server and credentials), plus `overrides`."""
    config = {key: value for key, value in connector_config(emulator).items() if key not in TEST_SETTINGS}
    config.update({key: str(value) for key, value in overrides.items()})
    return config


def _worker(mode: str, config: dict, state: dict | None = None, keep_state: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        config_path = Path(directory) / "configuration.json"
        config_path.write_text(json.dumps(config))
        args = [sys.executable, str(WORKER), mode, str(config_path)]
        state_in, state_out = Path(directory) / "state.json", Path(directory) / "state-out.json"
        if state is not None or keep_state:
            state_in.write_text(json.dumps(state or {}))
            args += [str(state_in), str(state_out)]
        completed = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        if completed.returncode:
            raise RuntimeError(f"{mode} worker failed:\n{completed.stderr[-3000:]}")
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        if keep_state:
            result["state"] = json.loads(state_out.read_text())
        return result


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _line(label: str, runs: list[dict], base: list[dict] | None = None) -> str:
    """One row: medians of wall, rows/s, CPU and the largest peak RSS; with `base`, wall and CPU ratios to it."""
    wall, cpu = _median(runs, "wall"), _median(runs, "cpu")
    rows = runs[0]["rows"]
    ratio = (
        "" if base is None else f"  {wall / _median(base, 'wall'):5.2f}x wall {cpu / _median(base, 'cpu'):5.2f}x cpu"
    )
    return (
        f"  {label:<38} {rows:>9,} rows {wall:7.2f} s {rows / wall:>8,.0f} rows/s "
        f"cpu {cpu:6.2f} s  peak {max(r['peak_rss_mb'] for r in runs):5.0f} MB  {_median(runs, 'requests'):4.0f} req"
        + ratio
    )


def default(repeat: int) -> None:
    print("\n== default dataset (~60,000 records, six tables), fast emulator, rate_limit_pause 0", flush=True)
    with start_emulator(startup_timeout=900) as emulator:
        config = defaults_config(emulator, rate_limit_pause=0)
        raw, conn, own = [], [], []
        for _ in range(repeat):
            raw.append(_worker("raw", config))
            conn.append(_worker("connector", config))
            own.append(_worker("connector-own", config))
        profile = _worker("profile", config)
    print(_line("raw limit (same threads and pause)", raw))
    print(_line("connector update() + SDK encoding", conn, raw) + "  (peak RSS target <= 180 MB)")
    print(_line("connector, SDK upsert a no-op", own, raw) + "  (target <= 1.3x)")
    sections = profile["sections"]
    encode = sections["sdk_encoding"]["cpu"]
    print("  where the time goes (one profiled run with the SDK's encoding; CPU summed over threads):")
    print(f"    total               wall {profile['wall']:6.2f} s   cpu {profile['cpu']:6.2f} s")
    accounted = 0.0
    for name, label in (
        ("sdk_encoding", "SDK encoding"),
        ("json_parsing", "JSON parsing"),
        ("flattening", "flattening"),
        ("http", "HTTP (client)"),
    ):
        section = sections[name]
        accounted += section["cpu"]
        waited = section["wall"] - section["cpu"]
        what = "waiting on the server, summed over threads" if name == "http" else "waiting for the GIL or a core"
        print(
            f"    {label:<19} cpu {section['cpu']:6.2f} s ({section['cpu'] / profile['cpu'] * 100:4.1f}%)  "
            f"{waited:6.2f} s {what}  ({section['calls']:,} calls)"
        )
    print(f"    everything else     cpu {profile['cpu'] - accounted:6.2f} s (paging, state, checkpoints, links, ...)")
    floor = _median(raw, "wall") + encode
    gap = _median(conn, "wall") / floor - 1
    print(
        f"  gap to raw + SDK encoding CPU ({_median(raw, 'wall'):.2f} + {encode:.2f} = {floor:.2f} s): "
        f"{gap * 100:+.1f}% wall (target < 15%); CPU: connector {_median(conn, 'cpu'):.2f} s vs raw + encoding "
        f"{_median(raw, 'cpu') + encode:.2f} s ({(_median(conn, 'cpu') / (_median(raw, 'cpu') + encode) - 1) * 100:+.1f}%)"
    )


def paced(repeat: int) -> None:
    print(
        f"\n== default dataset at a real server's pace ({DEFAULT_SERVE_RATE:,.0f} records/s per request), "
        "all defaults (rate_limit_pause 0.25)",
        flush=True,
    )
    with start_emulator(startup_timeout=900, serve_rate=DEFAULT_SERVE_RATE) as emulator:
        config = defaults_config(emulator)
        raw, conn = [], []
        for _ in range(repeat):
            raw.append(_worker("raw", config))
            conn.append(_worker("connector", config))
    print(_line("raw fetch (same threads and pause)", raw))
    print(_line("connector update() + SDK encoding", conn, raw) + "  (target <= 1.10x wall)")
    wall, cpu, raw_wall = _median(conn, "wall"), _median(conn, "cpu"), _median(raw, "wall")
    print(
        f"  what bounds it: the sync's CPU time ({cpu:.2f} s; its Python runs on one core at a time) alone is "
        f"{cpu / raw_wall:.2f}x the raw fetch's wall; the other {max(wall - cpu, 0):.2f} s the sync waited for pages"
    )


def incremental(repeat: int) -> None:
    print("\n== incremental sync after 1% of ~60,000 records changed (cursor_overlap_seconds 0)", flush=True)
    with start_emulator(startup_timeout=900) as emulator:
        config = defaults_config(emulator, cursor_overlap_seconds=0)
        fulls, incs = [], []
        for _ in range(repeat):
            full = _worker("connector", config, keep_state=True)
            for table, count in (
                ("contacts", 200),
                ("companies", 50),
                ("opportunities", 80),
                ("activities", 250),
                ("products", 20),
            ):
                emulator.control.mutate(table, edit=count * 3 // 4, insert=count // 4)
            incs.append(_worker("connector", config, state=full.pop("state")))
            fulls.append(full)
    print(_line("connector full sync", fulls))
    print(_line("connector incremental (1% changed)", incs, fulls) + "  (ratios to the full sync)")


def deletes(repeat: int) -> None:
    """What hard deletes cost at the defaults: the first sync records the delete check's baseline as it reads (no
    separate walk), and a later delete check against a full sync of the same table."""
    print("\n== delete checks at the defaults, 100,000 contacts", flush=True)
    with start_emulator(records={"contacts": 100_000}, startup_timeout=900) as emulator:
        checks_on = defaults_config(emulator, tables="contacts")
        checks_off = {**checks_on, "delete_reconciliation_hours": "0"}
        due_now = {**checks_on, "delete_reconciliation_hours": "0.0001"}
        first_on, first_off, later_on, later_off = [], [], [], []
        for _ in range(repeat):
            first_off.append(_worker("connector", checks_off))
            full = _worker("connector", checks_on, keep_state=True)
            state = full.pop("state")
            first_on.append(full)
            emulator.control.mutate("contacts", edit=100, insert=50, delete=50)
            later_off.append(_worker("connector", checks_off, state=state))
            later_on.append(_worker("connector", due_now, state=state))
    print(_line("first sync, delete checks off", first_off))
    print(_line("first sync, defaults (baseline kept)", first_on, first_off) + "  (target <= 1.10x)")
    print(_line("later sync, no check due", later_off))
    print(_line("later sync with a delete check", later_on))
    check_cpu = _median(later_on, "cpu") - _median(later_off, "cpu")
    check_bytes = _median(later_on, "bytes") - _median(later_off, "bytes")
    check_requests = _median(later_on, "requests") - _median(later_off, "requests")
    print(
        f"  the delete check itself: {check_cpu:.2f} s CPU = {check_cpu / _median(first_off, 'cpu') * 100:.1f}% "
        f"of a full sync's CPU; {check_bytes / 1e6:.2f} MB = {check_bytes / _median(first_off, 'bytes') * 100:.1f}% "
        f"of its bytes; {check_requests:.0f} requests (a full sync: {_median(first_off, 'requests'):.0f}) "
        "(target <= 10%)"
    )


def duckdb() -> None:
    print("\n== the whole `fivetran debug` run into DuckDB, default dataset, defaults", flush=True)
    with start_emulator(startup_timeout=900) as emulator:
        config = defaults_config(emulator)
        with tempfile.TemporaryDirectory() as directory:
            project = make_project(Path(directory))
            started = time.perf_counter()
            result = fivetran_debug(project, config, timeout=3600, env={"ACT_TEST_LOG_LEVEL": "INFO"})
            wall = time.perf_counter() - started
            if not result.succeeded:
                raise RuntimeError(result.output[-3000:])
    print(f"  SDK runner into DuckDB (1 run): {wall:.2f} s (process start, DuckDB writes and checkpoints included)")


def memory_scaling() -> None:
    print("\n== memory: peak RSS, 100,000 vs 1,000,000 contacts, defaults", flush=True)
    peaks = {}
    for count in (100_000, 1_000_000):
        with start_emulator(records={"contacts": count}, startup_timeout=900) as emulator:
            config = defaults_config(emulator, tables="contacts")
            raw = _worker("raw", config)
            conn = _worker("connector", config)
        peaks[count] = conn["peak_rss_mb"]
        print(_line(f"raw limit, {count:,} contacts", [raw]))
        print(_line(f"connector, {count:,} contacts", [conn], [raw]))
    growth = peaks[1_000_000] / peaks[100_000] - 1
    print(f"  peak RSS growth 100k -> 1M contacts: {growth * 100:+.1f}%")


WORKLOADS = {
    "default": default,
    "paced": paced,
    "incremental": incremental,
    "deletes": deletes,
    "duckdb": lambda repeat: duckdb(),
    "million": lambda repeat: memory_scaling(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="default,paced,incremental,deletes,duckdb")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name in args.workloads.split(","):
        if name not in WORKLOADS:
            parser.error(f"unknown workload {name!r}; known: {', '.join(WORKLOADS)}")
    for name in args.workloads.split(","):
        WORKLOADS[name](args.repeat)


if __name__ == "__main__":
    main()
