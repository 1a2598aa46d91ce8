"""Custom-field columns: names from the metadata alone, stable as fields are added, what a change reports, what a
failed or missing metadata read does, and how the flattening follows the plan."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from act import custom_fields as cf
from act.client import ActApiError
from act.custom_fields import (
    ColumnMapping,
    CustomFieldPlan,
    CustomFieldsUnavailable,
    FieldColumn,
    describe_changes,
    plan_from_metadata,
    plans_for_schema,
    plans_for_update,
)
from act.records import RecordFlattener
from act.tables import SPECS_BY_NAME

pytestmark = pytest.mark.unit

CONTACTS = SPECS_BY_NAME["contacts"]
COMPANIES = SPECS_BY_NAME["companies"]
OPPORTUNITY_PRODUCTS = SPECS_BY_NAME["opportunity_products"]
PRODUCTS_WITH_FIELDS = dataclasses.replace(OPPORTUNITY_PRODUCTS, name="products", parent_table=None)


def field(name, created="2024-01-01T00:00:00Z", id=None, data_type="Character", dotnet=None, custom=True):
    """A MetaData.Schema.Column entry as Act! serves it (only what the connector reads)."""
    return {
        "id": id or f"id-{name}",
        "name": name,
        "displayName": name,
        "createDate": created,
        "type": dotnet,
        "dataType": data_type,
        "isCustom": custom,
    }


def columns(entries) -> dict[str, str]:
    return {key: column for key, (column, _) in plan_from_metadata(entries).columns.items()}


@pytest.fixture(autouse=True)
def fresh_metadata_cache():
    cf.METADATA_CACHE.clear()
    yield
    cf.METADATA_CACHE.clear()


class Warnings(list):
    def warning(self, message: str) -> None:
        self.append(message)

    def info(self, message: str) -> None:
        pass


@pytest.fixture(autouse=True)
def warnings(monkeypatch) -> Warnings:
    """The warnings the custom fields log (the SDK's logger needs its runner)."""
    logged = Warnings()
    monkeypatch.setattr(cf, "log", logged)
    return logged


# -- names from the metadata ---------------------------------------------------------------------------------------
EARLY, LATE = "2023-05-01T10:00:00.1234567Z", "2025-02-03T08:00:00Z"


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param(
            [field("Ship-To", EARLY), field("Ship To", LATE)],
            {"Ship-To": "custom_fields_ship_to", "Ship To": "custom_fields_ship_to_2"},
            id="hyphen-created-first-keeps-the-plain-name",
        ),
        pytest.param(
            [field("Ship-To", LATE), field("Ship To", EARLY)],
            {"Ship To": "custom_fields_ship_to", "Ship-To": "custom_fields_ship_to_2"},
            id="space-created-first-keeps-the-plain-name",
        ),
        pytest.param(
            [field("Ship To", LATE), field("Ship-To", EARLY)],
            {"Ship-To": "custom_fields_ship_to", "Ship To": "custom_fields_ship_to_2"},
            id="listing-order-does-not-matter",
        ),
        pytest.param(
            [field("Ship-To", EARLY, id="b"), field("Ship To", EARLY, id="a")],
            {"Ship To": "custom_fields_ship_to", "Ship-To": "custom_fields_ship_to_2"},
            id="same-createDate-lower-id-first",
        ),
        pytest.param(
            [field("Ship-To", EARLY, id="{B0000000-0000-0000-0000-000000000000}"), field("Ship To", EARLY, id="a")],
            {"Ship To": "custom_fields_ship_to", "Ship-To": "custom_fields_ship_to_2"},
            id="id-spelling-does-not-matter",
        ),
        pytest.param(
            [field("Ship-To", LATE), field("Ship To", None)],
            {"Ship To": "custom_fields_ship_to", "Ship-To": "custom_fields_ship_to_2"},
            id="no-createDate-counts-as-oldest",
        ),
        pytest.param(
            [field("Ship-To", EARLY), field("Ship To", LATE), field("Ship To 2", "2024-01-01T00:00:00Z")],
            {
                "Ship-To": "custom_fields_ship_to",
                "Ship To 2": "custom_fields_ship_to_2",
                "Ship To": "custom_fields_ship_to_3",
            },
            id="a-field-named-ship-to-2-created-before-the-collision-keeps-its-name",
        ),
        pytest.param(
            [field("Ship-To", EARLY), field("Ship To", "2024-01-01T00:00:00Z"), field("Ship To 2", LATE)],
            {
                "Ship-To": "custom_fields_ship_to",
                "Ship To": "custom_fields_ship_to_2",
                "Ship To 2": "custom_fields_ship_to_2_2",
            },
            id="a-field-named-ship-to-2-created-after-never-takes-a-held-name",
        ),
        pytest.param(
            [field("Ship-To", EARLY), field("Ship To", LATE), field("Ship_To", LATE, id="zz")],
            {
                "Ship-To": "custom_fields_ship_to",
                "Ship To": "custom_fields_ship_to_2",
                "Ship_To": "custom_fields_ship_to_3",
            },
            id="three-way-collision",
        ),
        pytest.param(
            [field("Ship To", LATE)],
            {"Ship To": "custom_fields_ship_to"},
            id="after-ship-to-was-deleted-the-other-takes-the-plain-name",
        ),
        pytest.param(
            [field("Company Name", custom=False), field("VIP?")],
            {"VIP?": "custom_fields_vip"},
            id="system-fields-are-not-custom-fields",
        ),
        pytest.param(
            [field("Region", LATE, id="later"), field("Region", EARLY, id="first")],
            {"Region": "custom_fields_region"},
            id="a-key-listed-twice-is-one-field",
        ),
        pytest.param([], {}, id="no-custom-fields"),
    ],
)
def test_columns_follow_from_the_metadata(entries, expected):
    assert columns(entries) == expected


