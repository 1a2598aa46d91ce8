"""Column names: snake_case as Fivetran names them, and distinct names in priority order."""

from __future__ import annotations

import pytest

from act.naming import column_name, custom_field_column, first_free_names, snake_case

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("businessAddress", "business_address"),
        ("Contract Value ($)", "contract_value"),
        ("José", "jose"),
        ("Ship-To", "ship_to"),
        ("Ship To", "ship_to"),
        ("Ship To 2", "ship_to_2"),
        ("# of Seats", "of_seats"),
        ("VIP?", "vip"),
        ("Loyalty Tier (2026)", "loyalty_tier_2026"),
        ("2nd Language", "2_nd_language"),
        ("Préférence de contact", "preference_de_contact"),
        ("Budget (€)", "budget"),
        ("日本語", "field"),
        ("", "field"),
    ],
)
def test_snake_case(name, snake):
    assert snake_case(name) == snake


def test_nested_property_columns_join_their_path():
    assert column_name("stage", "process", "name") == "stage_process_name"
    assert column_name("businessAddress", "city") == "business_address_city"


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("Ship-To", "custom_fields_ship_to"),
        ("Contract Value ($)", "custom_fields_contract_value"),
        ("Next Review Date", "custom_fields_next_review_date"),
    ],
)
def test_a_custom_field_wants_its_prefixed_snake_case_column(field, column):
    assert custom_field_column(field) == column


@pytest.mark.parametrize(
    ("wanted", "given"),
    [
        (["a", "b"], ["a", "b"]),
        (["ship_to", "ship_to"], ["ship_to", "ship_to_2"]),
        (["ship_to", "ship_to", "ship_to"], ["ship_to", "ship_to_2", "ship_to_3"]),
        # a field literally named "Ship To 2", created before the collision: the suffix skips its name
        (["ship_to_2", "ship_to", "ship_to"], ["ship_to_2", "ship_to", "ship_to_3"]),
        # created after: it never takes the name an earlier field holds
        (["ship_to", "ship_to", "ship_to_2"], ["ship_to", "ship_to_2", "ship_to_2_2"]),
        ([], []),
    ],
)
def test_first_free_names_give_the_first_comer_the_plain_name(wanted, given):
    assert first_free_names(wanted) == given


def test_appending_a_name_never_changes_earlier_ones():
    before = first_free_names(["x", "x", "x_2", "y"])
    assert first_free_names(["x", "x", "x_2", "y", "x"])[:4] == before
