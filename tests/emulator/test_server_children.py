"""Product lines of an opportunity (/api/opportunities/{id}/products): capped like every page and pageable by id,
changed with or without moving the opportunity's `edited`, and back-dated."""

import pytest

from act_emulator.dotnet_time import parse_ticks
from act_emulator.sqlorder import guid_sort_key
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", seed=17, max_page_size=5) as running:
        yield running


@pytest.fixture()
def api(emu):
    return emu.api_get()


def _opportunity(emu, index: int) -> dict:
    return emu.control.snapshot("opportunities", fields=["id", "edited"])["records"][index]


def _lines(emu, opportunity_id) -> list[dict]:
    records = emu.control.snapshot("opportunity_products")["records"]
    return [r for r in records if r["opportunityID"] == opportunity_id]


def test_more_lines_than_the_cap_are_paged_by_id(emu, api):
    opportunity = _opportunity(emu, 0)
    inserted = emu.control.mutate("opportunity_products", insert=12, parent=opportunity["id"])["inserted"]
    truth = sorted((r["id"] for r in _lines(emu, opportunity["id"])), key=guid_sort_key)
    assert set(inserted) <= set(truth) and len(truth) >= 12
    path = f"/api/opportunities/{opportunity['id']}/products"
    assert len(api(path).json()) == 5
    assert len(api(path, **{"$top": "3"}).json()) == 3
    walked, last = [], None
    while True:
        params = {"$orderby": "id asc", "$top": "100", "$select": "id,edited"}
        if last:
            params["$filter"] = f"id gt {last}"
        page = api(path, **params).json()
        assert len(page) <= 5 and all(set(r) == {"id", "edited"} for r in page)
        if not page:
            break
        walked += [r["id"] for r in page]
        last = page[-1]["id"]
    assert walked == truth


def test_product_line_changes_leave_the_opportunity_stamp_unless_asked(emu, api):
    opportunity = _opportunity(emu, 1)
    emu.control.mutate("opportunity_products", insert=2, parent=opportunity["id"])
    changed = emu.control.mutate("opportunity_products", edit=1, delete=1, parent=opportunity["id"])
    assert len(changed["edited"]) == 1 and len(changed["deleted"]) == 1
    assert _opportunity(emu, 1) == opportunity
    emu.control.mutate("opportunity_products", edit=1, parent=opportunity["id"], touch_parent=True)
    after = api("/api/opportunities/" + opportunity["id"]).json()
    assert parse_ticks(after["edited"]) > parse_ticks(opportunity["edited"])
    lines = api(f"/api/opportunities/{opportunity['id']}/products", **{"$orderby": "edited desc", "$top": "1"})
    assert parse_ticks(lines.json()[0]["edited"]) < parse_ticks(after["edited"])


def test_back_dated_product_line_edits(emu, api):
    opportunity = _opportunity(emu, 2)
    inserted = emu.control.mutate("opportunity_products", insert=1, parent=opportunity["id"])["inserted"][0]
    line = next(r for r in _lines(emu, opportunity["id"]) if r["id"] == inserted)  # stamped by the data clock now
    emu.control.mutate("opportunity_products", edit=1, ids=[line["id"]], edited_offset_seconds=-7200)
    after = next(r for r in _lines(emu, opportunity["id"]) if r["id"] == line["id"])
    assert after["quantity"] != line["quantity"]
    assert after["edited"] == after["editDate"]
    assert parse_ticks(after["edited"]) < parse_ticks(line["edited"]) - 7000 * 10_000_000
    assert _opportunity(emu, 2) == opportunity


def test_parent_options_checked(emu):
    for call in (
        lambda: emu.control.mutate("contacts", insert=1, parent=_opportunity(emu, 0)["id"]),
        lambda: emu.control.mutate("opportunity_products", insert=1, parent="00000000-0000-0000-0000-000000000009"),
        lambda: emu.control.mutate("opportunities", edit=1, touch_parent=True),
    ):
        with pytest.raises(RuntimeError):
            call()
