"""Hard deletes, end to end: whatever was deleted in Act! ends up `_fivetran_deleted = TRUE` in the warehouse,
exactly that and never a live record, at any volume and in every kind of table.

A delete check (every sync here: `delete_reconciliation_hours` 0.0001) walks a table's ids and marks exactly the
deleted ones; when it cannot list them (a mass delete) the table is read whole in the same sync under a deferred
truncate. Full-refresh tables are read whole on every sync; the product lines of an opportunity go at the next
full re-read (`full_resync_hours` 0.0001 forces one); link rows at the next delete check.

The helpers here (`records`, `deleted_flags`, `assert_exact`, `assert_links_exact`) are shared with
test_full_pass.py and test_time_and_schema.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.connector.conftest import Syncer
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import fivetran_debug_killed
from tests.support.warehouse import rows

EVERY_SYNC = "0.0001"  # hours: a delete check (or, for full_resync_hours, a full re-read) on every sync
NEVER = "8760"  # hours: not in this test
ALL_TABLES = (
    "contacts",
    "companies",
    "opportunities",
    "activities",
    "activity_types",
    "products",
    "groups",
    "notes",
    "histories",
    "users",
    "opportunity_products",
)
LINKS = {  # link table -> (parent table, embedded array, parent key, linked key)
    "opportunity_contacts": ("opportunities", "contacts", "opportunity_id", "contact_id"),
    "opportunity_companies": ("opportunities", "companies", "opportunity_id", "company_id"),
    "activity_contacts": ("activities", "contacts", "activity_id", "contact_id"),
}


def records(**counts: int) -> dict[str, int]:
    """Emulator record counts: the tables named, every other one empty (start-up stays instant)."""
    return {table: counts.get(table, 0) for table in ALL_TABLES}


def deleted_flags(project, table: str, key: str = "id") -> dict[Any, bool]:
    """Every row the warehouse holds for `table`, live or not: key -> _fivetran_deleted."""
    return {r[key]: bool(r["_fivetran_deleted"]) for r in rows(project, table, f"{key}, _fivetran_deleted", False)}


def marked_deleted(project, table: str) -> set:
    return {key for key, deleted in deleted_flags(project, table).items() if deleted}


def assert_exact(syncer: Syncer, scenario: str, tables) -> None:
    """The warehouse equals the truth (nothing lost, duplicated or stale) and its live rows are exactly the
    truth's records: every record deleted in Act! is marked deleted, no live one is."""
    comparisons = syncer.assert_clean(scenario, tables=tables)
    for comparison in comparisons:
        truth = {str(r["id"]) for r in syncer.emulator.control.snapshot(comparison.table, ["id"])["records"]}
        live = {str(key) for key, deleted in deleted_flags(syncer.project, comparison.table).items() if not deleted}
        assert live == truth, (
            f"{scenario}: {comparison.table}: {len(live - truth)} rows live in the warehouse that Act! no longer "
            f"has (e.g. {sorted(live - truth)[:3]}), {len(truth - live)} records of Act! not live "
            f"(e.g. {sorted(truth - live)[:3]})"
        )


def truth_links(control, link: str) -> set[tuple[str, str]]:
    parent, array, _, _ = LINKS[link]
    return {
        (str(record["id"]), str(item["id"]))
        for record in control.snapshot(parent)["records"]
        for item in record.get(array) or []
        if item.get("id") is not None
    }


def warehouse_links(project, link: str) -> tuple[set, set]:
    """(live pairs, pairs marked deleted) of a link table."""
    _, _, parent_key, linked_key = LINKS[link]
    landed = rows(project, link, f"{parent_key}, {linked_key}, _fivetran_deleted", live_only=False)
    live = {(str(r[parent_key]), str(r[linked_key])) for r in landed if not r["_fivetran_deleted"]}
    return live, {(str(r[parent_key]), str(r[linked_key])) for r in landed if r["_fivetran_deleted"]}


def assert_links_exact(project, control, link: str) -> None:
    live, _ = warehouse_links(project, link)
    truth = truth_links(control, link)
    assert truth, f"the emulator embeds links for {link}"
    assert live == truth, f"{link}: {len(live - truth)} removed links live, {len(truth - live)} links not live"


@pytest.fixture
def emulator():
    with start_emulator(
        records=records(contacts=400, companies=60, opportunities=60, activities=120, activity_types=12, products=20)
    ) as running:
        yield running


# ----------------------------------------------------------------------------------------------- volumes


