"""The OData parser and evaluator in-process: every operator, literal form and error, with SQL Server semantics."""

import uuid

import pytest

from act_emulator.dotnet_time import parse_ticks
from act_emulator.odata import ODataError, parse_filter, parse_query, tokenize
from act_emulator.sqlorder import guid_sort_key

CONTACT = "act.web.api.models.Contacts.Contact"
OPPORTUNITY = "act.web.api.models.Opportunities.Opportunity"


def q(**options):
    return parse_query([("$" + k, v) for k, v in options.items()], CONTACT)


def rec(**fields):
    base = {
        "id": "00000000-0000-0000-0000-000000000001",
        "firstName": "Ann",
        "lastName": "Smith",
        "amaScore": 10,
        "isPrivate": False,
        "edited": "2024-05-01T10:00:00.1234567Z",
        "businessAddress": {"city": "Paris"},
        "customFields": {"Tier": "Gold"},
    }
    base.update(fields)
    return base


# SQL Server's documented ascending order of uniqueidentifiers that differ in one byte (least significant first).
SQL_SERVER_GUID_ORDER = [
    "01000000-0000-0000-0000-000000000000",
    "10000000-0000-0000-0000-000000000000",
    "00010000-0000-0000-0000-000000000000",
    "00100000-0000-0000-0000-000000000000",
    "00000100-0000-0000-0000-000000000000",
    "00001000-0000-0000-0000-000000000000",
    "00000001-0000-0000-0000-000000000000",
    "00000010-0000-0000-0000-000000000000",
    "00000000-0100-0000-0000-000000000000",
    "00000000-1000-0000-0000-000000000000",
    "00000000-0001-0000-0000-000000000000",
    "00000000-0010-0000-0000-000000000000",
    "00000000-0000-0100-0000-000000000000",
    "00000000-0000-1000-0000-000000000000",
    "00000000-0000-0001-0000-000000000000",
    "00000000-0000-0010-0000-000000000000",
    "00000000-0000-0000-0001-000000000000",
    "00000000-0000-0000-0010-000000000000",
    "00000000-0000-0000-0100-000000000000",
    "00000000-0000-0000-1000-000000000000",
    "00000000-0000-0000-0000-000000000001",
    "00000000-0000-0000-0000-000000000010",
    "00000000-0000-0000-0000-000000000100",
    "00000000-0000-0000-0000-000000001000",
    "00000000-0000-0000-0000-000000010000",
    "00000000-0000-0000-0000-000000100000",
    "00000000-0000-0000-0000-000001000000",
    "00000000-0000-0000-0000-000010000000",
    "00000000-0000-0000-0000-000100000000",
    "00000000-0000-0000-0000-001000000000",
    "00000000-0000-0000-0000-010000000000",
    "00000000-0000-0000-0000-100000000000",
]


def test_guid_sort_key_matches_sql_server_order():
    shuffled = sorted(SQL_SERVER_GUID_ORDER, key=lambda g: uuid.UUID(g).int)
    assert sorted(shuffled, key=guid_sort_key) == SQL_SERVER_GUID_ORDER
    assert sorted(SQL_SERVER_GUID_ORDER) != SQL_SERVER_GUID_ORDER  # not the text order


def test_guid_comparison_bare_and_quoted():
    low, high = SQL_SERVER_GUID_ORDER[3], SQL_SERVER_GUID_ORDER[20]
    for literal in (low, f"'{low}'", f"guid'{low}'", low.upper()):
        query = q(filter=f"id gt {literal}")
        assert query.matches(rec(id=high))
        assert not query.matches(rec(id=low))
    assert q(filter=f"id lt {high}").matches(rec(id=low))


