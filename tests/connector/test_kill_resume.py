"""A sync killed with SIGKILL at a random point (no clean-up, no final checkpoint), then run again normally, ends
with the destination equal to the emulator's truth: nothing lost, nothing duplicated, nothing stale. And the
run after the kill resumes, it does not start over: each table continues after the last row committed before
the kill, tables finished before the kill are not read again.

Each trial is seeded: `random.Random(seed)` picks k in 1..N, where N is the number of "checkpoint recorded" lines
an uninterrupted run of the same data prints, and the sync is killed right after the k-th. Small tables with
batch_size 10 give each sync a few dozen checkpoints and keep a trial to a few seconds; trials are separate test
items so pytest-xdist spreads them.
"""

from __future__ import annotations

import random
import re
import shutil

import pytest

from tests.conftest import record_scenario
from tests.connector.conftest import CORE_TABLES
from tests.connector.test_incremental_sync import reads_from_cursor
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_debug, fivetran_debug_killed, make_project
from tests.support.warehouse import compare

RECORDS = {
    "contacts": 25,
    "companies": 12,
    "opportunities": 8,
    "activities": 15,
    "activity_types": 12,
    "products": 5,
    "groups": 0,
    "notes": 0,
    "histories": 0,
    "users": 0,
    "opportunity_products": 0,
}
BATCH = 10
CHANGES = {
    "contacts": {"edit": 9, "insert": 5, "delete": 3},  # the changes the incremental sync picks up
    "activities": {"edit": 6, "insert": 5, "delete": 1},
    "products": {"edit": 2, "insert": 1},
}
CHECKPOINT = "checkpoint recorded"
FULL_SEEDS = range(20)
INCREMENTAL_SEEDS = range(100, 106)
COMPLETE = re.compile(r"connector (\w+): complete, (\d+) rows in \d+ pages")


def _apply_changes(control) -> None:
    for table, change in CHANGES.items():
        control.mutate(table, **change)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One emulator per worker, and the reference runs that give N: an uninterrupted full sync of RECORDS and an
    uninterrupted incremental sync after CHANGES. The project as it was after the full sync is kept as the
    starting point of incremental trials."""
    with start_emulator(records=RECORDS) as emulator:
        base = tmp_path_factory.mktemp("kill-reference")
        project = make_project(base)
        config = connector_config(emulator, batch_size=BATCH)
        full = fivetran_debug(project, config, state={})
        assert full.succeeded, full.output[-4000:]
        cursors = full.state["table_cursors"]  # read now: `state` is the project's state file when it is read
        template = base / "after-full-sync"
        shutil.copytree(project, template)
        _apply_changes(emulator.control)
        incremental = fivetran_debug(project, config)
        assert incremental.succeeded, incremental.output[-4000:]
        yield {
            "emulator": emulator,
            "config": config,
            "template": template,
            "cursors": cursors,
            "n_full": full.output.count(CHECKPOINT),
            "n_incremental": incremental.output.count(CHECKPOINT),
        }


def _rows_read(output: str) -> dict[str, int]:
    return {table: int(rows) for table, rows in COMPLETE.findall(output)}


def _kill_then_resume(world, project, n: int, seed: int):
    k = random.Random(seed).randint(1, n)
    killed = fivetran_debug_killed(project, world["config"], kill_after_lines=k, pattern=CHECKPOINT)
    assert "SYNC SUCCEEDED" not in killed.output or k == n  # only the very last checkpoint may precede success
    assert killed.output.count(CHECKPOINT) >= k
    saved = killed.state
    resumed = fivetran_debug(project, world["config"])
    assert resumed.succeeded, resumed.output[-6000:]
    return k, saved, resumed


def _assert_clean(world, project, scenario: str, runs: int):
    comparisons = [compare(project, world["emulator"].control, table) for table in CORE_TABLES]
    record_scenario(scenario, runs, comparisons)
    problems = [str(c) for c in comparisons if not c.clean]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("seed", FULL_SEEDS)
def test_a_first_sync_killed_at_a_random_checkpoint_resumes_where_it_stopped_and_loses_nothing(world, tmp_path, seed):
    world["emulator"].control.reset()
    assert world["n_full"] >= 15
    project = make_project(tmp_path)
    k, saved, resumed = _kill_then_resume(world, project, world["n_full"], seed)
    _assert_clean(world, project, "kill -9 during the first sync, then resume", runs=2)

    # the resumed run continued from the saved position instead of starting over
    read = _rows_read(resumed.output)
    cursors, tracking = saved.get("table_cursors", {}), saved.get("table_batch_tracking", {})
    control = world["emulator"].control
    for table in CORE_TABLES:
        if table in tracking:  # unfinished at the kill: only the rows after its last committed one
            expected = RECORDS[table] - tracking[table]["skip"]
        elif table in cursors:  # finished at the kill: nothing new since, only the overlap before its cursor
            expected = reads_from_cursor(control, table, cursors[table])
        else:  # not started (or a full-refresh table): all of it
            expected = RECORDS[table]
        assert read[table] == expected, (
            f"k={k}: {table} read {read[table]} rows after the kill, expected {expected}; saved state {saved}"
        )
    for table, pass_ in tracking.items():  # a first sync reads each table whole: it resumes its full re-read
        assert pass_["mode"] == "full" and f"{table}: resuming its full re-read" in resumed.output, table


@pytest.mark.parametrize("seed", INCREMENTAL_SEEDS)
def test_an_incremental_sync_killed_at_a_random_checkpoint_resumes_and_loses_nothing(world, tmp_path, seed):
    control = world["emulator"].control
    control.reset()  # the data the template project was synced from...
    project = tmp_path / "connector"
    shutil.copytree(world["template"], project)
    _apply_changes(control)  # ...and the changes since
    k, saved, resumed = _kill_then_resume(world, project, world["n_incremental"], seed)
    _assert_clean(world, project, "kill -9 during an incremental sync, then resume", runs=3)

    # no table was read in full again: at most what an uninterrupted incremental sync reads (its changed records
    # and the overlap before its cursor; deleted ones are not read)
    read = _rows_read(resumed.output)
    for table in CORE_TABLES:
        limit = (
            RECORDS[table] if table == "activity_types" else reads_from_cursor(control, table, world["cursors"][table])
        )
        assert read[table] <= limit, f"k={k}: {table} read {read[table]} rows after the kill; saved state {saved}"
