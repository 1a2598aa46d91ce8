"""Keyset queries: one row per case, the exact OData each pass sends, and positions taken from pages."""

from __future__ import annotations

import pytest

from act.keyset import cursor_order_query, id_order_query, last_position, newest_stamp_query, odata_literal

pytestmark = pytest.mark.unit

GUID = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (GUID, GUID),
        (GUID.upper(), GUID.upper()),
        ("{" + GUID + "}", GUID),
        (42, "42"),
        (True, "true"),
        ("O'Brien", "'O''Brien'"),
        ("plain", "'plain'"),
    ],
)
def test_odata_literals(value, literal):
    assert odata_literal(value) == literal


@pytest.mark.parametrize(
    ("after", "expected_filter"),
    [
        (None, "edited ge 2026-01-01T00:00:00Z"),
        (
            {"cursor": "2026-01-02T03:04:05.1234567Z", "id": GUID},
            f"edited gt 2026-01-02T03:04:05.1234567Z or (edited eq 2026-01-02T03:04:05.1234567Z and id gt {GUID})",
        ),
    ],
)
def test_an_incremental_page_has_a_lower_bound_and_no_upper_bound(after, expected_filter):
    query = cursor_order_query("edited", "2026-01-01T00:00:00Z", after, 500)
    assert query == {"$top": "500", "$orderby": "edited asc,id asc", "$filter": expected_filter}


@pytest.mark.parametrize(
    ("after", "since", "select", "expected"),
    [
        (None, None, None, {"$top": "10", "$orderby": "id asc"}),
        ({"id": GUID}, None, None, {"$top": "10", "$orderby": "id asc", "$filter": f"id gt {GUID}"}),
        (
            {"id": 7},
            ("editDate", "2020-01-01T00:00:00Z"),
            ["id", "createDate"],
            {
                "$top": "10",
                "$orderby": "id asc",
                "$filter": "editDate ge 2020-01-01T00:00:00Z and id gt 7",
                "$select": "id,createDate",
            },
        ),
    ],
)
def test_id_ordered_pages(after, since, select, expected):
    assert id_order_query(after, 10, since, select) == expected


def test_the_newest_stamp_is_one_row_ordered_descending():
    assert newest_stamp_query("edited") == {"$top": "1", "$orderby": "edited desc,id desc", "$select": "id,edited"}


@pytest.mark.parametrize(
    ("page", "field", "position"),
    [
        ([{"id": 1, "edited": "a"}, {"id": 2, "edited": "b"}], "edited", {"cursor": "b", "id": 2}),
        ([{"id": 1, "edited": "a"}, {"id": 2, "edited": None}], "edited", {"cursor": "a", "id": 1}),
        ([{"id": 1}, {"edited": "b"}, "junk"], None, {"id": 1}),
        ([{"edited": "b"}], "edited", None),
        ([], None, None),
    ],
)
def test_the_position_is_the_last_usable_row(page, field, position):
    assert last_position(page, field) == position
