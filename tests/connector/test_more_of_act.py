"""Beyond the six original tables: groups, notes, histories, users, opportunity products and the link tables,
typed custom fields (and new ones appearing), and the setup form."""

from __future__ import annotations

import pytest

from tests.connector.conftest import Syncer
from tests.connector.test_incremental_sync import reads_from_cursor
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import load_connector_module
from tests.support.warehouse import columns, rows

EXTRA_TABLES = ("groups", "notes", "histories", "users", "opportunity_products")
LINKS = {  # link table -> (parent table, embedded array, parent key, child key)
    "opportunity_contacts": ("opportunities", "contacts", "opportunity_id", "contact_id"),
    "opportunity_companies": ("opportunities", "companies", "opportunity_id", "company_id"),
    "opportunity_groups": ("opportunities", "groups", "opportunity_id", "group_id"),
    "activity_contacts": ("activities", "contacts", "activity_id", "contact_id"),
    "activity_companies": ("activities", "companies", "activity_id", "company_id"),
    "activity_groups": ("activities", "groups", "activity_id", "group_id"),
    "activity_opportunities": ("activities", "opportunities", "activity_id", "opportunity_id"),
}
ALL = ("contacts", "companies", "opportunities", "activities", "activity_types", "products") + EXTRA_TABLES


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(
        records={
            "contacts": 150,
            "companies": 40,
            "opportunities": 60,
            "activities": 120,
            "activity_types": 12,
            "products": 20,
            "groups": 25,
            "notes": 90,
            "histories": 90,
            "users": 7,
            "opportunity_products": 140,
        }
    ) as running:
        yield running


def _truth_links(control, parent: str, array: str) -> set[tuple[str, str]]:
    return {
        (record["id"], item["id"])
        for record in control.snapshot(parent)["records"]
        for item in (record.get(array) or [])
        if item.get("id")
    }


def test_every_table_and_link_table_lands_complete(project, emulator):
    syncer = Syncer(project, emulator, tables=",".join(ALL + tuple(LINKS)), batch_size=50)
    syncer.sync()
    syncer.assert_clean("all tables incl. groups, notes, histories, users, opportunity products", tables=ALL)
    for link, (parent, array, parent_key, child_key) in LINKS.items():
        landed = {(r[parent_key], r[child_key]) for r in rows(project, link)}
        truth = _truth_links(emulator.control, parent, array)
        assert truth, f"the emulator embeds {array} in {parent}"
        assert landed == truth, link
    assert len(rows(project, "opportunity_products")) == 140


def test_changed_opportunities_bring_their_products_and_links_again(project, emulator):
    syncer = Syncer(project, emulator, tables="opportunities,opportunity_products,opportunity_contacts")
    cursor = syncer.sync().state["table_cursors"]["opportunities"]
    edited = emulator.control.mutate("opportunity_products", edit=10)["edited"]
    products = {r["id"]: r for r in emulator.control.snapshot("opportunity_products")["records"]}
    parents = sorted({products[i]["opportunityID"] for i in edited})
    emulator.control.mutate("opportunities", ids=parents, edit=len(parents))  # Act! bumps the parent's `edited`
    result = syncer.sync()
    changed = reads_from_cursor(emulator.control, "opportunities", cursor)  # the edited ones and the overlap
    assert changed < 60 and f"opportunities: complete, {changed} rows" in result.output, [
        line for line in result.output.splitlines() if "complete" in line
    ]
    syncer.assert_clean(
        "opportunity products re-read for changed opportunities", tables=("opportunities", "opportunity_products")
    )


def test_custom_fields_land_typed_and_new_ones_appear_without_a_manual_step(project, emulator):
    syncer = Syncer(project, emulator, tables="contacts,companies")
    syncer.sync()
    types = columns(project, "contacts")
    assert types["custom_fields_next_review_date"].startswith("TIMESTAMP")  # Act! Date
    assert types["custom_fields_contract_value"] == "DOUBLE"  # Currency
    assert types["custom_fields_of_seats"] == "BIGINT"  # Number (Int32)
    assert types["custom_fields_vip"] == "BOOLEAN"  # YesNo
    assert types["custom_fields_ship_to"] == "VARCHAR" and "custom_fields_ship_to_2" in types  # colliding names
    emulator.control.add_custom_field("Contact", "Loyalty Tier (2026)", "Character")
    emulator.control.add_custom_field("Contact", "Renewal On", "Date")
    emulator.control.mutate("contacts", edit=5)
    syncer.sync()
    types = columns(project, "contacts")
    assert types["custom_fields_loyalty_tier_2026"] == "VARCHAR"
    assert types["custom_fields_renewal_on"].startswith("TIMESTAMP")
    filled = [r for r in rows(project, "contacts") if r["custom_fields_loyalty_tier_2026"] is not None]
    assert filled, "edited records carry the new field's values"


def test_setup_form_describes_every_key_with_the_right_kind_of_field():
    from fivetran_connector_sdk.form_field import PASSWORD, PLAIN_TEXT

    entry = load_connector_module()
    from act.config import ALL_KEYS

    form = entry.configuration_form().to_response()
    fields = {field.name: field for field in form.fields}
    assert set(fields) == set(ALL_KEYS)
    assert fields["password"].text_field == PASSWORD
    assert fields["ca_bundle"].text_field == PASSWORD
    assert fields["hostname"].text_field == PLAIN_TEXT and fields["hostname"].placeholder
    assert [o.value for o in fields["protocol"].dropdown_options] == ["https", "http"]
    assert fields["verify_tls"].toggle
    assert all(field.label and field.description for field in fields.values())
    assert [test.name for test in form.tests] == ["test_server_answers", "test_credentials", "test_tables_readable"]
