"""Time and schema, end to end: the incremental position follows the data's own clock whatever the server's `Date`
header says; child and link tables switched on later are backfilled whole; custom-field columns never move and
never silently lose values; product lines are read whole however the server caps an answer, and an opportunity
gone before its lines are read is a deleted opportunity, not a failed sync.
"""

from __future__ import annotations

import pytest

from tests.connector.conftest import Syncer
from tests.connector.test_deletes import (
    EVERY_SYNC,
    assert_exact,
    assert_links_exact,
    deleted_flags,
    marked_deleted,
    records,
)
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import fivetran_debug, make_project
from tests.support.warehouse import columns, rows

SKEW_TABLES = ("contacts", "companies", "products")  # products' cursor is `editDate`
SKEW_SAID = "after the Act! server's Date header"


# ------------------------------------------------------------------------------------------ the data's clock


@pytest.mark.parametrize("offset", [600, -600], ids=["date-10-min-ahead", "date-10-min-behind"])
def test_with_the_date_header_10_minutes_off_every_edit_made_before_a_sync_is_in_it(project, offset):
    with start_emulator(records=records(contacts=200, companies=80, products=60), date_offset_seconds=offset) as emu:
        syncer = Syncer(project, emu, tables=",".join(SKEW_TABLES))
        syncer.sync()
        assert_exact(syncer, f"clock: Date {offset:+d} s, sync 1", SKEW_TABLES)
        for round_number in (2, 3):
            for table in SKEW_TABLES:
                emu.control.mutate(
                    table, edit=40 if table == "contacts" else 10, insert=25 if table == "contacts" else 5
                )
            result = syncer.sync()
            assert_exact(syncer, f"clock: Date {offset:+d} s, sync {round_number}", SKEW_TABLES)
            # the data's stamps run 600 s after Date when Date is behind: said once per sync, never when it is ahead
            assert result.output.count(SKEW_SAID) == (1 if offset < 0 else 0), [
                line for line in result.output.splitlines() if SKEW_SAID in line
            ]


# ------------------------------------------------------------------------------------ tables switched on later


def test_a_link_table_and_product_lines_switched_on_after_three_syncs_are_backfilled_whole(project):
    with start_emulator(records=records(contacts=80, opportunities=50, opportunity_products=150)) as emulator:
        syncer = Syncer(project, emulator, tables="contacts,opportunities")
        for _ in range(3):
            syncer.sync()
            emulator.control.mutate("opportunities", edit=4, insert=2)
        result = syncer.sync(tables="contacts,opportunities,opportunity_contacts,opportunity_products")
        backfill = next(line for line in result.output.splitlines() if "opportunities: read whole this sync" in line)
        assert "backfill of" in backfill and "opportunity_contacts" in backfill and "opportunity_products" in backfill
        assert_exact(
            syncer,
            "tables: links and product lines switched on after 3 syncs",
            ("opportunities", "opportunity_products"),
        )
        assert_links_exact(project, emulator.control, "opportunity_contacts")


def _kept(project, table: str, key: tuple[str, ...]) -> dict:
    return {
        tuple(r[k] for k in key): {c: v for c, v in r.items() if c != "_fivetran_synced"}
        for r in rows(project, table, live_only=False)
    }


def test_a_table_switched_off_keeps_its_rows_and_is_backfilled_when_switched_on_again(project):
    with start_emulator(records=records(contacts=60, opportunities=40, opportunity_products=120)) as emulator:
        control = emulator.control
        everything = "opportunities,opportunity_products,opportunity_contacts"
        syncer = Syncer(project, emulator, tables=everything)
        syncer.sync()
        lines = _kept(project, "opportunity_products", ("id",))
        links = _kept(project, "opportunity_contacts", ("opportunity_id", "contact_id"))
        control.mutate("opportunity_products", delete=5)
        parent = control.snapshot("opportunities", ["id"])["records"][0]["id"]
        control.mutate("opportunity_products", insert=4, edit=1, parent=parent, touch_parent=True)
        control.mutate("opportunities", edit=6, delete=2)
        syncer.sync(tables="opportunities")  # switched off: their rows stay as they were
        assert _kept(project, "opportunity_products", ("id",)) == lines
        assert _kept(project, "opportunity_contacts", ("opportunity_id", "contact_id")) == links
        result = syncer.sync(tables=everything)
        assert "opportunities: read whole this sync (backfill of" in result.output
        assert_exact(syncer, "tables: product lines switched off and on", ("opportunities", "opportunity_products"))
        assert_links_exact(project, control, "opportunity_contacts")


