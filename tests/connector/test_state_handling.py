"""Whatever state a sync starts from, it is resumed, migrated, or rejected with a clear message that says what is
wrong and the way out: never a crash with a bare traceback.

The migration tests start from a project that was fully synced (the warehouse holds every row), change a few
records at the source, then replace the saved state with an older layout. An older state (versions 1 and 2) is
migrated to version 3 by reading each table whole once, under a deferred truncate (logged, and it heals what the
older versions could not see, deletions included), and the sync ends equal to the truth; a current state goes on
incrementally, reading what changed and the overlap before each cursor.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import record_scenario
from tests.connector.conftest import CORE_TABLES
from tests.connector.test_incremental_sync import reads_from_cursor
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_debug, load_connector_module, make_project
from tests.support.warehouse import compare, rows

RECORDS = {
    "contacts": 120,
    "companies": 40,
    "opportunities": 30,
    "activities": 60,
    "activity_types": 12,
    "products": 20,
    "groups": 0,
    "notes": 0,
    "histories": 0,
    "users": 0,
    "opportunity_products": 0,
}
INCREMENTAL = ("contacts", "companies", "opportunities", "activities", "products")  # activity_types has no cursor
CHANGES = {"contacts": {"edit": 6, "insert": 4}, "companies": {"edit": 3}, "products": {"edit": 2}}
MIGRATED_TO_3 = "state version 2 migrated to 3: each table is read whole once (a full re-read)"
COMPLETE = re.compile(r"connector (\w+): complete, (\d+) rows in \d+ pages")
WAY_OUT = "run a historical re-sync of it in the Fivetran dashboard (or reset the connection's state)"
TS = "2026-01-02T03:04:05Z"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An emulator per worker and a project synced in full from an empty state (the starting point of every
    migration test; copied, never changed)."""
    with start_emulator(records=RECORDS) as emulator:
        template = make_project(tmp_path_factory.mktemp("state-template"))
        config = connector_config(emulator, batch_size=50)
        first = fivetran_debug(template, config, state={})
        assert first.succeeded, first.output[-4000:]
        yield {"emulator": emulator, "config": config, "template": template, "cursors": first.state["table_cursors"]}


@pytest.fixture
def synced(world, tmp_path):
    """A copy of the fully synced project; the source reset to what it synced, then CHANGES applied."""
    control = world["emulator"].control
    control.reset()
    project = tmp_path / "connector"
    shutil.copytree(world["template"], project)
    for table, change in CHANGES.items():
        control.mutate(table, **change)
    return project


def _rows_read(output: str) -> dict[str, int]:
    return {table: int(count) for table, count in COMPLETE.findall(output)}


def _truth_counts(control) -> dict[str, int]:
    return {table: len(control.snapshot(table, ["id"])["records"]) for table in CORE_TABLES}


def _incremental_reads(control, cursors: dict[str, str]) -> dict[str, int]:
    """What an incremental sync from `cursors` reads: each table's records stamped at or after its cursor minus the
    300 s overlap (what changed since, and the newest records before it again), activity_types whole."""
    reads = {"activity_types": RECORDS["activity_types"]}
    return reads | {table: reads_from_cursor(control, table, cursors[table]) for table in INCREMENTAL}


def _assert_clean(world, project, scenario: str, runs: int) -> None:
    comparisons = [compare(project, world["emulator"].control, table) for table in CORE_TABLES]
    record_scenario(scenario, runs, comparisons)
    problems = [str(c) for c in comparisons if not c.clean]
    assert not problems, "\n".join(problems)


def _table_requests(control) -> dict:
    return {family: n for family, n in control.stats()["by_path"].items() if family not in ("authorize", "metadata")}


# ------------------------------------------------------------------------------------------- resumed / migrated


def test_an_empty_state_syncs_every_table_in_full(world, tmp_path):
    world["emulator"].control.reset()
    project = make_project(tmp_path)
    result = fivetran_debug(project, world["config"], state={})
    assert result.succeeded, result.output[-4000:]
    assert _rows_read(result.output) == {table: RECORDS[table] for table in CORE_TABLES}
    assert result.state["state_version"] == 3 and set(result.state["table_cursors"]) == set(INCREMENTAL)
    _assert_clean(world, project, "state: empty state, full sync", runs=1)


def _read_whole_once(world, result, scenario: str, project) -> None:
    """A migrated older state: every table read whole once (a full re-read, logged), then equal to the truth."""
    assert result.succeeded, result.output[-4000:]
    assert MIGRATED_TO_3 in result.output
    for table in INCREMENTAL:
        assert f"{table}: read whole this sync (" in result.output, table
    assert _rows_read(result.output) == _truth_counts(world["emulator"].control)
    assert result.state["state_version"] == 3 and result.state["table_batch_tracking"] == {}
    _assert_clean(world, project, scenario, runs=2)


