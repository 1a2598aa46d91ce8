"""Every record the generator makes follows its Swagger model, and the validator is strict enough to fail."""

from __future__ import annotations

import copy

import pytest

from act_emulator import spec
from act_emulator.custom_fields import CUSTOM_FIELDS
from act_emulator.generator import GENERATED_UNTIL_TICKS, RecordGenerator
from act_emulator.spec import assert_conforms, errors_of, properties_of, validator_for
from act_emulator.tables import TABLES

COUNTS = {name: 300 for name in TABLES} | {"users": 15, "activity_types": 20}


@pytest.fixture(scope="module")
def generator() -> RecordGenerator:
    return RecordGenerator(11, COUNTS)


@pytest.fixture(scope="module")
def samples(generator) -> dict[str, list[dict]]:
    """Generated records, inserts and edits (of generated and inserted records) per table."""
    out = {}
    for name in TABLES:
        records = list(generator.generate(name))
        inserts = [generator.new_record(name, GENERATED_UNTIL_TICKS + 10_000_000 * k + 1234567) for k in range(5)]
        edits = [generator.edited_record(name, r, GENERATED_UNTIL_TICKS + 99) for r in records[:25] + inserts]
        out[name] = records + inserts + edits
    return out


@pytest.mark.parametrize("table", list(TABLES))
def test_every_record_conforms(samples, table):
    expected = COUNTS[table] + 5 + min(25, COUNTS[table]) + 5  # generated, inserted, edited
    assert assert_conforms(table, samples[table]) == len(samples[table]) == expected


@pytest.mark.parametrize("table", list(TABLES))
def test_properties_in_swagger_order(samples, table):
    order = list(properties_of(TABLES[table].definition))
    assert all(list(record) == order for record in samples[table])


@pytest.mark.parametrize("record_type", list(CUSTOM_FIELDS))
def test_custom_field_columns_conform(generator, record_type):
    columns = generator.custom_field_columns(record_type)
    assert columns and all(c["isCustom"] is True for c in columns)
    for column in columns:
        assert errors_of("MetaData.Schema.Column", column, complete=True) == []


def test_validator_is_built_from_swagger():
    schema = validator_for("Contacts.Contact").schema
    converted = schema["definitions"]["act.web.api.models.Contacts.Contact"]["properties"]
    assert set(converted) == set(properties_of("act.web.api.models.Contacts.Contact"))
    assert "act.web.api.models.Address" in schema["definitions"]  # refs resolved into the document


def _bad(record: dict, path: tuple, value) -> dict:
    out = copy.deepcopy(record)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


@pytest.mark.parametrize(
    "path,value",
    [
        (("firstName",), 5),  # wrong type
        (("isFavorite",), "true"),  # bool as a string
        (("amaScore",), 1.0),  # a float is not an int32
        (("amaScore",), 2**31),  # int32 range
        (("surprise",), "x"),  # property the model does not define
        (("businessAddress", "county"), "Kent"),  # ... nor a nested model
        (("businessAddress", "latitude"), "47.6"),  # nested type
        (("edited",), "2024-03-05T10:11:12.12345678Z"),  # 8 fractional digits
        (("edited",), "2024-03-05T10:11:12.1234567"),  # no Z
        (("edited",), "2024-03-05T10:11:12.1230Z"),  # trailing zero .NET trims
        (("edited",), "2024-03-05T10:11:12+00:00"),  # offset instead of Z
        (("edited",), "2024-02-30T10:11:12Z"),  # no such day
        (("customFields", "VIP?"), ["nested"]),  # custom values are scalars
    ],
)
def test_wrong_contact_is_rejected(samples, path, value):
    good = samples["contacts"][0]
    assert_conforms("contacts", [good])
    with pytest.raises(AssertionError):
        assert_conforms("contacts", [_bad(good, path, value)])


def test_enums_missing_properties_and_nested_models_are_checked(samples):
    opportunity = samples["opportunities"][0]
    with pytest.raises(AssertionError):
        assert_conforms("opportunities", [_bad(opportunity, ("status",), "Pending")])
    with pytest.raises(AssertionError):
        assert_conforms("opportunities", [_bad(opportunity, ("stage", "process", "status"), "Running")])
    with pytest.raises(AssertionError):
        assert_conforms(
            "opportunities",
            [_bad(opportunity, ("contacts",), [{"id": "x", "displayName": "y", "company": None, "isInvited": 0}])],
        )
    partial = {k: v for k, v in opportunity.items() if k != "competitor"}
    with pytest.raises(AssertionError):
        assert_conforms("opportunities", [partial])
    assert_conforms("opportunities", [partial], complete=False)  # $select-ed responses omit properties
    with pytest.raises(AssertionError):
        assert_conforms("activity_types", [_bad(samples["activity_types"][0], ("id",), "1")])


def test_nulls_allowed_everywhere_but_the_record(samples):
    record = dict.fromkeys(samples["companies"][0])
    assert_conforms("companies", [record])
    assert errors_of("Companies.Company", None) != []


def test_date_time_checker():
    ok = ["2024-03-05T10:11:12Z", "2024-03-05T10:11:12.1Z", "2024-03-05T10:11:12.1234567Z", "2024-02-29T00:00:00Z"]
    bad = [
        "2024-03-05",
        "2024-03-05T10:11Z",
        "2023-02-29T00:00:00Z",
        "2024-03-05T24:00:00Z",
        "2024-03-05T10:11:12.Z",
        "2024-03-05 10:11:12Z",
        "2024-13-05T10:11:12Z",
    ]
    assert all(spec.is_dotnet_date_time(t) for t in ok)
    assert not any(spec.is_dotnet_date_time(t) for t in bad)