# ---------------------------------------------------------------------------------------------- custom fields


@pytest.fixture
def emulator():
    with start_emulator(records=records(contacts=80)) as running:
        yield running


def _custom(project, column: str) -> dict:
    """column's value per live contact."""
    return {r["id"]: r[column] for r in rows(project, "contacts", f"id, {column}")}


def _truth(control, field: str) -> dict:
    return {r["id"]: (r.get("customFields") or {}).get(field) for r in control.snapshot("contacts")["records"]}


def _custom_fields_changed(output: str) -> bool:
    return "contacts: read whole this sync (custom fields changed" in output


def test_a_custom_field_added_beside_a_colliding_name_leaves_the_existing_column_as_it_was(project, emulator):
    control = emulator.control
    control.delete_custom_field("Contact", "Ship To")  # a database with "Ship-To" alone
    syncer = Syncer(project, emulator, tables="contacts")
    syncer.sync()
    assert _custom(project, "custom_fields_ship_to") == _truth(control, "Ship-To")
    control.add_custom_field("Contact", "Ship To", "Character")  # created later: it takes the suffix
    control.mutate("contacts", edit=20)  # edited records carry values for it
    result = syncer.sync()
    assert _custom_fields_changed(result.output)
    assert _custom(project, "custom_fields_ship_to") == _truth(control, "Ship-To")
    assert _custom(project, "custom_fields_ship_to_2") == _truth(control, "Ship To")
    assert any(_truth(control, "Ship To").values())
    assert_exact(syncer, "custom fields: 'Ship To' added beside 'Ship-To'", ("contacts",))