def test_the_original_layout_is_migrated_and_each_table_read_whole_once(world, synced):
    original = {
        "table_cursors": dict(world["cursors"]),  # no state_version: the original design's layout
        "table_batch_tracking": {"contacts": {"skip": 100, "batch_count": 2}},
    }
    result = fivetran_debug(synced, world["config"], state=original)
    assert "contacts: an unfinished pass of state version 1 (skip=100) starts over" in result.output
    _read_whole_once(world, result, "state: original layout with an unfinished pass, migrated", synced)


def test_the_original_layout_with_an_interrupted_first_sync_is_migrated_and_read_whole(world, synced):
    cursors = {table: cursor for table, cursor in world["cursors"].items() if table != "contacts"}
    original = {"table_cursors": cursors, "table_batch_tracking": {"contacts": {"skip": 50, "batch_count": 1}}}
    result = fivetran_debug(synced, world["config"], state=original)
    assert "contacts: an unfinished pass of state version 1 (skip=50) starts over" in result.output
    _read_whole_once(world, result, "state: original layout, first sync unfinished, migrated", synced)


def test_the_pre_release_cursors_layout_is_migrated_and_read_whole(world, synced):
    result = fivetran_debug(synced, world["config"], state={"cursors": dict(world["cursors"])})
    assert "cursors" not in result.state and set(result.state["table_cursors"]) == set(INCREMENTAL)
    _read_whole_once(world, result, "state: pre-release 'cursors' layout, migrated", synced)


def test_a_version_2_state_is_migrated_read_whole_once_healing_deletes_then_synced_incrementally(world, synced):
    control = world["emulator"].control
    gone = set(control.mutate("contacts", delete=3)["deleted"])  # version 2 could not see these
    version_2 = {
        "state_version": 2,
        "table_cursors": dict(world["cursors"]),
        "table_batch_tracking": {
            "companies": {
                "skip": 20,
                "batch_count": 1,
                "keyset": {"cursor": TS, "id": "5f0c1d2e-0000-4000-8000-000000000001"},
                "lower_bound": "1900-01-01T00:00:00Z",
                "upper_bound": TS,
            }
        },
    }
    result = fivetran_debug(synced, world["config"], state=version_2)
    assert "unfinished passes of state version 2 start over" in result.output
    _read_whole_once(world, result, "state: version 2, migrated to 3", synced)
    deleted = {
        r["id"] for r in rows(synced, "contacts", "id, _fivetran_deleted", live_only=False) if r["_fivetran_deleted"]
    }
    assert deleted == gone
    again = fivetran_debug(synced, world["config"])
    assert again.succeeded and "migrated" not in again.output
    assert _rows_read(again.output) == _incremental_reads(control, again.state["table_cursors"])


def test_a_current_state_goes_on_incrementally(world, synced):
    result = fivetran_debug(synced, world["config"])  # the state.json the full sync left
    assert result.succeeded, result.output[-4000:]
    assert "migrated" not in result.output
    assert _rows_read(result.output) == _incremental_reads(world["emulator"].control, world["cursors"])
    _assert_clean(world, synced, "state: version 3, incremental", runs=2)


# ------------------------------------------------------------------------------------------------- rejected


def test_a_state_from_a_newer_connector_is_rejected_with_the_way_out_and_nothing_is_synced(world, synced):
    newer = {
        "state_version": 4,
        "table_cursors": dict(world["cursors"]),
        "table_batch_tracking": {},
        "something_new": {"contacts": [1, 2, 3]},
    }
    before = {table: len(rows(synced, table, "id")) for table in CORE_TABLES}
    result = fivetran_debug(synced, world["config"], state=newer)
    assert not result.succeeded and "SYNC FAILED" in result.output
    assert (
        "Saved state was written by a newer version of this connector (state_version 4, this one reads up to 3): "
        "deploy the newer connector again, or reset the connection's state"
    ) in result.output
    assert _table_requests(world["emulator"].control) == {}  # not one page read
    assert result.state == newer  # the state is left as it was, for the newer connector
    assert {table: len(rows(synced, table, "id")) for table in CORE_TABLES} == before


