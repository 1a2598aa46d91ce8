"""Custom fields changing under a connector: added, renamed (same metadata id), deleted and retyped. Records'
`customFields` follow each change, and no record's `edited` moves, as in Act!, where Define Fields changes the
schema, not the records."""

import pytest

from act_emulator import custom_fields
from act_emulator.dotnet_time import parse_ticks
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emu():  # one server: each test changes fields no other test looks at
    with start_emulator(records="small", seed=21) as running:
        yield running


@pytest.fixture()
def api(emu):
    return emu.api_get()


def _stamps(emu, table="contacts") -> dict:
    return {r["id"]: r["edited"] for r in emu.control.snapshot(table, fields=["id", "edited"])["records"]}


def _column(api, record_type, name):
    return next((c for c in api(f"/api/metadata/{record_type}/fields").json() if c["name"] == name), None)


def test_every_column_has_a_stable_id_and_a_create_date_later_for_added_fields(emu, api):
    columns = api("/api/metadata/Contact/fields").json()
    assert all(c["id"] and c["createDate"] for c in columns)
    assert api("/api/metadata/Contact/fields").json() == columns
    added = emu.control.add_custom_field("Contact", "Loyalty Tier", "Character")
    assert parse_ticks(added["createDate"]) > max(parse_ticks(c["createDate"]) for c in columns)
    assert _column(api, "Contact", "Loyalty Tier") == added
    with pytest.raises(RuntimeError):
        emu.control.add_custom_field("Contact", "Loyalty Tier", "Number")


def test_rename_keeps_the_id_and_moves_the_values(emu, api):
    before = _column(api, "Contact", "# of Seats")
    values = {r["id"]: r["customFields"]["# of Seats"] for r in emu.control.snapshot("contacts")["records"]}
    stamps = _stamps(emu)
    column = emu.control.rename_custom_field("Contact", "# of Seats", "Seat Count")
    assert column["id"] == before["id"] and column["name"] == column["displayName"] == "Seat Count"
    assert column["createDate"] == before["createDate"] and column["columnName"] == before["columnName"]
    assert _column(api, "Contact", "# of Seats") is None and _column(api, "Contact", "Seat Count") == column
    served = api("/api/contacts").json()
    assert {r["id"]: r["customFields"]["Seat Count"] for r in served} == values
    assert not any("# of Seats" in r["customFields"] for r in served)
    assert _stamps(emu) == stamps
    inserted = emu.control.mutate("contacts", insert=1)["inserted"][0]
    assert "Seat Count" in api("/api/contacts/" + inserted).json()["customFields"]


def test_delete_removes_the_field_everywhere(emu, api):
    stamps = _stamps(emu, "opportunities")
    gone = emu.control.delete_custom_field("Opportunity", "Next Step")
    assert gone["name"] == "Next Step" and _column(api, "Opportunity", "Next Step") is None
    assert not any("Next Step" in r["customFields"] for r in api("/api/opportunities").json())
    assert _stamps(emu, "opportunities") == stamps
    emu.control.mutate("opportunities", edit=2, insert=1)
    assert not any("Next Step" in r["customFields"] for r in api("/api/opportunities").json())


def test_retype_number_to_character_converts_values(emu, api):
    before = _column(api, "Company", "# of Seats")
    values = {r["id"]: r["customFields"]["# of Seats"] for r in emu.control.snapshot("companies")["records"]}
    stamps = _stamps(emu, "companies")
    column = emu.control.retype_custom_field("Company", "# of Seats", "Character")
    assert column["id"] == before["id"] and (column["type"], column["dataType"]) == ("String", "Character")
    assert _column(api, "Company", "# of Seats")["dataType"] == "Character"
    served = {r["id"]: r["customFields"]["# of Seats"] for r in api("/api/companies").json()}
    assert served == {i: (None if v is None else str(v)) for i, v in values.items()}
    assert _stamps(emu, "companies") == stamps


def test_retype_to_a_type_values_cannot_convert_to_draws_new_ones(emu, api):
    emu.control.retype_custom_field("Contact", "Referral Source", "Date")
    values = [r["customFields"]["Referral Source"] for r in api("/api/contacts").json()]
    assert any(v is not None for v in values)
    assert all(v is None or parse_ticks(v) for v in values)
    emu.control.retype_custom_field("Product", "Contract Term (months)", "YesNo")
    lines = emu.control.snapshot("opportunity_products")["records"]
    assert {type(r["customFields"]["Contract Term (months)"]) for r in lines} <= {bool, type(None)}


def test_schema_calls_reject_bad_input(emu):
    for call in (
        lambda: emu.control.rename_custom_field("Contact", "No Such Field", "X"),
        lambda: emu.control.rename_custom_field("Contact", "VIP?", "Ship To"),
        lambda: emu.control.delete_custom_field("Nothing", "VIP?"),
        lambda: emu.control.retype_custom_field("Contact", "VIP?", "Colour"),
    ):
        with pytest.raises(RuntimeError):
            call()


@pytest.mark.parametrize(
    "value,old,new,expected",
    [
        (12, "Number", "Character", "12"),
        ("42", "Character", "Number", 42),
        ("many", "Character", "Number", None),
        (True, "YesNo", "Character", "Yes"),
        (3.5, "Decimal", "Number", 4),
        (7, "Number", "Currency", 7.0),
        ("2020-01-01T00:00:00Z", "Date", "DateTime", "2020-01-01T00:00:00Z"),
        ("2020-01-01T00:00:00Z", "Date", "Number", None),
        (5, "Number", "Date", None),
        (None, "Number", "Character", None),
    ],
)
def test_value_conversion_table(value, old, new, expected):
    assert custom_fields.convert(value, old, new) == expected