@pytest.mark.parametrize(
    "count, size, how",
    [
        (30, 400, "contacts: delete check walked 380 ids, 30 deleted in Act! marked deleted, 0 back again"),
        (500, 1_200, "contacts: full re-read ("),
        (5_000, 6_000, "contacts: full re-read ("),
    ],
    ids=["30", "500", "5000"],
)
def test_deletions_between_two_checks_are_marked_deleted_exactly_at_any_volume(project, count, size, how):
    with start_emulator(records=records(contacts=size)) as emulator:
        syncer = Syncer(project, emulator, tables="contacts", delete_reconciliation_hours=EVERY_SYNC, batch_size=1000)
        syncer.sync()
        gone = set(emulator.control.mutate("contacts", delete=count)["deleted"])
        emulator.control.mutate("contacts", edit=10, insert=10)  # edited and new records are not deletions
        result = syncer.sync()
        assert how in result.output, [line for line in result.output.splitlines() if "contacts:" in line][-8:]
        assert marked_deleted(project, "contacts") == gone
        assert_exact(syncer, f"deletes: {count} deletions in one table between checks", ("contacts",))
        state = json.loads((project / "files" / "state.json").read_text())
        assert len(json.dumps(state)) < 60_000  # positions and sketches, never a list of ids


def test_no_delete_check_before_its_interval_and_none_when_off(project, emulator):
    syncer = Syncer(project, emulator, delete_reconciliation_hours="24", tables="contacts")
    syncer.sync()
    emulator.control.mutate("contacts", delete=5)
    result = syncer.sync()
    assert "delete check" not in result.output  # the next one is due in 24 h
    assert not any(deleted_flags(project, "contacts").values())
    off = syncer.sync(delete_reconciliation_hours="0")
    assert "delete check" not in off.output
    assert not any(deleted_flags(project, "contacts").values())


def test_a_delete_check_killed_midway_resumes_and_marks_exactly_the_deleted(project, emulator):
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, batch_size=50, tables="contacts")
    syncer.sync()
    gone = set(emulator.control.mutate("contacts", delete=6)["deleted"])
    syncer.sync(delete_reconciliation_hours=NEVER)  # the incremental pass alone: deletes not yet checked
    killed = fivetran_debug_killed(project, syncer.config, kill_after_lines=3, pattern='"walk"')
    assert killed.returncode != 0
    assert not any(deleted_flags(project, "contacts").values())  # nothing committed as deleted mid-walk
    result = syncer.sync()
    assert "6 deleted in Act! marked deleted" in result.output
    assert marked_deleted(project, "contacts") == gone
    assert_exact(syncer, "deletes: delete check killed midway, resumed", ("contacts",))


# ------------------------------------------------------------------------------------------- table kinds


def test_full_refresh_tables_mark_the_rows_gone_from_act(project):
    with start_emulator(records=records(activity_types=12, users=9)) as emulator:
        syncer = Syncer(project, emulator, tables="activity_types,users")
        syncer.sync()
        gone = {
            "activity_types": set(emulator.control.mutate("activity_types", delete=3)["deleted"]),
            "users": set(emulator.control.mutate("users", delete=2)["deleted"]),
        }
        syncer.sync()
        for table, ids in gone.items():
            assert {str(i) for i in marked_deleted(project, table)} == {str(i) for i in ids}, table
        assert_exact(syncer, "deletes: full-refresh tables (activity_types, users)", ("activity_types", "users"))


def test_product_lines_of_a_deleted_opportunity_and_removed_lines_are_marked_deleted_at_the_next_full_re_read(
    project,
):
    with start_emulator(records=records(opportunities=40, opportunity_products=120)) as emulator:
        control = emulator.control
        syncer = Syncer(
            project,
            emulator,
            tables="opportunities,opportunity_products",
            delete_reconciliation_hours=EVERY_SYNC,
            batch_size=25,
        )
        syncer.sync()
        before = {r["id"]: r["opportunityID"] for r in control.snapshot("opportunity_products")["records"]}
        opportunities = set(control.mutate("opportunities", delete=3)["deleted"])
        lines_of_deleted = {line for line, parent in before.items() if parent in opportunities}
        assert lines_of_deleted, "the deleted opportunities had product lines"
        survivors = sorted({parent for parent in before.values() if parent not in opportunities})
        removed = set()
        for parent in survivors[:3]:  # lines removed in Act! without the opportunity's stamp moving
            removed |= set(control.mutate("opportunity_products", delete=1, parent=parent)["deleted"])
        syncer.sync()  # the delete check marks the opportunities; their lines may wait for the full re-read
        assert marked_deleted(project, "opportunities") == opportunities
        syncer.sync(full_resync_hours=EVERY_SYNC)
        assert marked_deleted(project, "opportunity_products") == lines_of_deleted | removed
        assert_exact(
            syncer,
            "deletes: product lines of deleted opportunities and removed lines",
            ("opportunities", "opportunity_products"),
        )


