"""Act!'s relationships end to end: the links embedded in notes and history items, group membership and company
associations land complete, follow changes, capture removals, and are backfilled when switched on later."""

from __future__ import annotations

import pytest

from tests.connector.conftest import Syncer
from tests.support.emulator import start_emulator
from tests.support.warehouse import compare, rows

RECORD_LINKS = {  # link table -> (parent table, embedded array, parent key, linked key)
    f"{prefix}_{array}": (
        parent,
        array,
        f"{prefix}_id",
        f"{array[:-3] + 'y' if array.endswith('ies') else array[:-1]}_id",
    )
    for parent, prefix in (("notes", "note"), ("histories", "history"))
    for array in ("contacts", "companies", "groups", "opportunities")
}
EVERY_SYNC = "0.0001"  # hours: a delete check on every sync


@pytest.fixture
def emulator():
    with start_emulator(
        records={
            "contacts": 120,
            "companies": 30,
            "opportunities": 30,
            "groups": 12,
            "notes": 60,
            "histories": 60,
            "activities": 0,
            "activity_types": 0,
            "products": 0,
            "users": 0,
            "opportunity_products": 0,
        }
    ) as running:
        yield running


def truth_links(control, link: str) -> set[tuple[str, str]]:
    parent, array, _, _ = RECORD_LINKS[link]
    return {(str(r["id"]), str(i["id"])) for r in control.snapshot(parent)["records"] for i in r.get(array) or []}


def live_links(project, link: str) -> set[tuple[str, str]]:
    _, _, parent_key, linked_key = RECORD_LINKS[link]
    return {(str(r[parent_key]), str(r[linked_key])) for r in rows(project, link, f"{parent_key}, {linked_key}")}


def assert_exact(syncer: Syncer, scenario: str, tables: tuple[str, ...]) -> None:
    """Every table equals the truth, and nothing deleted at the source is live in the warehouse."""
    comparisons = syncer.assert_clean(scenario, tables=tables)
    assert all(c.exact for c in comparisons), "\n".join(str(c) for c in comparisons if not c.exact)


def test_links_of_notes_and_history_items_land_complete_and_follow_changes(project, emulator):
    tables = ("notes", "histories", *RECORD_LINKS)
    syncer = Syncer(project, emulator, tables=",".join(tables), delete_reconciliation_hours=EVERY_SYNC)
    syncer.sync()
    for link in RECORD_LINKS:
        assert truth_links(emulator.control, link), f"the emulator embeds {link}'s array"
        assert live_links(project, link) == truth_links(emulator.control, link), link
    control = emulator.control
    note = next(r for r in control.snapshot("notes")["records"] if r.get("contacts"))
    control.unlink("notes", note["id"], "contacts", [note["contacts"][0]["id"]])
    history = next(r for r in control.snapshot("histories")["records"] if r.get("groups"))
    control.unlink("histories", history["id"], "groups", [history["groups"][0]["id"]], touch=False)
    company = control.snapshot("companies")["records"][0]["id"]
    control.link("histories", history["id"], "companies", add=[company])
    syncer.sync()
    for link in RECORD_LINKS:
        assert live_links(project, link) == truth_links(emulator.control, link), link
    assert_exact(syncer, "relationships: note and history links, changed and removed", ("notes", "histories"))


def test_group_membership_changes_and_deleted_groups_land_at_the_next_sync(project, emulator):
    tables = ("contacts", "groups", "group_contacts")
    syncer = Syncer(project, emulator, tables=",".join(tables))
    syncer.sync()
    assert_exact(syncer, "relationships: group membership, first sync", tables)
    control = emulator.control
    pairs = control.snapshot("group_contacts")["records"]
    group = pairs[0]["group_id"]
    members = [p["contact_id"] for p in pairs if p["group_id"] == group]
    others = [r["id"] for r in control.snapshot("contacts")["records"] if r["id"] not in members][:3]
    control.group_members(group, add=others, remove=members[:2])  # no record's `edited` moves
    syncer.sync()
    assert_exact(syncer, "relationships: members added and removed, no stamp moved", tables)
    control.mutate("groups", delete=2)
    syncer.sync()
    assert_exact(syncer, "relationships: groups deleted with their members", tables)


def test_company_associations_follow_changed_records_and_removals_land_by_the_full_reread(project, emulator):
    tables = ("contacts", "companies", "company_contacts")
    syncer = Syncer(project, emulator, tables=",".join(tables), delete_reconciliation_hours=EVERY_SYNC)
    syncer.sync()
    assert_exact(syncer, "relationships: company associations, first sync", tables)
    control = emulator.control
    pairs = control.snapshot("company_contacts")["records"]
    company = pairs[0]["company_id"]
    associated = {p["contact_id"] for p in pairs if p["company_id"] == company}
    newcomers = [r["id"] for r in control.snapshot("contacts")["records"] if r["id"] not in associated][:2]
    control.company_contacts(company, add=newcomers[:1], touch_company=False)  # only the contact's stamp moves
    control.company_contacts(company, add=newcomers[1:], touch_contact=False)  # only the company's stamp moves
    syncer.sync()
    comparison = compare(project, control, "company_contacts")
    assert not comparison.lost and not comparison.duplicated, comparison  # additions land at the next sync
    control.company_contacts(company, remove=sorted(associated)[:1])
    control.mutate("companies", delete=1)
    syncer.sync(full_resync_hours=EVERY_SYNC)  # the scheduled re-read of companies marks what no stamp shows
    assert_exact(syncer, "relationships: associations removed, a company deleted, full re-read", tables)


def test_relationship_tables_switched_on_later_are_backfilled(project, emulator):
    base = ("contacts", "companies", "groups", "notes")
    syncer = Syncer(project, emulator, tables=",".join(base))
    for _ in range(2):
        emulator.control.mutate("contacts", edit=5)
        syncer.sync()
    more = ("group_contacts", "company_contacts", "note_contacts", "note_groups")
    result = syncer.sync(tables=",".join(base + more))
    assert "backfill of" in result.output
    assert_exact(syncer, "relationships: switched on after two syncs, backfilled", base + more[:2])
    for link in more[2:]:
        assert live_links(project, link) == truth_links(emulator.control, link), link