@pytest.mark.parametrize(
    "literal",
    [
        "2024-05-01T10:00:00.1234567Z",
        "2024-05-01T12:00:00.1234567+02:00",
        "datetime'2024-05-01T10:00:00.1234567Z'",
        "datetimeoffset'2024-05-01T10:00:00.1234567Z'",
        "'2024-05-01T10:00:00.1234567Z'",
    ],
)
def test_datetime_literal_forms_compare_at_100ns(literal):
    assert q(filter=f"edited eq {literal}").matches(rec())
    assert q(filter=f"edited gt {literal}").matches(rec(edited="2024-05-01T10:00:00.1234568Z"))
    assert not q(filter=f"edited gt {literal}").matches(rec())
    assert q(filter=f"edited lt {literal}").matches(rec(edited="2024-05-01T10:00:00.1234566Z"))


def test_datetime_without_fraction_and_date_only():
    assert q(filter="edited ge 2024-05-01T10:00:00Z").matches(rec())
    assert q(filter="edited gt 2024-05-01").matches(rec())
    assert q(filter="edited le 2024-05-01T10:00").matches(rec(edited="2024-05-01T10:00:00Z"))


@pytest.mark.parametrize(
    "expr,expected",
    [
        ("amaScore eq 10", True),
        ("amaScore ne 10", False),
        ("amaScore gt 9", True),
        ("amaScore ge 10", True),
        ("amaScore lt 10", False),
        ("amaScore le 10", True),
        ("amaScore eq 10.0", True),
        ("amaScore lt 1.5e3", True),
        ("amaScore gt 10L", False),
        ("amaScore gt -1", True),
        ("firstName eq 'ann'", True),
        ("firstName eq 'Ann' and lastName eq 'Smith'", True),
        ("firstName eq 'Bob' or lastName eq 'Smith'", True),
        ("not (firstName eq 'Ann')", False),
        ("not firstName eq 'Bob'", True),
        ("((firstName eq 'Ann'))", True),
        ("isPrivate eq false", True),
        ("isPrivate", False),
        ("not isPrivate", True),
        ("true", True),
        ("middleName eq null", True),
        ("middleName ne null", False),
        ("firstName ne null", True),
        ("lastName gt 'Adams'", True),
        ("lastName lt 'adams'", False),
        ("businessAddress/city eq 'PARIS'", True),
        ("BusinessAddress/City eq 'Paris'", True),
        ("FIRSTNAME eq 'Ann'", True),
        ("customFields/Tier eq 'Gold'", True),
        ("contains(lastName, 'mit')", True),
        ("startswith(lastName, 'sm')", True),
        ("endswith(lastName, 'x')", False),
        ("substringof('mit', lastName)", True),
        ("tolower(lastName) eq 'smith'", True),
        ("length(lastName) eq 5", True),
        ("firstName eq 'O''Brien'", False),
    ],
)
def test_operators(expr, expected):
    assert q(filter=expr).matches(rec()) is expected


def test_quote_escape():
    assert q(filter="lastName eq 'O''Brien'").matches(rec(lastName="O'Brien"))


def test_null_is_unknown_for_ordering_comparisons_and_not():
    record = rec(amaScore=None)
    assert not q(filter="amaScore gt 5").matches(record)
    assert not q(filter="not (amaScore gt 5)").matches(record)  # SQL: NOT UNKNOWN is UNKNOWN
    assert q(filter="amaScore eq null").matches(record)
    assert q(filter="amaScore ne 5").matches(record)


def test_nested_path_on_opportunity():
    query = parse_query([("$filter", "stage/process/name eq 'Sales'")], OPPORTUNITY)
    assert query.matches({"stage": {"process": {"name": "sales"}}})
    assert not query.matches({"stage": None})


def test_orderby_multi_key_nulls_first_and_guid_order():
    records = [rec(id=g, lastName=name) for g, name in zip(SQL_SERVER_GUID_ORDER[:6], ["b", None, "a", "b", None, "a"])]
    query = q(orderby="lastName asc,id desc")
    query.sort(records)
    assert [(r["lastName"], r["id"]) for r in records] == [
        (None, SQL_SERVER_GUID_ORDER[4]),
        (None, SQL_SERVER_GUID_ORDER[1]),
        ("a", SQL_SERVER_GUID_ORDER[5]),
        ("a", SQL_SERVER_GUID_ORDER[2]),
        ("b", SQL_SERVER_GUID_ORDER[3]),
        ("b", SQL_SERVER_GUID_ORDER[0]),
    ]
    query = q(orderby="edited desc")
    items = [rec(edited="2024-01-01T00:00:00.0000001Z"), rec(edited="2024-01-01T00:00:00.0000002Z")]
    query.sort(items)
    assert items[0]["edited"].endswith("2Z")


