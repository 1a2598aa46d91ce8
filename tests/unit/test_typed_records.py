"""Typed decoding (act/typed_records.py): a page parsed straight into its model's structs lands exactly the rows,
problem counts and extra columns the general path (orjson, then the dict flattener) lands for the same text, and
is used whenever the text allows it."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from act import pages, records
from act.custom_fields import CustomFieldPlan
from act.keyset import last_position
from act.pages import SlicedPage
from act.records import RecordFlattener
from act.typed_records import TypedDecoder, TypedRecord

from .test_records import HOSTILE, MODELS, cells

pytestmark = pytest.mark.unit

DEAL = {**MODELS["Test.Deal"], "customFields": {"type": "object", "map": True}}
TYPED_MODELS = MODELS | {"Test.Deal": DEAL}
CUSTOM = CustomFieldPlan(
    {
        "Region": ("region", "STRING"),
        "# of Seats": ("seats", "INT"),
        "Customer Since": ("customer_since", "UTC_DATETIME"),
        "VIP?": ("vip", "BOOLEAN"),
        "Value ($)": ("value", "DOUBLE"),
        "Big": ("big", "LONG"),
    }
)


def _flattener(custom: CustomFieldPlan | None = CUSTOM) -> RecordFlattener:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "load_models", lambda: TYPED_MODELS)
        return RecordFlattener("Test.Deal", custom)


def _both_paths(text: bytes, custom: CustomFieldPlan | None = CUSTOM) -> tuple[tuple, tuple, list]:
    """(rows, problems, extra columns) by the general path and by the typed path, and the typed path's records."""
    general, typed = _flattener(custom), _flattener(custom)
    expected = [general.flatten(record) for record in orjson.loads(text)]
    decoded = TypedDecoder(typed, "deals").or_loads(text)
    got = [typed.flatten(record) for record in decoded]
    return (
        (expected, general.problems.take(), general.extra_columns),
        (got, typed.problems.take(), typed.extra_columns),
        decoded,
    )


values = st.one_of(
    cells,
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond 64 bits: orjson and msgspec parse them differently
    st.lists(st.one_of(st.integers(), st.text(max_size=3), st.dictionaries(st.sampled_from(["id", "x"]), cells))),
    st.dictionaries(st.sampled_from(["name", "number", "process", "other"]), cells, max_size=3),
)
customs = st.one_of(
    st.none(),
    values,
    st.dictionaries(st.sampled_from([*CUSTOM.columns, "Unplanned"]), values, max_size=4),
)
stages = st.one_of(
    values,
    st.fixed_dictionaries(
        {},
        optional={
            "name": values,
            "process": st.one_of(values, st.dictionaries(st.sampled_from(["name", "number", "odd"]), values)),
        },
    ),
)
# values of the model's own types, most of the time, so that whole pages also take the typed path
OWN_TYPE = {
    "amount": st.floats(allow_nan=False, allow_infinity=False),
    "daysOpen": st.integers(-(2**31), 2**31 - 1),
    "bigCount": st.integers(-(2**63), 2**63 - 1),
    "isPrivate": st.booleans(),
    "edited": st.sampled_from(["2026-11-28T05:00:00.1234567Z", "2026-11-28T00:00:00Z", "2026-11-28T05:00:00+02:00"]),
    "contacts": st.lists(st.fixed_dictionaries({"id": st.text(max_size=3)})),
    "tags": st.dictionaries(st.text(max_size=3), cells, max_size=2),
}
deals = st.fixed_dictionaries(
    {"id": st.one_of(st.text(min_size=1, max_size=8), values)},
    optional={
        **{key: st.one_of(st.none(), OWN_TYPE[key], OWN_TYPE[key], values) for key in OWN_TYPE},
        "stage": stages,
        "customFields": customs,
        "notInTheModel": values,
    },
)


def _text(page: list) -> bytes:
    """The page as a server writes it: the standard library writes numbers beyond 64 bits (JSON has no infinity)."""
    try:
        return json.dumps(page, allow_nan=False).encode()
    except ValueError:
        assume(False)
        raise


@settings(max_examples=300)
@given(st.lists(deals, min_size=1, max_size=4))
def test_typed_decoding_lands_what_the_general_path_lands_for_any_page(page):
    general, typed, _ = _both_paths(_text(page))
    assert typed == general


@given(st.lists(deals, min_size=1, max_size=3))
def test_a_typed_record_reads_like_its_dict_where_the_sync_reads_it(page):
    text = _text(page)
    decoded = TypedDecoder(_flattener(), "deals").or_loads(text)
    for record, parsed in zip(decoded, orjson.loads(text)):
        for key in ("id", "edited", "contacts", "amount", "isPrivate"):  # keys, stamps, link arrays, scalars
            assert record.get(key) == parsed.get(key)
            assert record.get(key) == parsed.get(key)  # an array read once is kept parsed
    assert last_position(decoded, "edited") == last_position(orjson.loads(text), "edited")
    assert last_position(decoded, None) == last_position(orjson.loads(text), None)