@pytest.mark.parametrize(
    ("dotnet", "data_type", "sdk"),
    [
        ("String", "Character", "STRING"),
        ("String", "Memo", "STRING"),
        ("DateTime", "Date", "UTC_DATETIME"),
        ("DateTime", "AnnualEvent", "UTC_DATETIME"),
        ("Int32", "Number", "LONG"),
        ("Decimal", "Currency", "DOUBLE"),
        ("Boolean", "YesNo", "BOOLEAN"),
        (None, "Percent", "DOUBLE"),
        (None, "Picture", "STRING"),
    ],
)
def test_types_come_from_the_metadata(dotnet, data_type, sdk):
    plan = plan_from_metadata([field("X", dotnet=dotnet, data_type=data_type)])
    assert plan.columns == {"X": ("custom_fields_x", sdk)}


# -- what changed since the saved mapping --------------------------------------------------------------------------
def mapping(*fields: tuple[str, str, str, str]) -> ColumnMapping:
    """(key, id, column, type) rows."""
    return ColumnMapping({key: FieldColumn(id, column, kind) for key, id, column, kind in fields})


SHIP_HYPHEN = ("Ship-To", "1", "custom_fields_ship_to", "STRING")
SHIP_SPACE = ("Ship To", "2", "custom_fields_ship_to_2", "STRING")
SEATS = ("# of Seats", "3", "custom_fields_of_seats", "LONG")


@pytest.mark.parametrize(
    ("old", "new", "reasons"),
    [
        pytest.param(mapping(SHIP_HYPHEN, SEATS), mapping(SHIP_HYPHEN, SEATS), [], id="unchanged"),
        pytest.param(
            mapping(SHIP_HYPHEN),
            mapping(SHIP_HYPHEN, SHIP_SPACE),
            ["field 'Ship To' added (column custom_fields_ship_to_2)"],
            id="added-beside-a-colliding-name",
        ),
        pytest.param(
            mapping(SHIP_HYPHEN, SEATS),
            mapping(SHIP_HYPHEN),
            ["field '# of Seats' deleted (column custom_fields_of_seats no longer written)"],
            id="deleted",
        ),
        pytest.param(
            mapping(SHIP_HYPHEN, SEATS),
            mapping(SHIP_HYPHEN, ("Seats", "3", "custom_fields_seats", "LONG")),
            ["field '# of Seats' renamed to 'Seats' (column custom_fields_of_seats → custom_fields_seats)"],
            id="renamed",
        ),
        pytest.param(
            mapping(SHIP_HYPHEN),
            mapping(("Ship To", "1", "custom_fields_ship_to", "STRING")),
            [],
            id="renamed-to-the-same-column-changes-nothing",
        ),
        pytest.param(
            mapping(SHIP_HYPHEN, SHIP_SPACE),
            mapping(("Ship To", "2", "custom_fields_ship_to", "STRING")),
            [
                "column of field 'Ship To' moved from custom_fields_ship_to_2 to custom_fields_ship_to",
                "field 'Ship-To' deleted (column custom_fields_ship_to no longer written)",
            ],
            id="deleting-the-first-moves-the-second",
        ),
        pytest.param(
            mapping(SEATS),
            mapping(("# of Seats", "3", "custom_fields_of_seats", "DOUBLE")),
            ["field '# of Seats' changed type from LONG to DOUBLE (column custom_fields_of_seats)"],
            id="retyped",
        ),
        pytest.param(
            mapping(SEATS),
            mapping(("# of Seats", "4", "custom_fields_of_seats", "LONG")),
            [
                "field '# of Seats' added (column custom_fields_of_seats)",
                "field '# of Seats' deleted (column custom_fields_of_seats no longer written)",
            ],
            id="deleted-and-made-again-under-the-same-name",
        ),
        pytest.param(
            mapping(SEATS),
            cf.NOT_DESCRIBED,
            ["the server no longer describes custom fields: they land as JSON text in 'custom_fields'"],
            id="server-stopped-describing",
        ),
        pytest.param(
            cf.NOT_DESCRIBED,
            mapping(SEATS),
            ["the server now describes custom fields: typed columns replace the JSON column 'custom_fields'"],
            id="server-started-describing",
        ),
        pytest.param(cf.NOT_DESCRIBED, cf.NOT_DESCRIBED, [], id="still-not-described"),
    ],
)
def test_changes_are_described(old, new, reasons):
    assert describe_changes(old, new) == reasons


