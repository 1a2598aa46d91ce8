"""Whatever state a sync starts from, it is resumed, migrated, or rejected with a clear message that says what is
wrong and the way out: never a crash with a bare traceback, never a silent full re-sync nobody asked for.

The migration tests start from a project that was fully synced (the warehouse holds every row), change a few
records at the source, then replace the saved state with an older layout: the sync must read only what changed
(plus the unfinished table, from its cursor) and end equal to the truth.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import record_scenario
from tests.connector.conftest import CORE_TABLES
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
CHANGED = {"contacts": 10, "companies": 3, "opportunities": 0, "activities": 0, "products": 2, "activity_types": 12}
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
    assert result.state["state_version"] == 2 and set(result.state["table_cursors"]) == set(INCREMENTAL)
    _assert_clean(world, project, "state: empty state, full sync", runs=1)


def test_the_original_layout_is_migrated_finished_tables_go_on_incrementally_the_unfinished_restarts_at_its_cursor(
    world, synced
):
    original = {
        "table_cursors": dict(world["cursors"]),  # no state_version: the original design's layout
        "table_batch_tracking": {"contacts": {"skip": 100, "batch_count": 2}},
    }
    result = fivetran_debug(synced, world["config"], state=original)
    assert result.succeeded, result.output[-4000:]
    assert "state migrated from the original layout (version 1) to version 2" in result.output
    assert "contacts: an unfinished pass of the original design (skip=100) restarts from its cursor" in result.output
    assert _rows_read(result.output) == CHANGED  # only what changed: no table was read in full again
    assert result.state["state_version"] == 2 and result.state["table_batch_tracking"] == {}
    _assert_clean(world, synced, "state: original layout with an unfinished pass, migrated", runs=2)


def test_the_original_layout_with_an_interrupted_first_sync_restarts_that_table_from_the_start_date(world, synced):
    cursors = {table: cursor for table, cursor in world["cursors"].items() if table != "contacts"}
    original = {"table_cursors": cursors, "table_batch_tracking": {"contacts": {"skip": 50, "batch_count": 1}}}
    result = fivetran_debug(synced, world["config"], state=original)
    assert result.succeeded, result.output[-4000:]
    assert "contacts: an unfinished pass of the original design (skip=50) restarts from its cursor" in result.output
    assert _rows_read(result.output) == {**CHANGED, "contacts": RECORDS["contacts"] + 4}  # a $skip can't be trusted
    _assert_clean(world, synced, "state: original layout, first sync unfinished, migrated", runs=2)


def test_the_pre_release_cursors_layout_is_migrated_and_synced_incrementally(world, synced):
    result = fivetran_debug(synced, world["config"], state={"cursors": dict(world["cursors"])})
    assert result.succeeded, result.output[-4000:]
    assert "state migrated from the original layout (version 1) to version 2" in result.output
    assert _rows_read(result.output) == CHANGED
    assert "cursors" not in result.state and set(result.state["table_cursors"]) == set(INCREMENTAL)
    _assert_clean(world, synced, "state: pre-release 'cursors' layout, migrated", runs=2)


def test_a_current_state_goes_on_incrementally(world, synced):
    result = fivetran_debug(synced, world["config"])  # the state.json the full sync left
    assert result.succeeded, result.output[-4000:]
    assert "migrated" not in result.output
    assert _rows_read(result.output) == CHANGED
    _assert_clean(world, synced, "state: version 2, incremental", runs=2)


# ------------------------------------------------------------------------------------------------- rejected


def test_a_state_from_a_newer_connector_is_rejected_with_the_way_out_and_nothing_is_synced(world, synced):
    newer = {
        "state_version": 3,
        "table_cursors": dict(world["cursors"]),
        "table_batch_tracking": {},
        "something_new": {"contacts": [1, 2, 3]},
    }
    before = {table: len(rows(synced, table, "id")) for table in CORE_TABLES}
    result = fivetran_debug(synced, world["config"], state=newer)
    assert not result.succeeded and "SYNC FAILED" in result.output
    assert (
        "Saved state was written by a newer version of this connector (state_version 3, this one reads up to 2): "
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
        {"state_version": 2, "table_cursors": {"contacts": "yesterday"}},
        ["table_cursors.contacts = 'yesterday' is not a timestamp"],
    ),
    (
        "cursor a number",
        {"table_cursors": {"contacts": 1767323045}},
        ["table_cursors.contacts is int, not a timestamp"],
    ),
    (
        "cursors not an object",
        {"state_version": 2, "table_cursors": ["contacts", TS]},
        ["'table_cursors' is list, not an object"],
    ),
    (
        "pre-release cursor garbage",
        {"cursors": {"companies": "2026-99-99"}},
        ["table_cursors.companies = '2026-99-99' is not a timestamp"],
    ),
    (
        "tracking not an object",
        {"state_version": 2, "table_batch_tracking": "contacts"},
        ["'table_batch_tracking' is str, not an object"],
    ),
    (
        "original tracking not an object",
        {"table_cursors": {}, "table_batch_tracking": ["contacts"]},
        ["'table_batch_tracking' is list, not an object"],
    ),
    (
        "one table's tracking not an object",
        {"state_version": 2, "table_batch_tracking": {"contacts": 5}},
        ["'table_batch_tracking.contacts' is int, not an object"],
    ),
    (
        "keyset without id",
        {
            "state_version": 2,
            "table_batch_tracking": {
                "contacts": {
                    "skip": 10,
                    "batch_count": 1,
                    "keyset": {"cursor": TS},
                    "lower_bound": "1900-01-01T00:00:00Z",
                    "upper_bound": TS,
                }
            },
        },
        ["table_batch_tracking.contacts.keyset has no id"],
    ),
    (
        "keyset not an object",
        {"state_version": 2, "table_batch_tracking": {"contacts": {"keyset": "abc"}}},
        ["'table_batch_tracking.contacts.keyset' is str, not an object"],
    ),
    (
        "keyset cursor not a timestamp",
        {
            "state_version": 2,
            "table_batch_tracking": {
                "contacts": {"keyset": {"cursor": "soon", "id": "5f0c1d2e-0000-4000-8000-000000000001"}}
            },
        },
        ["table_batch_tracking.contacts.keyset.cursor = 'soon' is not a timestamp"],
    ),
    (
        "negative skip",
        {"state_version": 2, "table_batch_tracking": {"contacts": {"skip": -10, "batch_count": 1}}},
        ["table_batch_tracking.contacts.skip is not a count"],
    ),
    (
        "window bound not a timestamp",
        {
            "state_version": 2,
            "table_batch_tracking": {
                "contacts": {
                    "keyset": {"cursor": TS, "id": "5f0c1d2e-0000-4000-8000-000000000001"},
                    "upper_bound": "tomorrow",
                }
            },
        },
        ["table_batch_tracking.contacts.upper_bound = 'tomorrow' is not a timestamp"],
    ),
    (
        "state_version as text",
        {"state_version": "2", "table_cursors": {}},
        ["Saved state is corrupted: state_version = '2'"],
    ),
    ("state_version zero", {"state_version": 0}, ["Saved state is corrupted: state_version = 0"]),
    (
        "custom_field_columns not an object",
        {"state_version": 2, "custom_field_columns": ["x"]},
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
