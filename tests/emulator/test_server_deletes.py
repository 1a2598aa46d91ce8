"""Records and links going away: mass deletes, deletes on every table (an opportunity takes its product lines
with it), links removed from and added to embedded arrays with or without moving the parent's stamp, and private
records hidden from the API user and shown again."""

import pytest

from act_emulator.settings import RECORD_PRESETS
from act_emulator.tables import TABLES
from tests.support.emulator import start_emulator

RECORDS = dict(RECORD_PRESETS["small"], contacts=12_000)


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records=RECORDS, seed=3) as running:
        yield running


@pytest.fixture()
def api(emu):
    return emu.api_get()


def _path(table: str, record_id="") -> str:
    return TABLES[table].current_path + (f"/{record_id}" if record_id != "" else "")


def _ids(emu, table) -> list:
    return [r["id"] for r in emu.control.snapshot(table, fields=["id"])["records"]]


def test_mass_delete_of_thousands(emu, api):
    before = set(_ids(emu, "contacts"))
    deleted = emu.control.mutate("contacts", delete=5000)["deleted"]
    assert len(set(deleted)) == 5000 and set(deleted) <= before
    snap = emu.control.snapshot("contacts", fields=["id", "edited"])
    assert {r["id"] for r in snap["records"]} == before - set(deleted)
    assert set(deleted) <= set(snap["deleted_ids"])
    served = api("/api/contacts", **{"$orderby": "edited asc,id asc"}).json()
    assert [r["id"] for r in served] == [r["id"] for r in snap["records"]]
    by_id = api("/api/contacts", **{"$orderby": "id asc", "$select": "id"}).json()
    assert sorted(r["id"] for r in by_id) == sorted(before - set(deleted))
    assert api("/api/contacts/" + deleted[0]).status_code == 404


@pytest.mark.parametrize("table", [name for name in TABLES if name != "contacts"])
def test_delete_works_on_every_table(emu, api, table):
    victim = _ids(emu, table)[0]
    assert emu.control.mutate(table, delete=1, ids=[victim])["deleted"] == [victim]
    assert victim not in _ids(emu, table)
    assert victim in emu.control.snapshot(table)["deleted_ids"]
    if TABLES[table].parent is None:
        assert api(_path(table, victim)).status_code == 404
    picked = emu.control.mutate(table, delete=1)["deleted"]
    assert len(picked) == 1 and picked[0] not in _ids(emu, table)


def test_deleted_opportunity_takes_its_product_lines_and_404s(emu, api):
    lines = emu.control.snapshot("opportunity_products", fields=["id", "opportunityID"])["records"]
    parent = next(r["opportunityID"] for r in lines if r["opportunityID"] in set(_ids(emu, "opportunities")))
    children = [r["id"] for r in lines if r["opportunityID"] == parent]
    assert api(f"/api/opportunities/{parent}/products").status_code == 200
    emu.control.mutate("opportunities", delete=1, ids=[parent])
    response = api(f"/api/opportunities/{parent}/products")
    assert response.status_code == 404 and "Message" in response.json()
    snap = emu.control.snapshot("opportunity_products", fields=["id"])
    assert not set(children) & {r["id"] for r in snap["records"]}
    assert set(children) <= set(snap["deleted_ids"])
    assert api("/api/opportunities/00000000-0000-0000-0000-000000000001/products").status_code == 404


@pytest.mark.parametrize("touch", [True, False])
def test_unlink_and_link_a_contact_of_an_opportunity(emu, api, touch):
    opportunity = next(r for r in emu.control.snapshot("opportunities")["records"] if r["contacts"])
    removed = opportunity["contacts"][0]["id"]
    result = emu.control.unlink("opportunities", opportunity["id"], "contacts", [removed], touch=touch)
    served = api(_path("opportunities", opportunity["id"])).json()
    assert removed not in [c["id"] for c in served["contacts"]] and result["ids"] == [
        c["id"] for c in served["contacts"]
    ]
    assert (served["edited"] != opportunity["edited"]) is touch
    assert served["edited"] == result["edited"] and set(served) == set(opportunity)
    added = next(i for i in _ids(emu, "contacts") if i not in [c["id"] for c in opportunity["contacts"]])
    result = emu.control.link("opportunities", opportunity["id"], "contacts", add=[added], touch=touch)
    served = api(_path("opportunities", opportunity["id"])).json()
    item = served["contacts"][-1]
    contact = api("/api/contacts/" + added).json()
    assert item == {"id": added, "displayName": contact["fullName"], "company": contact["company"], "isInvited": False}
    assert (served["edited"] != opportunity["edited"]) is touch


def test_link_arrays_of_activities_and_bad_links(emu, api):
    activity = _ids(emu, "activities")[0]
    opportunity = _ids(emu, "opportunities")[0]
    result = emu.control.link("activities", activity, "opportunities", add=[opportunity])
    assert opportunity in result["ids"]
    assert {"id": opportunity, "name": api(_path("opportunities", opportunity)).json()["name"]} in api(
        _path("activities", activity)
    ).json()["opportunities"]
    for call in (
        lambda: emu.control.link("contacts", _ids(emu, "contacts")[0], "groups", add=[]),
        lambda: emu.control.link("activities", activity, "colours", add=[]),
        lambda: emu.control.link("activities", activity, "contacts", add=["00000000-0000-0000-0000-000000000009"]),
    ):
        with pytest.raises(RuntimeError):
            call()


def test_hidden_records_are_not_served_then_come_back_unchanged(emu, api):
    lines = emu.control.snapshot("opportunity_products", fields=["id", "opportunityID"])["records"]
    line = next(r for r in lines if r["opportunityID"])
    contact = _ids(emu, "contacts")[0]
    truth = api("/api/contacts/" + contact).json()
    assert emu.control.hide("contacts", [contact]) == [contact]
    assert emu.control.hide("opportunity_products", [line["id"]]) == [line["id"]]
    assert api("/api/contacts/" + contact).status_code == 404
    assert contact not in [r["id"] for r in api("/api/contacts", **{"$select": "id"}).json()]
    assert contact not in [r["id"] for r in api("/api/contacts", **{"$orderby": "id asc", "$select": "id"}).json()]
    children = api(f"/api/opportunities/{line['opportunityID']}/products").json()
    assert line["id"] not in [r["id"] for r in children]
    snap = emu.control.snapshot("contacts", fields=["id"])
    assert contact not in [r["id"] for r in snap["records"]]
    assert contact in snap["deleted_ids"] and snap["hidden"] == [contact]
    assert emu.control.mutate("contacts", edit=1, ids=[contact])["edited"] == []  # not there to edit
    assert emu.control.unhide("contacts") == [contact]
    assert emu.control.unhide("opportunity_products", [line["id"]]) == [line["id"]]
    assert api("/api/contacts/" + contact).json() == truth
    snap = emu.control.snapshot("contacts", fields=["id"])
    assert contact in [r["id"] for r in snap["records"]] and contact not in snap["deleted_ids"]
    assert snap["hidden"] == []
    children = api(f"/api/opportunities/{line['opportunityID']}/products").json()
    assert line["id"] in [r["id"] for r in children]
    hidden = emu.control.hide("companies", count=2)
    assert len(hidden) == 2 and not set(hidden) & set(_ids(emu, "companies"))
    assert emu.control.unhide("companies", hidden) == hidden
    with pytest.raises(RuntimeError):
        emu.control.hide("contacts", ["00000000-0000-0000-0000-000000000009"])