CORRUPTED = [
    ("not an object (a list)", ["contacts", TS], ["Saved state is corrupted: it is a list, not a JSON object"]),
    (
        "not an object (a string)",
        "table_cursors=contacts",
        ["Saved state is corrupted: it is a str, not a JSON object"],
    ),
    (
        "cursor not a timestamp",
        {"state_version": 3, "table_cursors": {"contacts": "yesterday"}},
        ["table_cursors.contacts = 'yesterday' is not a timestamp"],
    ),
    (
        "cursor a number",
        {"table_cursors": {"contacts": 1767323045}},
        ["table_cursors.contacts is int, not a timestamp"],
    ),
    (
        "cursors not an object",
        {"state_version": 3, "table_cursors": ["contacts", TS]},
        ["'table_cursors' is list, not an object"],
    ),
    (
        "pre-release cursor garbage",
        {"cursors": {"companies": "2026-99-99"}},
        ["table_cursors.companies = '2026-99-99' is not a timestamp"],
    ),
    (
        "tracking not an object",
        {"state_version": 3, "table_batch_tracking": "contacts"},
        ["'table_batch_tracking' is str, not an object"],
    ),
    (
        "original tracking not an object",
        {"table_cursors": {}, "table_batch_tracking": ["contacts"]},
        ["'table_batch_tracking' is list, not an object"],
    ),
    (
        "one table's tracking not an object",
        {"state_version": 3, "table_batch_tracking": {"contacts": 5}},
        ["'table_batch_tracking.contacts' is int, not an object"],
    ),
    (
        "keyset without id",
        {
            "state_version": 3,
            "table_batch_tracking": {
                "contacts": {
                    "skip": 10,
                    "batch_count": 1,
                    "keyset": {"cursor": TS},
                    "lower_bound": "1900-01-01T00:00:00Z",
                }
            },
        },
        ["table_batch_tracking.contacts.keyset has no id"],
    ),
    (
        "keyset not an object",
        {"state_version": 3, "table_batch_tracking": {"contacts": {"keyset": "abc"}}},
        ["'table_batch_tracking.contacts.keyset' is str, not an object"],
    ),
    (
        "keyset cursor not a timestamp",
        {
            "state_version": 3,
            "table_batch_tracking": {
                "contacts": {"keyset": {"cursor": "soon", "id": "5f0c1d2e-0000-4000-8000-000000000001"}}
            },
        },
        ["table_batch_tracking.contacts.keyset.cursor = 'soon' is not a timestamp"],
    ),
    (
        "negative skip",
        {"state_version": 3, "table_batch_tracking": {"contacts": {"skip": -10, "batch_count": 1}}},
        ["table_batch_tracking.contacts.skip is not a count"],
    ),
    (
        "window bound not a timestamp",
        {
            "state_version": 3,
            "table_batch_tracking": {
                "contacts": {
                    "keyset": {"cursor": TS, "id": "5f0c1d2e-0000-4000-8000-000000000001"},
                    "lower_bound": "tomorrow",
                }
            },
        },
        ["table_batch_tracking.contacts.lower_bound = 'tomorrow' is not a timestamp"],
    ),
    (
        "state_version as text",
        {"state_version": "2", "table_cursors": {}},
        ["Saved state is corrupted: state_version = '2'"],
    ),
    ("state_version zero", {"state_version": 0}, ["Saved state is corrupted: state_version = 0"]),
    (
        "custom_field_columns not an object",
        {"state_version": 3, "custom_field_columns": ["x"]},
        ["'custom_field_columns' is list, not an object"],
    ),
]


@pytest.fixture(scope="module")
def connector_module():
    from fivetran_connector_sdk import Logging

    level = Logging.LOG_LEVEL
    Logging.LOG_LEVEL = Logging.Level.FINE  # as the runner sets it
    yield load_connector_module("act_connector_state_under_test")
    Logging.LOG_LEVEL = level


@pytest.mark.parametrize(
    "state, says", [(state, says) for _, state, says in CORRUPTED], ids=[name for name, _, _ in CORRUPTED]
)
def test_a_corrupted_state_is_rejected_with_a_message_naming_the_problem_and_the_way_out(
    world, connector_module, state, says, capsys
):
    control = world["emulator"].control
    before = control.stats()["requests_total"]
    with pytest.raises(Exception) as raised:
        connector_module.update(dict(world["config"]), state)
    message = str(raised.value)
    assert type(raised.value).__name__ == "SyncFailed", repr(raised.value)
    for fragment in says:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "Saved state is corrupted" in message and WAY_OUT in message
    logged = capsys.readouterr()
    assert message in logged.out + logged.err  # logged (SEVERE), not only a traceback
    assert control.stats()["requests_total"] == before  # rejected before any request


@pytest.mark.parametrize("name", ["cursor not a timestamp", "keyset without id"])
def test_the_runner_reports_a_corrupted_state_and_leaves_it_and_the_warehouse_alone(world, synced, name):
    state, says = next((state, says) for n, state, says in CORRUPTED if n == name)
    before = {table: len(rows(synced, table, "id")) for table in CORE_TABLES}
    result = fivetran_debug(synced, world["config"], state=state)
    assert not result.succeeded and "SYNC FAILED" in result.output
    error_line = next(line for line in result.output.splitlines() if "Error: failed while executing update()" in line)
    for fragment in says + ["Saved state is corrupted", WAY_OUT]:
        assert fragment in error_line
    assert _table_requests(world["emulator"].control) == {}
    assert json.loads((synced / "files" / "state.json").read_text()) == state
    assert {table: len(rows(synced, table, "id")) for table in CORE_TABLES} == before