def test_a_renamed_custom_field_fills_a_new_column_and_the_old_one_is_no_longer_written(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts")
    syncer.sync()
    before = _custom(project, "custom_fields_referral_source")
    assert any(before.values())
    control.rename_custom_field("Contact", "Referral Source", "Lead Channel")  # same metadata id, no `edited` moves
    result = syncer.sync()
    assert _custom_fields_changed(result.output)
    assert _custom(project, "custom_fields_lead_channel") == _truth(control, "Lead Channel") == before
    assert not any(_custom(project, "custom_fields_referral_source").values())  # documented: no longer written
    assert_exact(syncer, "custom fields: a field renamed", ("contacts",))


def test_a_deleted_custom_field_is_no_longer_written_and_the_other_columns_keep_their_values(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts")
    syncer.sync()
    assert any(_custom(project, "custom_fields_region_territory").values())
    control.delete_custom_field("Contact", "Region/Territory")
    result = syncer.sync()
    assert _custom_fields_changed(result.output)
    assert not any(_custom(project, "custom_fields_region_territory").values())
    assert _custom(project, "custom_fields_ship_to") == _truth(control, "Ship-To")
    assert _custom(project, "custom_fields_ship_to_2") == _truth(control, "Ship To")
    assert_exact(syncer, "custom fields: a field deleted", ("contacts",))


def test_a_custom_field_that_changes_type_keeps_every_value(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts")
    syncer.sync()
    assert columns(project, "contacts")["custom_fields_of_seats"] == "BIGINT"
    control.retype_custom_field("Contact", "# of Seats", "Character")  # 42 -> "42"
    control.retype_custom_field("Contact", "Region/Territory", "Number")  # text -> numbers drawn anew
    result = syncer.sync()
    assert _custom_fields_changed(result.output)
    for column, field in (
        ("custom_fields_of_seats", "# of Seats"),
        ("custom_fields_region_territory", "Region/Territory"),
    ):
        landed, truth = _custom(project, column), _truth(control, field)
        assert any(truth.values())
        lost = {i: (truth[i], landed.get(i)) for i in truth if truth[i] is not None and landed.get(i) is None}
        assert not lost, f"{column}: values silently NULL after the type change, e.g. {list(lost.items())[:3]}"
        wrong = {i: (truth[i], landed[i]) for i in truth if truth[i] is not None and str(landed[i]) != str(truth[i])}
        numeric = {i: v for i, v in wrong.items() if float(v[0]) == float(v[1])}  # 7 landed as 7.0
        assert not set(wrong) - set(numeric), f"{column}: {list(wrong.items())[:3]}"
    assert_exact(syncer, "custom fields: fields change type", ("contacts",))


def test_a_failed_metadata_read_fails_the_sync_naming_the_cause_and_changes_no_column(project, emulator, tmp_path):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts", max_retries=1)
    syncer.sync()
    before = columns(project, "contacts")
    control.plan([{"match": "/api/metadata", "times": 10_000, "fault": "500"}])
    for target in (make_project(tmp_path / "fresh"), project):  # a first sync, and one with a saved mapping
        failed = fivetran_debug(target, syncer.config)
        assert not failed.succeeded
        error = next(line for line in failed.output.splitlines() if "Error: failed while executing" in line)
        assert "/api/metadata/Contact/fields" in error and "HTTP 500" in error, error
    assert columns(project, "contacts") == before
    control.clear_plan()
    edited = control.mutate("contacts", edit=10)["edited"]
    syncer.sync()
    for column, field in (("custom_fields_ship_to", "Ship-To"), ("custom_fields_ship_to_2", "Ship To")):
        landed, truth = _custom(project, column), _truth(control, field)
        assert {i: landed[i] for i in edited} == {i: truth[i] for i in edited}, column
    assert_exact(syncer, "custom fields: metadata read fails, then syncs again", ("contacts",))
    after = columns(project, "contacts")
    changed = {column: (kind, after.get(column)) for column, kind in before.items() if after.get(column) != kind}
    assert not changed, f"columns changed around a sync that could not read the metadata: {changed}"


@pytest.mark.parametrize("opportunities", [20, 4], ids=["opportunities-paged-too", "fewer-opportunities-than-the-cap"])
def test_product_lines_answered_in_capped_pages_all_land(project, opportunities):
    # the server returns at most 5 records per request; 8 opportunities (or all 4) get more product lines than that
    counts = records(opportunities=opportunities, opportunity_products=30 if opportunities > 5 else 4)
    with start_emulator(records=counts, max_page_size=5) as emulator:
        control = emulator.control
        parents = [r["id"] for r in control.snapshot("opportunities", ["id"])["records"]]
        for parent in parents[:8]:
            control.mutate("opportunity_products", insert=7, parent=parent)
        syncer = Syncer(project, emulator, tables="opportunities,opportunity_products", batch_size=100)
        syncer.sync()
        assert_exact(syncer, "product lines: capped answers, first sync", ("opportunities", "opportunity_products"))
        control.mutate("opportunity_products", insert=6, edit=2, parent=parents[0], touch_parent=True)
        syncer.sync()  # only that opportunity changed: its lines are read again, in capped pages
        assert_exact(syncer, "product lines: capped answers, incremental", ("opportunities", "opportunity_products"))


def test_an_opportunity_gone_before_its_product_lines_are_read_is_marked_deleted_not_a_failed_sync(project):
    with start_emulator(records=records(opportunities=20, opportunity_products=60)) as emulator:
        control = emulator.control
        syncer = Syncer(project, emulator, tables="opportunities,opportunity_products")
        syncer.sync()
        lines = control.snapshot("opportunity_products", ["id", "opportunityID"])["records"]
        parents = sorted({r["opportunityID"] for r in lines})
        victim, spared = parents[0], parents[1]
        victim_lines = {r["id"] for r in lines if r["opportunityID"] == victim}
        # a 404 for an opportunity that still exists is not taken for a deletion
        control.mutate("opportunities", ids=[spared], edit=1)
        control.plan([{"match": f"/api/opportunities/{spared}/products", "fault": "404"}])
        syncer.sync(expect_success=False)
        assert control.stats()["faults"] == {"404": 1}
        assert not marked_deleted(project, "opportunities")
        # deleted between the page that lists it and the read of its lines
        control.mutate("opportunities", ids=[victim], edit=1)
        control.plan(
            [
                {
                    "match": f"/api/opportunities/{victim}/products",
                    "mutate": {"table": "opportunities", "ids": [victim], "delete": 1},
                }
            ]
        )
        result = syncer.sync()
        assert "was deleted before its rows were read" in result.output
        assert marked_deleted(project, "opportunities") == {victim}
        syncer.sync(full_resync_hours=EVERY_SYNC)  # its lines go at the next full re-read
        assert marked_deleted(project, "opportunity_products") == victim_lines
        assert not deleted_flags(project, "opportunities")[spared]
        assert_exact(syncer, "product lines: 404 on a products read", ("opportunities", "opportunity_products"))
