"""Shared test plumbing: the scenario summary table (scenario, runs, lost, duplicated, stale) printed at the end
of a run, gathered from every xdist worker through small JSON files in a folder of this run's own."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

RESULTS_ROOT = Path(__file__).resolve().parent.parent / ".pytest_scenarios"
_results_dir: Path | None = None


def pytest_configure(config):
    global _results_dir
    if hasattr(config, "workerinput"):
        _results_dir = Path(config.workerinput["scenario_dir"])
    else:
        _results_dir = RESULTS_ROOT / f"{os.getpid()}-{time.time_ns()}"
        _results_dir.mkdir(parents=True, exist_ok=True)


def pytest_configure_node(node):
    """xdist: each worker writes into the controller's folder."""
    node.workerinput["scenario_dir"] = str(_results_dir)


def record_scenario(name: str, runs: int, comparisons) -> None:
    """Adds one scenario's outcome to the summary table."""
    row = {
        "scenario": name,
        "runs": runs,
        "lost": sum(len(c.lost) for c in comparisons),
        "duplicated": sum(len(c.duplicated) for c in comparisons),
        "stale": sum(len(c.stale) for c in comparisons),
        "zombies": sum(len(c.zombies) for c in comparisons),
        "rows": sum(c.truth for c in comparisons),
    }
    _results_dir.mkdir(parents=True, exist_ok=True)
    with open(_results_dir / f"{os.getpid()}.jsonl", "a") as handle:
        handle.write(json.dumps(row) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or _results_dir is None or not _results_dir.exists():
        return
    rows = []
    for path in sorted(_results_dir.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    shutil.rmtree(_results_dir, ignore_errors=True)
    if not rows:
        return
    merged: dict[str, dict] = {}
    for row in rows:
        entry = merged.setdefault(
            row["scenario"], {"runs": 0, "lost": 0, "duplicated": 0, "stale": 0, "zombies": 0, "rows": 0}
        )
        for key in ("runs", "lost", "duplicated", "stale", "zombies", "rows"):
            entry[key] += row.get(key, 0)
    write = terminalreporter.write_line
    terminalreporter.section("end-to-end scenarios: destination vs emulator truth")
    write(f"{'scenario':<66} {'runs':>5} {'rows':>8} {'lost':>5} {'dup':>5} {'stale':>6} {'deleted-but-live':>17}")
    for name in sorted(merged):
        e = merged[name]
        write(
            f"{name:<66} {e['runs']:>5} {e['rows']:>8} {e['lost']:>5} {e['duplicated']:>5} {e['stale']:>6} "
            f"{e['zombies']:>17}"
        )
