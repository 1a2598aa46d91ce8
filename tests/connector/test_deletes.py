"""Hard deletes: records deleted in Act! end up `_fivetran_deleted = TRUE`, exactly those, found by the
reconciliation walk; never a live record; a walk killed midway resumes; the state stays a few KB."""

from __future__ import annotations

import json

import pytest

from tests.connector.conftest import Syncer
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import fivetran_debug_killed
from tests.support.warehouse import rows

EVERY_SYNC = "0.0001"  # hours: a delete check on every sync
TABLES = ("contacts", "companies", "opportunities", "activities", "products")


@pytest.fixture
def emulator():
    with start_emulator(
        records={
            "contacts": 400,
            "companies": 120,
            "opportunities": 90,
            "activities": 300,
            "activity_types": 12,
            "products": 40,
        }
    ) as running:
        yield running


def _deleted_flags(project, table: str) -> dict[str, bool]:
    return {
        r["id"]: bool(r["_fivetran_deleted"]) for r in rows(project, table, "id, _fivetran_deleted", live_only=False)
    }


def test_records_deleted_in_act_are_marked_deleted_exactly(project, emulator):
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, batch_size=100)
    first = syncer.sync()
    assert "first delete check" in first.output
    gone = {
        table: set(emulator.control.mutate(table, delete=count)["deleted"])
        for table, count in (
            ("contacts", 9),
            ("companies", 4),
            ("opportunities", 3),
            ("activities", 7),
            ("products", 2),
        )
    }
    emulator.control.mutate("contacts", insert=20, edit=15)  # new and edited records are not mistaken for deletes
    syncer.sync()
    for table in TABLES:
        flags = _deleted_flags(project, table)
        assert {i for i, deleted in flags.items() if deleted} == gone[table], table
    syncer.assert_clean("deletes: 25 deleted records marked deleted, no live one", tables=TABLES)
    state = json.loads((project / "files" / "state.json").read_text())
    assert len(json.dumps(state)) < 50_000  # a few KB per table, whatever the table size


def test_no_delete_check_before_the_interval_and_none_when_off(project, emulator):
    syncer = Syncer(project, emulator, delete_reconciliation_hours="24", tables="contacts")
    assert "first delete check" in syncer.sync().output
    emulator.control.mutate("contacts", delete=5)
    result = syncer.sync()
    assert "delete check" not in result.output  # the next one is due in 24 h
    assert not any(_deleted_flags(project, "contacts").values())
    off = syncer.sync(delete_reconciliation_hours="0", state={})
    assert "delete check" not in off.output


@pytest.mark.parametrize("kill_after", [1, 3])
def test_a_delete_check_killed_midway_resumes_and_marks_exactly_the_deleted(project, emulator, kill_after):
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, batch_size=50, tables="contacts")
    syncer.sync()
    gone = set(emulator.control.mutate("contacts", delete=6)["deleted"])
    syncer.sync(delete_reconciliation_hours="1000")  # the incremental pass alone: deletes not yet checked
    syncer.config["delete_reconciliation_hours"] = EVERY_SYNC
    killed = fivetran_debug_killed(project, syncer.config, kill_after_lines=kill_after, pattern='"walk"')
    assert killed.returncode != 0
    assert not any(_deleted_flags(project, "contacts").values())  # nothing committed as deleted mid-walk
    result = syncer.sync()
    assert "6 deleted in Act! marked deleted" in result.output
    flags = _deleted_flags(project, "contacts")
    assert {i for i, deleted in flags.items() if deleted} == gone
    syncer.assert_clean("deletes: delete check killed midway, resumed", tables=("contacts",))


def test_links_of_deleted_parents_are_marked_deleted_by_the_delete_check(project, emulator):
    tables = "opportunities,opportunity_contacts,opportunity_companies,activities,activity_contacts"
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, tables=tables)
    syncer.sync()
    gone = {
        "opportunities": set(emulator.control.mutate("opportunities", delete=4)["deleted"]),
        "activities": set(emulator.control.mutate("activities", delete=5)["deleted"]),
    }
    result = syncer.sync()
    assert "removed links marked deleted" in result.output
    for link, parent, key in (
        ("opportunity_contacts", "opportunities", "opportunity_id"),
        ("opportunity_companies", "opportunities", "opportunity_id"),
        ("activity_contacts", "activities", "activity_id"),
    ):
        landed = rows(project, link, f"{key}, _fivetran_deleted", live_only=False)
        deleted = {r[key] for r in landed if r["_fivetran_deleted"]}
        live = {r[key] for r in landed if not r["_fivetran_deleted"]}
        assert deleted and deleted <= gone[parent], link  # links of deleted parents, and nothing else
        assert not live & gone[parent], link  # none of them left live