def test_select_top_level_and_nested():
    query = q(select="id,BusinessAddress/City,lastname")
    assert query.project(rec()) == {"id": rec()["id"], "businessAddress": {"city": "Paris"}, "lastName": "Smith"}
    assert q(select="*").project(rec()) == rec()


def test_tokenizer_literal_kinds():
    kinds = [
        t.kind
        for t in tokenize(
            "id gt 5f0c1a2b-0000-4000-8000-000000000001 and edited le "
            "2024-01-01T00:00:00.1234567Z or x eq 'a''b' and n eq 1.5e3"
        )
    ]
    assert kinds == [
        "ident",
        "ident",
        "guid",
        "ident",
        "ident",
        "ident",
        "datetime",
        "ident",
        "ident",
        "ident",
        "string",
        "ident",
        "ident",
        "ident",
        "number",
        "eof",
    ]


@pytest.mark.parametrize(
    "options,fragment",
    [
        ({"filter": "nosuch eq 1"}, "Could not find a property named 'nosuch'"),
        ({"filter": "businessAddress/nosuch eq 1"}, "Could not find a property named 'nosuch'"),
        ({"filter": "(firstName eq 'a'"}, "Unbalanced parenthesis"),
        ({"filter": "firstName eq 'a')"}, "Unbalanced parenthesis"),
        ({"filter": "firstName eq 'abc"}, "unterminated string"),
        ({"filter": "edited gt 2024-13-01T00:00:00Z"}, "not a valid Edm.DateTimeOffset"),
        ({"filter": "edited gt 2024-01-01T00:00:00.12345678Z"}, "not a valid Edm.DateTimeOffset"),
        ({"filter": "edited gt 'yesterday'"}, "not a valid Edm.DateTimeOffset"),
        ({"filter": "id gt 'not-a-guid'"}, "not a valid Edm.Guid"),
        ({"filter": "firstName gt 5"}, "incompatible types"),
        ({"filter": "edited eq firstName"}, "incompatible types"),
        ({"filter": "firstName eq"}, "expression expected"),
        ({"filter": "firstName eq 'a' and"}, "expression expected"),
        ({"filter": "firstName ~ 'a'"}, "is not valid at position"),
        ({"filter": "firstName"}, "must evaluate to a single boolean"),
        ({"filter": "frobnicate(firstName)"}, "unknown function"),
        ({"filter": ""}, "empty"),
        ({"top": "-1"}, "Invalid value '-1' for $top"),
        ({"top": "ten"}, "Invalid value 'ten' for $top"),
        ({"skip": "-5"}, "Invalid value '-5' for $skip"),
        ({"orderby": "nosuch asc"}, "Could not find a property named 'nosuch'"),
        ({"orderby": "edited sideways"}, "expected 'property [asc|desc]'"),
        ({"orderby": "businessAddress"}, "primitive type"),
        ({"select": "id,,edited"}, "empty item"),
        ({"select": "nosuch"}, "Could not find a property named 'nosuch'"),
        ({"frobnicate": "1"}, "'$frobnicate' is not supported"),
        ({"filter": "edited gt 2024-01-01T10:00:00 01:00"}, "send a +hh:mm offset as %2B"),
    ],
)
def test_errors_name_the_problem(options, fragment):
    with pytest.raises(ODataError) as info:
        q(**options)
    assert fragment.lower() in str(info.value).lower()


def test_ast_is_data():
    tree = parse_filter("not (a eq 1 or b ne 'x') and c")
    assert type(tree).__name__ == "BoolOp" and tree.op == "and"
    assert parse_ticks("2024-05-01T10:00:00.1234567Z") % 10_000_000 == 1234567
