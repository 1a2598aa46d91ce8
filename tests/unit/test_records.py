"""Record flattening without custom fields: the plan from a model (scalars, nested objects, arrays), value
conversion by column type, and bad values counted instead of failing the row."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from act import records
from act.custom_fields import CustomFieldPlan
from act.naming import snake_case as snake
from act.records import MIDNIGHT_AS_DATE, RecordFlattener, swagger_type

pytestmark = pytest.mark.unit

MODELS = {
    "Test.Deal": {
        "id": {"type": "string"},
        "amount": {"type": "number", "format": "double"},
        "daysOpen": {"type": "integer", "format": "int32"},
        "bigCount": {"type": "integer", "format": "int64"},
        "isPrivate": {"type": "boolean"},
        "edited": {"type": "string", "format": "date-time"},
        "contacts": {"type": "array", "items": {"$ref": "Test.Embedded"}},
        "stage": {"$ref": "Test.Stage"},
        "tags": {"type": "object", "map": True},
    },
    "Test.Stage": {"name": {"type": "string"}, "process": {"$ref": "Test.Process"}},
    "Test.Process": {"name": {"type": "string"}, "number": {"type": "integer", "format": "int32"}},
    "Test.Embedded": {"id": {"type": "string"}},
}


@pytest.fixture
def flattener(monkeypatch):
    monkeypatch.setattr(records, "load_models", lambda: MODELS)
    return RecordFlattener("Test.Deal")


def test_the_columns_come_from_the_model_flattened_and_typed(flattener):
    assert flattener.columns() == {
        "id": "STRING",
        "amount": "DOUBLE",
        "days_open": "INT",
        "big_count": "LONG",
        "is_private": "BOOLEAN",
        "edited": "UTC_DATETIME",
        "contacts": "STRING",  # arrays are JSON text
        "tags": "STRING",  # free-form objects too
        "stage_name": "STRING",  # nested objects become parent_child columns, recursively
        "stage_process_name": "STRING",
        "stage_process_number": "INT",
    }


def test_a_record_flattens_to_one_row(flattener):
    row = flattener.flatten(
        {
            "id": "a1",
            "amount": 12.5,
            "daysOpen": 3,
            "bigCount": 2**40,
            "isPrivate": False,
            "edited": "2026-11-28T05:00:00.1234567Z",
            "contacts": [{"id": "c1"}, {"id": "c2"}],
            "stage": {"name": "Won", "process": {"name": "Sales", "number": 2}},
            "tags": {"b": 1},
        }
    )
    assert row == {
        "id": "a1",
        "amount": 12.5,
        "days_open": 3,
        "big_count": 2**40,
        "is_private": False,
        "edited": datetime(2026, 11, 28, 5, 0, 0, 123456),  # naive UTC: what the SDK encodes fastest
        "contacts": '[{"id":"c1"},{"id":"c2"}]',
        "tags": '{"b":1}',
        "stage_name": "Won",
        "stage_process_name": "Sales",
        "stage_process_number": 2,
    }
    assert flattener.problems.take() == {}


@pytest.mark.parametrize(
    ("field", "value", "column", "expected"),
    [
        ("amount", 3, "amount", 3.0),
        ("amount", "2.5", "amount", 2.5),
        ("daysOpen", 4.0, "days_open", 4),
        ("daysOpen", " 7 ", "days_open", 7),
        ("isPrivate", "TRUE", "is_private", True),
        ("isPrivate", 0, "is_private", False),
        ("id", 42, "id", "42"),
        ("edited", "2026-11-28", "edited", date(2026, 11, 28) if MIDNIGHT_AS_DATE else datetime(2026, 11, 28)),
    ],
)
def test_a_value_of_another_type_is_converted_when_that_is_lossless(flattener, field, value, column, expected):
    row = flattener.flatten({"id": "a1", field: value})
    assert row[column] == expected and type(row[column]) is type(expected)
    assert flattener.problems.take() == {}


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("amount", "lots", "'amount' held str where the model has DOUBLE"),
        ("amount", True, "'amount' held bool where the model has DOUBLE"),
        ("daysOpen", 1.5, "'daysOpen' held float where the model has INT"),
        ("daysOpen", 2**31, "'daysOpen' held int where the model has INT"),
        ("daysOpen", True, "'daysOpen' held bool where the model has INT"),
        ("bigCount", 2**63, "'bigCount' held int where the model has LONG"),
        ("bigCount", -(2**63) - 1, "'bigCount' held int where the model has LONG"),
        ("isPrivate", "maybe", "'isPrivate' held str where the model has BOOLEAN"),
        ("isPrivate", 2, "'isPrivate' held int where the model has BOOLEAN"),
        ("edited", "last week", "'edited' held str where the model has UTC_DATETIME"),
        ("edited", 1700000000, "'edited' held int where the model has UTC_DATETIME"),
        ("stage", "Won", "'stage' was not an object"),
    ],
)
def test_a_value_that_cannot_be_stored_is_left_empty_and_counted(flattener, field, value, problem):
    row = flattener.flatten({"id": "a1", field: value})
    assert row == {"id": "a1"}
    assert flattener.problems.take() == {problem: 1}
    assert flattener.problems.take() == {}  # taken once


def test_a_nested_bad_value_names_its_path(flattener):
    row = flattener.flatten({"id": "a1", "stage": {"name": "Won", "process": {"number": "two"}}})
    assert row == {"id": "a1", "stage_name": "Won"}
    assert flattener.problems.take() == {"'stage.process.number' held str where the model has INT": 1}


def test_nulls_and_absent_fields_make_no_cells(flattener):
    assert flattener.flatten({"id": "a1", "amount": None, "stage": None, "contacts": None}) == {"id": "a1"}


def test_fields_the_model_does_not_define_still_land_in_columns_of_their_own(flattener):
    row = flattener.flatten({"id": "a1", "newField": "x", "stage": {"name": "Won", "colour": {"r": 1}}})
    assert row["new_field"] == "x"
    assert row["stage_colour"] == '{"r":1}'
    assert flattener.extra_columns == {"new_field": "newField", "stage_colour": "stage.colour"}


@pytest.mark.parametrize(
    ("prop", "kind"),
    [
        ({"type": "string"}, "STRING"),
        ({"type": "string", "format": "date-time"}, "UTC_DATETIME"),
        ({"type": "integer", "format": "int32"}, "INT"),
        ({"type": "integer"}, "INT"),
        ({"type": "integer", "format": "int64"}, "LONG"),
        ({"type": "number", "format": "double"}, "DOUBLE"),
        ({"type": "boolean"}, "BOOLEAN"),
        ({"type": "array"}, "STRING"),
        ({}, "STRING"),
    ],
)
def test_swagger_types_map_to_sdk_column_types(prop, kind):
    assert swagger_type(prop) == kind


def test_a_real_model_plans_its_nested_columns():
    columns = RecordFlattener("Opportunities.Opportunity").columns()
    assert columns["edited"] == "UTC_DATETIME" and columns["id"] == "STRING"
    assert columns["stage_process_name"] == "STRING" and columns["contacts"] == "STRING"


HOSTILE = ['it\'s "quoted"', "back\\slash {0} {}", "new\nline", "row['id'] = 1", "é"]


@pytest.mark.parametrize("name", HOSTILE)
def test_any_field_name_is_only_data_to_the_generated_code(monkeypatch, name):
    models = {
        "Test.Odd": {"id": {"type": "string"}, name: {"type": "integer"}, "in": {"$ref": "Test.In"}},
        "Test.In": {name: {"type": "string", "format": "date-time"}},
    }
    monkeypatch.setattr(records, "load_models", lambda: models)
    flattener = RecordFlattener("Test.Odd")
    columns = [c for c in flattener.columns() if c not in ("id",)]
    row = flattener.flatten({"id": "a1", name: 5, "in": {name: "2026-11-28T05:00:00Z"}})
    assert row["id"] == "a1" and sorted(row) == sorted(["id", *columns])
    assert flattener.flatten({"id": "a1", name: "five", "in": {name: 3}}) == {"id": "a1"}
    assert flattener.problems.take() == {
        f"'{name}' held str where the model has INT": 1,
        f"'in.{name}' held int where the model has UTC_DATETIME": 1,
    }


def test_any_custom_field_name_is_only_data_to_the_generated_code(monkeypatch):
    monkeypatch.setattr(
        records,
        "load_models",
        lambda: MODELS | {"Test.Deal": {**MODELS["Test.Deal"], "customFields": {"type": "object", "map": True}}},
    )
    plan = CustomFieldPlan({name: (f"custom_{i}", "INT") for i, name in enumerate(HOSTILE)})
    flattener = RecordFlattener("Test.Deal", plan)
    row = flattener.flatten({"id": "a1", "customFields": {name: i for i, name in enumerate(HOSTILE)}})
    assert row == {"id": "a1", **{f"custom_{i}": i for i in range(len(HOSTILE))}}
    flattener.flatten({"id": "a1", "customFields": {HOSTILE[1]: "x"}})
    assert flattener.problems.take() == {f"custom field '{HOSTILE[1]}' held str where Act! defines INT": 1}


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.sampled_from(["2026-11-28T05:00:00Z", "2026-11-28T00:00:00Z", "7", "true"]),
)


@given(st.dictionaries(st.sampled_from(list(MODELS["Test.Deal"])), cells))
def test_a_cell_is_written_only_in_its_columns_type_and_every_other_value_is_counted(record):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "load_models", lambda: MODELS)
        flattener = RecordFlattener("Test.Deal")
    row = flattener.flatten(record)
    python_types = {
        "STRING": str,
        "INT": int,
        "LONG": int,
        "DOUBLE": float,
        "BOOLEAN": bool,
        "UTC_DATETIME": (datetime, date),
    }
    declared = flattener.columns()
    for column, value in row.items():
        assert isinstance(value, python_types[declared[column]]) and (
            declared[column] == "BOOLEAN" or type(value) is not bool
        )
    written = {key for key in record if snake(key) in row}
    counted = sum(flattener.problems.take().values())
    assert len(written) + counted == sum(1 for value in record.values() if value is not None)