def _conforming(number: int) -> dict:
    return {
        "id": f"id-{number}",
        "amount": 12.5,
        "daysOpen": number,
        "bigCount": 2**40,
        "isPrivate": False,
        "edited": "2026-11-28T05:00:00.1234567Z",
        "contacts": [{"id": "c1"}, {"id": "c2"}],
        "stage": {"name": "Won", "process": {"name": "Sales", "number": 3}},
        "tags": {"a": [1, 2]},
        "customFields": {"Region": "EMEA", "# of Seats": 5, "VIP?": True, "Customer Since": "2011-06-28T00:00:00Z"},
    }


def test_records_that_follow_the_model_are_decoded_typed_and_land_the_same():
    text = orjson.dumps([_conforming(number) for number in range(3)] + [{"id": "x", "stage": None}])
    general, typed, decoded = _both_paths(text)
    assert all(isinstance(record, TypedRecord) for record in decoded)
    assert typed == general and general[1] == {}
    assert typed[0][0]["contacts"] == '[{"id":"c1"},{"id":"c2"}]'
    assert decoded[0]["stage"].get("name") == "Won"
    with pytest.raises(KeyError):
        decoded[0]["notInTheModel"]


@pytest.mark.parametrize(
    "change",
    [
        {"daysOpen": 2**31},  # beyond INT's 32 bits
        {"daysOpen": "7"},  # another type, converted by the general path
        {"isPrivate": 1},
        {"stage": "Won"},  # not an object
        {"notInTheModel": 1},  # lands in a column of its own
        {"customFields": {"Region": [1]}},  # not a scalar
        {"customFields": {"Big": 2**64}},  # beyond 64 bits
        {"customFields": "text"},
    ],
)
def test_anything_else_takes_the_general_path_for_the_whole_text(change):
    text = json.dumps([_conforming(1), {**_conforming(2), **change}]).encode()  # writes 2**64 too
    general, typed, decoded = _both_paths(text)
    assert all(type(record) is dict for record in decoded)
    assert typed == general


def test_text_that_is_not_json_is_left_to_the_general_parse_and_its_error():
    decoder = TypedDecoder(_flattener(), "deals")
    for text in (b'[{"id": "\xff"}]', b'{"id": "a"}', b"[1]", b'[{"id": "a"},]'):
        assert decoder(text) is None
    with pytest.raises(ValueError):
        decoder.or_loads(b'[{"id": "a"},]')


def test_without_custom_field_metadata_the_map_lands_as_the_same_json_text():
    plan = CustomFieldPlan({}, json_column="custom_fields")
    text = orjson.dumps([_conforming(1), {"id": "b", "customFields": {"x": None, "y": 1.5}}])
    general, typed, decoded = _both_paths(text, plan)
    assert isinstance(decoded[0], TypedRecord) and typed == general


@pytest.mark.parametrize("name", HOSTILE)
def test_any_field_name_is_only_data_to_the_typed_structs(monkeypatch, name):
    models = {
        "Test.Odd": {"id": {"type": "string"}, name: {"type": "integer"}, "in": {"$ref": "Test.In"}},
        "Test.In": {name: {"type": "string", "format": "date-time"}},
    }
    monkeypatch.setattr(records, "load_models", lambda: models)
    flattener = RecordFlattener("Test.Odd")
    record = {"id": "a1", name: 5, "in": {name: "2026-11-28T05:00:00Z"}}
    decoded = TypedDecoder(flattener, name).or_loads(orjson.dumps([record]))
    # msgspec takes no field name with a quote, a backslash or a control character: such a model is read untyped
    typed = not any(character in name for character in '"\\') and all(character >= " " for character in name)
    assert isinstance(decoded[0], TypedRecord) is typed and decoded[0].get(name) == 5
    assert flattener.flatten(decoded[0]) == flattener.flatten(record)


def test_a_sliced_page_parses_each_slice_typed_or_not_on_its_own(monkeypatch):
    monkeypatch.setattr(pages, "SLICE_BYTES", 20_000)  # ~50 records a slice
    page = [_conforming(number) for number in range(400)]
    page[150]["notInTheModel"] = 1  # its slice takes the general path
    body = orjson.dumps(page)
    decoder = TypedDecoder(_flattener(), "deals")
    sliced = SlicedPage(body, 1, len(body) - 1, lambda text, read: decoder.or_loads(text), decoder.or_loads)
    records_read = list(sliced.drain(keep=False))
    untyped = [number for number, record in enumerate(records_read) if type(record) is dict]
    assert 0 < len(untyped) < 100 and 150 in untyped
    general, typed = _flattener(), _flattener()
    assert [typed.flatten(r) for r in records_read] == [general.flatten(r) for r in page]
