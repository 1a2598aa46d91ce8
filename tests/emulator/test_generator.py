"""The record generator: deterministic, realistic where a sync can trip, and consistent across references."""

from __future__ import annotations

import collections
import random
import re

import orjson
import pytest

from act_emulator import custom_fields as cf
from act_emulator.dotnet_time import format_ticks, parse_ticks
from act_emulator.generator import EDIT_FIELDS, GENERATED_UNTIL_TICKS, RecordGenerator, fmt, id_for
from act_emulator.spec import assert_conforms, properties_of
from act_emulator.tables import TABLES

COUNTS = {name: 400 for name in TABLES} | {"users": 12, "activity_types": 14}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$")


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    generator = RecordGenerator(5, COUNTS)
    return {name: list(generator.generate(name)) for name in TABLES}


def _dump(records) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in records)


def _timestamps(value):
    """Every date-time string inside a record (properties and custom fields)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _timestamps(item)
    elif isinstance(value, str) and DATE_TIME.match(value):
        yield value


def test_deterministic_and_seed_dependent():
    a, b, c = RecordGenerator(5, COUNTS), RecordGenerator(5, COUNTS), RecordGenerator(6, COUNTS)
    for name in TABLES:
        first = _dump(a.generate(name))
        assert first == _dump(b.generate(name)), name
        assert first != _dump(c.generate(name)), name
    assert [a.new_record("contacts", 10**18) for _ in range(3)] == [b.new_record("contacts", 10**18) for _ in range(3)]
    assert a.custom_field_columns("Contact") == b.custom_field_columns("Contact") != c.custom_field_columns("Contact")


def test_a_table_count_does_not_change_other_tables():
    small, big = RecordGenerator(5, COUNTS), RecordGenerator(5, COUNTS | {"notes": 50, "histories": 900})
    for name in ("contacts", "companies", "opportunities", "activities", "products"):
        assert _dump(small.generate(name)) == _dump(big.generate(name)), name


def test_generate_is_a_lazy_iterator():
    generator = RecordGenerator(1, {"contacts": 1_000_000})
    stream = generator.generate("contacts")
    assert not isinstance(stream, (list, tuple))
    assert next(stream)["id"] == id_for("contacts", 0, 1)


def test_ids():
    ids = [id_for("contacts", i, 3) for i in range(100_000)]
    assert len(set(ids)) == len(ids) and all(GUID.match(i) for i in ids[:2000])
    assert id_for("contacts", 7, 3) != id_for("companies", 7, 3) != id_for("contacts", 7, 4)
    assert id_for("activity_types", 0, 3) == 1 and id_for("activity_types", 11, 3) == 12


def test_fast_formatter_matches_dotnet_time():
    rng = random.Random(1)
    for _ in range(20_000):
        ticks = parse_ticks("1950-01-01T00:00:00Z") + rng.randrange(10**18)
        ticks -= ticks % rng.choice([1, 10, 10_000, 10_000_000])
        assert fmt(ticks) == format_ticks(ticks)


def test_bulk_import_runs_share_one_cursor():
    generator = RecordGenerator(9, {"contacts": 5000, "products": 5000, "activities": 5000, "users": 5})
    for name in ("contacts", "products", "activities"):
        cursor = TABLES[name].cursor_field
        tally = collections.Counter(r[cursor] for r in generator.generate(name))
        assert tally.most_common(1)[0][1] >= 100, name
    contacts = list(generator.generate("contacts"))
    stamp, count = collections.Counter(r["edited"] for r in contacts).most_common(1)[0]
    run = [r for r in contacts if r["edited"] == stamp]
    assert all(r["isImported"] and r["importDate"] == stamp for r in run)
    assert 0 < sum(r["isImported"] for r in contacts) < len(contacts)


def test_timestamp_precision_and_bounds(data):
    digits = collections.Counter()
    for name, records in data.items():
        for record in records:
            for text in _timestamps(record):
                assert parse_ticks(text) < GENERATED_UNTIL_TICKS, (name, text)
                digits[len(text) - 21 if "." in text else 0] += 1
    assert digits[7] > sum(digits.values()) * 0.3  # real 100 ns precision most of the time
    assert digits[0] > 0 and any(digits[n] for n in range(1, 7))  # whole seconds and shorter fractions too


@pytest.mark.parametrize("table", [n for n in TABLES if TABLES[n].cursor_field])
def test_created_not_after_edited(data, table):
    created, edited = ("createDate", "editDate") if table == "products" else ("created", "edited")
    for record in data[table]:
        assert parse_ticks(record[created]) <= parse_ticks(record[edited])
    if table == "opportunity_products":
        assert all(r["createDate"] == r["created"] and r["editDate"] == r["edited"] for r in data[table])


def test_references_point_at_existing_records(data):
    ids = {name: {r["id"] for r in records} for name, records in data.items()}
    embedded = {"contacts": "contacts", "companies": "companies", "groups": "groups", "opportunities": "opportunities"}
    checked = collections.Counter()
    for name in ("opportunities", "activities", "notes", "histories"):
        for record in data[name]:
            for key, target in embedded.items():
                for item in record.get(key) or []:
                    assert item["id"] in ids[target], (name, key)
                    checked[key] += 1
    assert min(checked.values()) > 50
    names = {r["id"]: r["fullName"] for r in data["contacts"]}
    assert all(c["displayName"] == names[c["id"]] for r in data["opportunities"] for c in r["contacts"])
    assert all(r["companyID"] is None or r["companyID"] in ids["companies"] for r in data["contacts"])
    for record in data["opportunity_products"]:
        assert record["opportunityID"] in ids["opportunities"] and record["productID"] in ids["products"]
    for name in ("contacts", "companies", "groups", "opportunities", "notes", "histories"):
        assert all(r["recordManagerID"] in ids["users"] for r in data[name])
    assert all(r["parentID"] is None or r["parentID"] in ids["companies"] for r in data["companies"])
    assert all(r["parentID"] is None or r["parentID"] in ids["groups"] for r in data["groups"])
    type_ids = {r["id"] for r in data["activity_types"]}
    assert all(r["activityTypeId"] in type_ids for r in data["activities"])


def test_realistic_text(data):
    contacts = data["contacts"]
    names = " ".join(r["fullName"] for r in contacts)
    assert "'" in names and any(ord(c) > 127 for c in names)
    assert any(r["namePrefix"] for r in contacts) and any(r["namePrefix"] is None for r in contacts)
    assert len({r["businessAddress"]["country"] for r in contacts}) >= 5
    details = [r["details"] for r in data["activities"] if r["details"]]
    assert any(d.startswith("{\\rtf1") for d in details) and any("\r\n" in d for d in details)
    assert {r["status"] for r in data["opportunities"]} == {"Open", "Won", "Lost", "Inactive"}
    assert any(r["recurSpec"] and r["recurSpec"]["day"] for r in data["activities"])
    assert any(r["attachment"] for r in data["histories"])
    for name in TABLES:  # optional fields are null in a realistic share of records, never all
        props = properties_of(TABLES[name].definition)
        nulls = sum(v is None for r in data[name] for v in r.values()) / (len(data[name]) * len(props))
        assert 0 <= nulls < 0.8, name
    assert {r["name"] for r in data["activity_types"]} >= {"Call", "Meeting", "To-Do", "E-mail", "Vacation"}


def test_custom_fields_keys_and_values(data):
    generator = RecordGenerator(5, COUNTS)
    for table in ("contacts", "companies", "groups", "opportunities", "opportunity_products"):
        record_type = TABLES[table].record_type
        columns = {c["name"]: c for c in generator.custom_field_columns(record_type)}
        assert all(list(r["customFields"]) == list(columns) for r in data[table])
        for record in data[table]:
            for key, value in record["customFields"].items():
                if value is not None:
                    assert type(value) is cf.python_type(columns[key]["dataType"]), (key, value)
                    if columns[key]["type"] == "DateTime":
                        assert DATE_TIME.match(value)
        seen = {type(v) for r in data[table] for v in r["customFields"].values()}
        assert type(None) in seen and str in seen
    keys = list(data["contacts"][0]["customFields"])
    normalised = collections.Counter(re.sub(r"[^a-z0-9]+", "_", k.lower()).strip("_") for k in keys)
    assert normalised.most_common(1)[0][1] >= 2  # "Ship-To" and "Ship To"
    assert any(" " in k for k in keys) and any(re.search(r"[?#/()$'%]", k) for k in keys)
    values = {type(v) for r in data["contacts"] for v in r["customFields"].values()}
    assert values == {str, int, float, bool, type(None)}
    columns = generator.custom_field_columns("contact")  # record types are case-insensitive
    assert len({c["columnName"] for c in columns}) == len(columns)
    assert {c["dataType"] for c in columns} >= {"Character", "Currency", "Date", "YesNo", "Number", "Decimal"}
    assert generator.custom_field_columns("Nonexistent") == []


def test_added_custom_field_reaches_columns_and_new_records():
    generator = RecordGenerator(5, COUNTS)
    column = generator.add_custom_field("Contact", cf.CustomField("Loyalty Tier", "Character", 0.0, ("Gold",)))
    assert column["name"] == "Loyalty Tier" and column in generator.custom_field_columns("Contact")
    assert generator.new_record("contacts", 10**18)["customFields"]["Loyalty Tier"] == "Gold"


@pytest.mark.parametrize("table", list(TABLES))
def test_edited_record(data, table):
    generator = RecordGenerator(5, COUNTS)
    ticks = GENERATED_UNTIL_TICKS + 12_345_678
    cursor = TABLES[table].cursor_field
    for original in data[table][:30]:
        before = orjson.dumps(original)
        edited = generator.edited_record(table, original, ticks)
        assert orjson.dumps(original) == before and edited is not original
        assert edited["id"] == original["id"]
        assert edited[EDIT_FIELDS[table]] != original[EDIT_FIELDS[table]]
        if cursor:
            assert edited[cursor] == fmt(ticks)
        twice = generator.edited_record(table, edited, ticks + 1)
        assert twice[EDIT_FIELDS[table]] != edited[EDIT_FIELDS[table]]


@pytest.mark.parametrize("table", list(TABLES))
def test_new_record(data, table):
    generator = RecordGenerator(5, COUNTS)
    ticks = GENERATED_UNTIL_TICKS + 5_000_000_001
    records = [generator.new_record(table, ticks) for _ in range(3)]
    existing = {r["id"] for r in data[table]}
    assert len({r["id"] for r in records}) == 3 and not existing & {r["id"] for r in records}
    assert records[0]["id"] == id_for(table, COUNTS[table], 5)
    cursor = TABLES[table].cursor_field
    for record in records:
        if cursor:
            assert record[cursor] == fmt(ticks)
        for key in ("created", "createDate"):
            if key in record:
                assert record[key] == fmt(ticks)
    assert_conforms(table, records)


def test_zero_counts():
    generator = RecordGenerator(2, {})
    for name in TABLES:
        assert list(generator.generate(name)) == []
        record = generator.new_record(name, GENERATED_UNTIL_TICKS)
        assert_conforms(name, [record, generator.edited_record(name, record, GENERATED_UNTIL_TICKS + 1)])
    only = RecordGenerator(2, {"activities": 50, "opportunity_products": 20, "opportunities": 10})
    for name in ("activities", "opportunity_products", "opportunities"):
        records = list(only.generate(name))
        assert_conforms(name, records)
    assert all(r["contacts"] == [] and r["activityTypeId"] is None for r in only.generate("activities"))


EMBEDDED_KEYS = {
    "contacts": {"id", "displayName", "company", "isInvited"},  # Contacts.EmbeddedContact
    "companies": {"id", "name"},  # Companies.EmbeddedCompany
    "groups": {"id", "name"},  # Groups.EmbeddedGroup
    "opportunities": {"id", "name"},  # Opportunities.EmbeddedOpportunity
}


@pytest.mark.parametrize("table", ["notes", "histories"])
def test_notes_and_histories_embed_all_four_link_arrays(data, table):
    by_id = {name: {r["id"]: r for r in data[name]} for name in EMBEDDED_KEYS}
    filled = collections.Counter()
    for record in data[table]:
        for array, keys in EMBEDDED_KEYS.items():
            items = record[array]
            assert isinstance(items, list)
            assert len({item["id"] for item in items}) == len(items), (table, array)  # each record linked once
            for item in items:
                assert set(item) == keys, (table, array)
                linked = by_id[array][item["id"]]
                if array == "contacts":
                    assert item["displayName"] == linked["fullName"] and item["isInvited"] is False
                    assert item["company"] == (linked["company"] if linked["companyID"] else None)
                else:
                    assert item["name"] == linked["name"]
            filled[array] += bool(items)
    assert all(filled[array] > len(data[table]) * 0.3 for array in EMBEDDED_KEYS), filled


def test_embedded_links_never_repeat_a_record(data):
    for name in ("opportunities", "activities"):
        for record in data[name]:
            for array in ("contacts", "companies", "groups", "opportunities"):
                ids = [item["id"] for item in record.get(array) or []]
                assert len(ids) == len(set(ids)), (name, array)


def test_group_memberships_are_seeded_many_to_many_and_counted(data):
    generator = RecordGenerator(5, COUNTS)
    members = generator.group_memberships()
    assert members == RecordGenerator(5, COUNTS).group_memberships() != RecordGenerator(6, COUNTS).group_memberships()
    assert len(members) == COUNTS["groups"]
    assert all(len(set(m)) == len(m) and all(0 <= k < COUNTS["contacts"] for k in m) for m in members)
    assert [r["contacts"] for r in data["groups"]] == [len(m) for m in members]
    per_contact = collections.Counter(k for m in members for k in m)
    assert sum(per_contact.values()) <= 3 * COUNTS["contacts"]  # as many groups as contacts: still a few each
    assert max(per_contact.values()) >= 3 and len(per_contact) < COUNTS["contacts"]  # several groups, or none
    members = RecordGenerator(5, {"contacts": 5000, "groups": 100}).group_memberships()
    sizes = sorted(len(m) for m in members)
    assert sizes[0] == 0 and sizes[-1] > 300 and sizes[50] > 20  # empty groups, big ones, most in between
    per_contact = collections.Counter(k for m in members for k in m)
    assert max(per_contact.values()) >= 3 and len(per_contact) < 5000
    assert generator.new_record("groups", 10**18)["contacts"] == 0


def test_company_associations_follow_the_primary_company(data):
    generator = RecordGenerator(5, COUNTS)
    companies = {r["id"] for r in data["companies"]}
    links = [(contact, generator.company_associations(contact)) for contact in data["contacts"]]
    assert all(set(ids) <= companies and len(set(ids)) == len(ids) for _, ids in links)
    with_company = [(c, ids) for c, ids in links if c["companyID"]]
    assert sum(c["companyID"] in ids for c, ids in with_company) >= 0.9 * len(with_company)
    assert any(len(ids) >= 2 for _, ids in links)