def test_the_saved_mapping_round_trips_through_json():
    for kept in (mapping(SHIP_HYPHEN, SHIP_SPACE, SEATS), cf.NOT_DESCRIBED, mapping()):
        assert ColumnMapping.from_state(json.loads(json.dumps(kept.to_state()))) == kept


@pytest.mark.parametrize(
    "entry",
    [None, [], {"Ship-To": "custom_fields_ship_to"}, {"fields": {"X": {"column": "c", "type": "TEXT"}}}],
)
def test_a_saved_entry_in_another_layout_is_no_mapping(entry):
    assert ColumnMapping.from_state(entry) is None


# -- reading the metadata: schema() and update() -------------------------------------------------------------------
class FakeSession:
    def __init__(self, database: str) -> None:
        self.headers = {"Act-Database-Name": database}


class FakeClient:
    """What the custom fields read of ActClient: its base URL, database header and collection GETs."""

    def __init__(self, answers: dict, base_url="http://act.test/act.web.api", database="ActDemo") -> None:
        self.answers = answers  # record type → entries, or an exception to raise
        self.base_url = base_url
        self.session = FakeSession(database)
        self.requests: list[str] = []

    def get_collection(self, path: str):
        self.requests.append(path)
        answer = self.answers[path.split("/")[3]]
        if isinstance(answer, Exception):
            raise answer
        return answer


CONTACT_FIELDS = [field("Ship-To", EARLY, data_type="Character"), field("Ship To", LATE, data_type="Character")]
COMPANY_FIELDS = [field("Credit Limit", EARLY, dotnet="Decimal", data_type="Currency")]
PRODUCT_FIELDS = [field("Renewal?", EARLY, dotnet="Boolean", data_type="YesNo")]
DOWN = ActApiError("GET /api/metadata/Contact/fields failed after 5 retries (server error HTTP 503)")


def test_schema_and_update_read_the_metadata_once_and_agree():
    client = FakeClient({"Contact": CONTACT_FIELDS, "Company": COMPANY_FIELDS})
    declared = plans_for_schema(client, [CONTACTS, COMPANIES])
    planned, changes, section = plans_for_update(client, [CONTACTS, COMPANIES], {})
    assert planned == declared
    assert client.requests == ["/api/metadata/Contact/fields", "/api/metadata/Company/fields"]
    assert changes == {}  # first time: nothing to compare with
    assert section["contacts"]["fields"]["Ship To"] == {
        "id": "id-ship to",
        "column": "custom_fields_ship_to_2",
        "type": "STRING",
    }


def test_a_read_older_than_the_reuse_window_is_read_again(monkeypatch):
    client = FakeClient({"Contact": CONTACT_FIELDS})
    plans_for_schema(client, [CONTACTS])
    monkeypatch.setattr(cf, "METADATA_REUSE_SECONDS", -1.0)
    plans_for_schema(client, [CONTACTS])
    assert len(client.requests) == 2


def test_another_database_is_read_on_its_own():
    plans_for_schema(FakeClient({"Contact": CONTACT_FIELDS}), [CONTACTS])
    other = FakeClient({"Contact": COMPANY_FIELDS}, database="Other")
    assert plans_for_schema(other, [CONTACTS])["contacts"].columns == {
        "Credit Limit": ("custom_fields_credit_limit", "DOUBLE")
    }


