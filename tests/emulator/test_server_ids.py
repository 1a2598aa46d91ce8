"""GUID ids written upper-case or braced, as some Act! servers do: every id the API serves takes the form (records,
embedded links, parent references, metadata), while filters, keyset pages and single GETs keep SQL Server
`uniqueidentifier` semantics whatever form the client sends."""

import re

import pytest

from act_emulator.sqlorder import guid_sort_key
from tests.support.emulator import start_emulator

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
FORMS = {
    "upper": re.compile(GUID.replace("a-fA-F", "A-F")),
    "braced": re.compile(r"\{" + GUID.replace("a-fA-F", "a-f") + r"\}"),
    "lower": re.compile(GUID.replace("a-fA-F", "a-f")),
}


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", seed=9, id_format="upper") as running:
        yield running


@pytest.fixture()
def api(emu):
    yield emu.api_get()
    emu.control.config(id_format="upper")


def _guids(text: str) -> list[str]:
    return re.findall(r"\{?" + GUID + r"\}?", text)


def _all_in(form: str, text: str) -> bool:
    found = _guids(text)
    return bool(found) and all(FORMS[form].fullmatch(g) for g in found)


@pytest.mark.parametrize("form", ["upper", "braced", "lower"])
def test_every_served_guid_takes_the_form(emu, api, form):
    emu.control.config(id_format=form)
    for path in ("/api/contacts", "/api/opportunities", "/api/tasks", "/api/users", "/api/metadata/Contact/fields"):
        assert _all_in(form, api(path).text), path
    opportunity = api("/api/opportunities", **{"$top": "1"}).json()[0]
    assert _all_in(form, api(f"/api/opportunities/{opportunity['id']}/products").text + opportunity["id"])
    snap = emu.control.snapshot("contacts", fields=["id", "companyID"])
    assert _all_in(form, " ".join(r["id"] for r in snap["records"]))
    inserted = emu.control.mutate("contacts", insert=1)["inserted"][0]
    assert FORMS[form].fullmatch(inserted)
    assert api("/api/contacts/" + inserted).json()["id"] == inserted


def test_any_form_finds_a_record(emu, api):
    record_id = api("/api/contacts", **{"$top": "1"}).json()[0]["id"]
    bare = record_id.lower()
    for sent in (bare, bare.upper(), "{" + bare + "}"):
        assert api("/api/contacts/" + sent).json()["id"] == record_id
    for literal in (bare, bare.upper(), "{" + bare.upper() + "}", f"'{bare}'", f"guid'{{{bare}}}'"):
        found = api("/api/contacts", **{"$filter": f"id eq {literal}"}).json()
        assert [r["id"] for r in found] == [record_id], literal


def test_keyset_walk_by_id_in_upper_case(emu, api):
    truth = sorted(
        (r["id"] for r in api("/api/contacts", **{"$select": "id"}).json()),
        key=guid_sort_key,
    )
    walked, last = [], None
    while True:
        params = {"$orderby": "id asc", "$top": "37"}
        if last:
            params["$filter"] = f"id gt {last.lower()}"
        page = api("/api/contacts", **params).json()
        if not page:
            break
        walked += [r["id"] for r in page]
        last = page[-1]["id"]
    assert walked == truth


def test_mutations_hide_and_links_accept_any_form(emu, api):
    opportunity = next(r for r in emu.control.snapshot("opportunities")["records"] if r["contacts"])
    linked = opportunity["contacts"][0]["id"]
    result = emu.control.unlink("opportunities", "{" + opportunity["id"].lower() + "}", "contacts", [linked.lower()])
    assert result["id"] == opportunity["id"] and linked not in result["ids"]
    victim = emu.control.snapshot("companies", fields=["id"])["records"][0]["id"]
    assert emu.control.hide("companies", [victim.lower()]) == [victim]
    assert victim in emu.control.snapshot("companies")["deleted_ids"]
    assert emu.control.unhide("companies", [victim]) == [victim]
    assert emu.control.mutate("companies", delete=1, ids=[victim.lower()])["deleted"] == [victim]
    assert emu.control.snapshot("companies")["deleted_ids"] == [victim]


def test_bad_id_format_rejected(emu):
    with pytest.raises(RuntimeError):
        emu.control.config(id_format="mixed")
