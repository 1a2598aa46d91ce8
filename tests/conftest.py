"""Shared test plumbing: the scenario summary table (scenario, runs, lost, duplicated, stale) printed at the end
of a run, gathered from every xdist worker through small JSON files."""
from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent.parent / ".pytest_scenarios"


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        RESULTS_DIR.mkdir(exist_ok=True)
        for old in RESULTS_DIR.glob("*.jsonl"):
            old.unlink()


def record_scenario(name: str, runs: int, comparisons) -> None:
    """Adds one scenario's outcome to the summary table."""
    RESULTS_DIR.mkdir(exist_ok=True)
    row = {"scenario": name, "runs": runs,
           "lost": sum(len(c.lost) for c in comparisons),
           "duplicated": sum(len(c.duplicated) for c in comparisons),
           "stale": sum(len(c.stale) for c in comparisons),
           "rows": sum(c.truth for c in comparisons)}
    with open(RESULTS_DIR / f"{os.getpid()}.jsonl", "a") as handle:
        handle.write(json.dumps(row) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or not RESULTS_DIR.exists():
        return
    rows = []
    for path in sorted(RESULTS_DIR.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not rows:
        return
    merged: dict[str, dict] = {}
    for row in rows:
        entry = merged.setdefault(row["scenario"], {"runs": 0, "lost": 0, "duplicated": 0, "stale": 0, "rows": 0})
        for key in ("runs", "lost", "duplicated", "stale", "rows"):
            entry[key] += row[key]
    write = terminalreporter.write_line
    terminalreporter.section("end-to-end scenarios: destination vs emulator truth")
    write(f"{'scenario':<58} {'runs':>5} {'rows':>8} {'lost':>5} {'dup':>5} {'stale':>6}")
    for name in sorted(merged):
        e = merged[name]
        write(f"{name:<58} {e['runs']:>5} {e['rows']:>8} {e['lost']:>5} {e['duplicated']:>5} {e['stale']:>6}")