def test_tables_sharing_a_record_type_read_it_once():
    client = FakeClient({"Product": PRODUCT_FIELDS})
    plans = plans_for_schema(client, [OPPORTUNITY_PRODUCTS, PRODUCTS_WITH_FIELDS])
    assert plans["products"] == plans["opportunity_products"]
    assert client.requests == ["/api/metadata/Product/fields"]


def test_schema_fails_with_the_servers_own_error_when_the_server_is_down():
    client = FakeClient({"Contact": DOWN, "Company": COMPANY_FIELDS})
    with pytest.raises(ActApiError, match="HTTP 503"):
        plans_for_schema(client, [CONTACTS, COMPANIES])
    assert client.requests == ["/api/metadata/Contact/fields"]  # the server is down: not asked again per type


def test_schema_fails_naming_the_record_type_when_its_metadata_cannot_be_read():
    forbidden = ActApiError("GET /api/metadata/Contact/fields failed with HTTP 403", 403)
    client = FakeClient({"Contact": forbidden, "Company": COMPANY_FIELDS})
    with pytest.raises(CustomFieldsUnavailable) as failure:
        plans_for_schema(client, [CONTACTS, COMPANIES])
    message = str(failure.value)
    assert "Contact" in message and "HTTP 403" in message and "'tables'" in message


def test_update_uses_the_saved_mapping_when_the_metadata_cannot_be_read(warnings):
    saved = {"contacts": mapping(("Ship-To", "id-ship-to", "custom_fields_ship_to", "STRING")).to_state()}
    planned, changes, section = plans_for_update(FakeClient({"Contact": DOWN}), [CONTACTS], saved)
    assert planned["contacts"].columns == {"Ship-To": ("custom_fields_ship_to", "STRING")}
    assert changes == {}
    assert section == saved
    assert warnings == [
        "custom fields of Contact records could not be read (GET /api/metadata/Contact/fields failed after 5 "
        "retries (server error HTTP 503)); contacts uses the columns saved by the last sync (fields added since "
        "land at the next sync that can read them)"
    ]


def test_update_fails_naming_the_cause_without_metadata_or_saved_mapping():
    with pytest.raises(CustomFieldsUnavailable) as failure:
        plans_for_update(FakeClient({"Contact": DOWN}), [CONTACTS], {"companies": {"json_column": "custom_fields"}})
    message = str(failure.value)
    assert "Contact" in message and "contacts" in message and "HTTP 503" in message and "'tables'" in message


def test_a_server_that_does_not_describe_custom_fields_lands_them_as_json():
    client = FakeClient({"Contact": ActApiError("GET ... failed with HTTP 404", 404)})
    declared = plans_for_schema(client, [CONTACTS])
    planned, changes, section = plans_for_update(client, [CONTACTS], {})
    assert declared["contacts"] == planned["contacts"] == CustomFieldPlan({}, "custom_fields")
    assert section == {"contacts": {"json_column": "custom_fields"}}
    assert client.requests == ["/api/metadata/Contact/fields"]


def test_update_reports_each_changed_table_and_saves_the_new_mapping():
    saved = plans_for_update(
        FakeClient({"Contact": CONTACT_FIELDS[:1], "Company": COMPANY_FIELDS}), [CONTACTS, COMPANIES], {}
    )[2]
    saved["groups"] = {"json_column": "custom_fields"}  # a table switched off: kept as it was
    cf.METADATA_CACHE.clear()
    _, changes, section = plans_for_update(
        FakeClient({"Contact": CONTACT_FIELDS, "Company": COMPANY_FIELDS}), [CONTACTS, COMPANIES], saved
    )
    assert changes == {"contacts": "field 'Ship To' added (column custom_fields_ship_to_2)"}
    assert set(section) == {"contacts", "companies", "groups"}
    assert section["contacts"]["fields"]["Ship-To"]["column"] == "custom_fields_ship_to"


def test_a_renamed_field_gets_a_new_column_and_the_retyped_one_its_new_type():
    before = [field("# of Seats", EARLY, id="s", dotnet="Int32"), field("Ship-To", EARLY, id="t")]
    after = [field("# of Seats", EARLY, id="s", dotnet="Decimal"), field("Deliver To", EARLY, id="t")]
    saved = plans_for_update(FakeClient({"Contact": before}), [CONTACTS], {})[2]
    cf.METADATA_CACHE.clear()
    planned, changes, _ = plans_for_update(FakeClient({"Contact": after}), [CONTACTS], saved)
    assert planned["contacts"].columns == {
        "# of Seats": ("custom_fields_of_seats", "DOUBLE"),
        "Deliver To": ("custom_fields_deliver_to", "STRING"),
    }
    assert changes["contacts"] == (
        "field '# of Seats' changed type from LONG to DOUBLE (column custom_fields_of_seats); "
        "field 'Ship-To' renamed to 'Deliver To' (column custom_fields_ship_to → custom_fields_deliver_to)"
    )


