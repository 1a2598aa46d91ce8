"""The sync benchmark: the connector against the raw limit, in one run, on loopback against the emulator.

    python benchmarks/sync_bench.py                       # all workloads (about 15 minutes)
    python benchmarks/sync_bench.py --workloads default,incremental --repeat 3

Workloads:
  default      a full sync of the default dataset (~60,000 records across the six tables)
  incremental  an incremental sync after 1% of the default dataset changed, against that full sync
  million      a full sync of 1,000,000 contacts, and peak RSS against 100,000 contacts (same batch_size)

For each, raw and connector runs are interleaved (raw, connector, connector-own, raw, ...) in fresh processes
(benchmarks/bench_workers.py) and the medians are printed: wall seconds, rows/s, CPU seconds, peak RSS, and
connector/raw. A full run through the SDK's runner into DuckDB is timed beside them. Nothing is asserted: the
figures are the result (machines here are shared and noisy, so compare ratios from the same run).
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

from tests.support.emulator import start_emulator  # noqa: E402
from tests.support.fivetran_run import connector_config, fivetran_debug, make_project  # noqa: E402

WORKER = ROOT / "benchmarks" / "bench_workers.py"
CORE = "contacts,companies,opportunities,activities,activity_types,products"


def _worker(mode: str, config: dict, state: dict | None = None, keep_state: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        config_path = Path(directory) / "configuration.json"
        config_path.write_text(json.dumps(config))
        args = [sys.executable, str(WORKER), mode, str(config_path)]
        state_in, state_out = Path(directory) / "state.json", Path(directory) / "state-out.json"
        if state is not None or keep_state:
            state_in.write_text(json.dumps(state or {}))
            args += [str(state_in), str(state_out)]
        completed = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        if keep_state:
            result["state"] = json.loads(state_out.read_text())
        return result


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _line(label: str, runs: list[dict], raw_wall: float | None = None) -> str:
    wall = _median(runs, "wall")
    rows = runs[0]["rows"]
    ratio = f"{wall / raw_wall:6.2f}x" if raw_wall else "      -"
    return (
        f"  {label:<34} {rows:>9,} rows {wall:8.2f} s {rows / wall:>10,.0f} rows/s "
        f"cpu {_median(runs, 'cpu'):7.2f} s  peak {max(r['peak_rss_mb'] for r in runs):7.0f} MB  {ratio}"
    )


def _debug_run(emulator, config: dict) -> float:
    with tempfile.TemporaryDirectory() as directory:
        project = make_project(Path(directory))
        started = time.perf_counter()
        result = fivetran_debug(project, config, timeout=3600, env={"ACT_TEST_LOG_LEVEL": "INFO"})
        elapsed = time.perf_counter() - started
        if not result.succeeded:
            raise RuntimeError(result.output[-3000:])
        return elapsed


def full_sync(repeat: int, records: dict | None, tables: str, label: str, debug: bool = True) -> dict:
    print(f"\n== {label}", flush=True)
    with start_emulator(records=records, startup_timeout=900) as emulator:
        config = connector_config(
            emulator, batch_size=10000, tables=tables, rate_limit_pause=0, delete_reconciliation_hours=0
        )
        raw, conn, own = [], [], []
        for _ in range(repeat):
            raw.append(_worker("raw", config))
            conn.append(_worker("connector", config))
            own.append(_worker("connector-own", config))
        raw_wall = _median(raw, "wall")
        print(_line("raw limit (1 session, parse only)", raw))
        print(_line("connector update() + SDK encoding", conn, raw_wall))
        print(_line("connector, SDK upsert a no-op", own, raw_wall))
        if debug:
            wall = _debug_run(emulator, config)
            print(
                f"  {'SDK runner into DuckDB (1 run)':<34} {conn[0]['rows']:>9,} rows {wall:8.2f} s "
                f"{conn[0]['rows'] / wall:>10,.0f} rows/s (process start and DuckDB writes included)"
            )
        return {"raw": raw, "connector": conn}


def incremental(repeat: int) -> None:
    print("\n== incremental sync after 1% of ~60,000 records changed", flush=True)
    with start_emulator(startup_timeout=900) as emulator:
        config = connector_config(
            emulator,
            batch_size=10000,
            tables=CORE,
            rate_limit_pause=0,
            cursor_overlap_seconds=0,
            delete_reconciliation_hours=0,
        )
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
        full_wall = _median(fulls, "wall")
        print(_line("connector full sync", fulls))
        print(_line("connector incremental (1% changed)", incs, full_wall) + "  (ratio to the full sync)")


def memory_scaling() -> None:
    print("\n== memory: peak RSS, 100,000 vs 1,000,000 contacts, batch_size 10000", flush=True)
    peaks = {}
    for count in (100_000, 1_000_000):
        with start_emulator(records={"contacts": count}, startup_timeout=900) as emulator:
            config = connector_config(
                emulator, batch_size=10000, tables="contacts", rate_limit_pause=0, delete_reconciliation_hours=0
            )
            raw = _worker("raw", config)
            conn = _worker("connector", config)
            peaks[count] = conn["peak_rss_mb"]
            print(_line(f"raw limit, {count:,} contacts", [raw]))
            print(_line(f"connector, {count:,} contacts", [conn], raw["wall"]))
    growth = peaks[1_000_000] / peaks[100_000] - 1
    print(f"  peak RSS growth 100k -> 1M contacts: {growth * 100:+.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="default,incremental,million")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workloads = args.workloads.split(",")
    if "default" in workloads:
        full_sync(args.repeat, None, CORE, "full sync, default dataset (~60,000 records, six tables)")
    if "incremental" in workloads:
        incremental(args.repeat)
    if "million" in workloads:
        memory_scaling()


if __name__ == "__main__":
    main()