def test_removed_links_and_links_of_deleted_parents_are_marked_deleted_by_the_next_delete_check(project, emulator):
    control = emulator.control
    tables = "opportunities,opportunity_contacts,opportunity_companies,activities,activity_contacts"
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, tables=tables)
    syncer.sync()
    with_contacts = [r for r in control.snapshot("opportunities")["records"] if len(r.get("contacts") or []) >= 1]
    unlinked = set()
    for record, touch in zip(with_contacts[:4], (True, False, True, False)):  # edited or not when unlinked
        contact = record["contacts"][0]["id"]
        control.unlink("opportunities", record["id"], "contacts", [contact], touch=touch)
        unlinked.add((str(record["id"]), str(contact)))
    deleted_parents = set(control.mutate("opportunities", delete=3)["deleted"]) | set(
        control.mutate("activities", delete=4)["deleted"]
    )
    result = syncer.sync()
    assert "removed links marked deleted" in result.output
    for link in LINKS:
        assert_links_exact(project, control, link)
    live, deleted = warehouse_links(project, "opportunity_contacts")
    assert unlinked <= deleted and not unlinked & live
    assert {parent for parent, _ in deleted} - {p for p, _ in unlinked} <= deleted_parents
    assert_exact(syncer, "deletes: links removed and links of deleted parents", ("opportunities", "activities"))


# ------------------------------------------------------------------------------------ never a live row


def test_records_created_on_a_clock_30_seconds_ahead_are_never_marked_deleted(project, emulator):
    control = emulator.control
    control.config(created_offset_seconds=30)  # `created` written by a clock 30 s ahead of `edited`'s
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, tables="contacts")
    syncer.sync()
    control.mutate("contacts", insert=10)
    syncer.sync()  # reads them; its check's cut-off is before their `created`
    assert_exact(syncer, "deletes: created clock +30 s, first check", ("contacts",))
    syncer.sync()  # the next check
    assert not any(deleted_flags(project, "contacts").values())
    control.mutate("contacts", insert=3, edited_offset_seconds=60)  # the position moves past their `created`
    syncer.sync()
    assert not any(deleted_flags(project, "contacts").values())
    assert_exact(syncer, "deletes: created clock +30 s, checks after", ("contacts",))


def test_an_id_deleted_then_found_again_is_live_again_after_the_next_check(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, tables="contacts")
    syncer.sync()
    hidden = set(control.hide("contacts", count=4))  # made private: the API user no longer sees them
    syncer.sync()
    assert marked_deleted(project, "contacts") == hidden
    assert_exact(syncer, "deletes: records hidden (private)", ("contacts",))
    control.unhide("contacts")  # public again, with their old `edited` stamps
    result = syncer.sync()
    assert "4 back again" in result.output
    assert not any(deleted_flags(project, "contacts").values())
    assert_exact(syncer, "deletes: hidden records public again", ("contacts",))


def test_delete_keys_are_the_ids_exactly_as_a_server_writing_upper_case_guids_sends_them(project):
    with start_emulator(records=records(contacts=300, opportunities=40), id_format="upper") as emulator:
        control = emulator.control
        syncer = Syncer(
            project,
            emulator,
            tables="contacts,opportunities,opportunity_contacts",
            delete_reconciliation_hours=EVERY_SYNC,
        )
        syncer.sync()
        assert all(key == key.upper() for key in deleted_flags(project, "contacts"))
        gone = set(control.mutate("contacts", delete=8)["deleted"]) | set(control.hide("contacts", count=2))
        parents = set(control.mutate("opportunities", delete=2)["deleted"])
        assert all(key == key.upper() for key in gone | parents)
        syncer.sync()  # the delete check
        assert marked_deleted(project, "contacts") == gone
        assert marked_deleted(project, "opportunities") == parents
        assert_exact(syncer, "deletes: upper-case GUIDs, delete check", ("contacts", "opportunities"))
        assert_links_exact(project, control, "opportunity_contacts")
        control.mutate("contacts", delete=200)  # too many to list: the table is read whole
        result = syncer.sync()
        assert "contacts: full re-read (" in result.output
        assert_exact(syncer, "deletes: upper-case GUIDs, mass delete", ("contacts", "opportunities"))


def test_a_spurious_empty_page_in_the_middle_of_a_delete_check_does_not_end_it(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, delete_reconciliation_hours=EVERY_SYNC, tables="contacts", batch_size=50)
    syncer.sync()
    gone = set(control.mutate("contacts", delete=5)["deleted"])
    # requests of the next sync: the incremental pass (one page of the overlap, one empty), then the walk's 8 pages
    control.plan([{"match": "/api/contacts", "skip": 5, "times": 1, "fault": "empty"}])
    result = syncer.sync()
    assert control.stats()["faults"] == {"empty": 1}
    assert "delete check walked 395 ids, 5 deleted in Act! marked deleted" in result.output
    assert "the server answered an empty page and then rows for the same page" in result.output
    assert marked_deleted(project, "contacts") == gone
    assert_exact(syncer, "deletes: spurious empty page in a delete check", ("contacts",))