# -- properties ----------------------------------------------------------------------------------------------------
NAMES = st.sampled_from(
    ["Ship-To", "Ship To", "ship to", "Ship To 2", "Ship_To_2", "Ship To 3", "VIP?", "vip", "X", ""]
)
DATES = st.one_of(
    st.none(), st.sampled_from(["2023-01-01T00:00:00Z", "2024-06-01T12:00:00.5Z", "2024-06-01T12:00:00.5000001Z"])
)
FIELDS = st.lists(
    st.builds(
        lambda name, created, ident: field(name or "Unnamed", created, id=f"id-{ident}"),
        NAMES,
        DATES,
        st.integers(0, 5),
    ),
    max_size=12,
    unique_by=lambda entry: entry["name"],
)


@settings(max_examples=300, deadline=None)
@given(FIELDS, st.randoms(use_true_random=False))
def test_no_two_fields_share_a_column_whatever_the_listing_order(entries, random):
    mapped = columns(entries)
    assert len(set(mapped.values())) == len(mapped) == len(entries)
    shuffled = list(entries)
    random.shuffle(shuffled)
    assert columns(shuffled) == mapped


@settings(max_examples=300, deadline=None)
@given(FIELDS, NAMES)
def test_a_field_created_after_the_others_never_moves_their_columns(entries, name):
    new = field(name or "Unnamed", "2030-01-01T00:00:00Z", id="id-new")
    assume(all(entry["name"] != new["name"] for entry in entries))
    before = columns(entries)
    after = columns(entries + [new])
    assert {key: after[key] for key in before} == before


# -- the flattening follows the plan -------------------------------------------------------------------------------
PLAN = CustomFieldPlan(
    {
        "Ship-To": ("custom_fields_ship_to", "STRING"),
        "# of Seats": ("custom_fields_of_seats", "DOUBLE"),
        "Next Review Date": ("custom_fields_next_review_date", "UTC_DATETIME"),
    }
)


def test_declared_columns_include_the_plan_with_its_types():
    declared = RecordFlattener("Contacts.Contact", PLAN).columns()
    assert declared["custom_fields_of_seats"] == "DOUBLE"
    assert declared["custom_fields_next_review_date"] == "UTC_DATETIME"
    assert "custom_fields" not in declared
    assert (
        RecordFlattener("Contacts.Contact", CustomFieldPlan({}, "custom_fields")).columns()["custom_fields"] == "STRING"
    )


def test_values_are_converted_by_the_plans_type_and_unplanned_fields_are_reported():
    flattener = RecordFlattener("Contacts.Contact", PLAN)
    row = flattener.flatten(
        {"id": "c1", "customFields": {"Ship-To": "Dock 4", "# of Seats": 12, "Loyalty Tier": "Gold", "Empty": None}}
    )
    assert row["custom_fields_ship_to"] == "Dock 4"
    assert row["custom_fields_of_seats"] == 12.0 and type(row["custom_fields_of_seats"]) is float
    assert not any("loyalty" in column for column in row)
    assert flattener.problems.take() == {
        "custom field 'Loyalty Tier' is not in the metadata read at the start of the sync; it lands at the next sync": 1
    }


def test_a_value_that_does_not_fit_its_type_is_reported_not_dropped_silently():
    flattener = RecordFlattener("Contacts.Contact", PLAN)
    row = flattener.flatten({"id": "c1", "customFields": {"# of Seats": "many"}})
    assert "custom_fields_of_seats" not in row
    assert flattener.problems.take() == {"custom field '# of Seats' held str where Act! defines DOUBLE": 1}


def test_without_metadata_the_whole_map_lands_as_json_text():
    flattener = RecordFlattener("Contacts.Contact", CustomFieldPlan({}, "custom_fields"))
    row = flattener.flatten({"id": "c1", "customFields": {"Ship-To": "Dock 4", "VIP?": True}})
    assert json.loads(row["custom_fields"]) == {"Ship-To": "Dock 4", "VIP?": True}
    assert flattener.problems.take() == {}
