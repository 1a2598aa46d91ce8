"""Relations Act! serves as associated-* lists: group membership (/api/groups/{id}/associated-contacts) and company
associations (/api/companies/{id}/associated-contacts, /api/contacts/{id}/associated-companies): full records, OData
and the page cap as on a collection, 404 for an owner not served, kept right by deletes and hidden records, changed
through the control API with (companies) or without (groups) moving `edited`, snapshotted as pairs, faulted by plans.
Also the embedded link arrays of notes and history items, changed through /_emulator/links."""

import pytest

from act_emulator.dotnet_time import parse_ticks
from act_emulator.sqlorder import guid_sort_key
from tests.support.emulator import start_emulator

CAP = 20
UNKNOWN = "00000000-0000-0000-0000-000000000009"


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", seed=23, max_page_size=CAP) as running:
        yield running


@pytest.fixture()
def api(emu):
    return emu.api_get()


def _ids(emu, table) -> list:
    return [r["id"] for r in emu.control.snapshot(table, fields=["id"])["records"]]


def _stamps(emu, table) -> dict:
    return {r["id"]: r["edited"] for r in emu.control.snapshot(table, fields=["id", "edited"])["records"]}


def _pairs(emu, relation) -> set:
    snap = emu.control.snapshot(relation)
    left, right = snap["keys"]
    return {(r[left], r[right]) for r in snap["records"]}


def _members(emu, relation, owner) -> list:
    """The owner's linked ids in the truth, SQL Server id order."""
    return sorted((b for a, b in _pairs(emu, relation) if a == owner), key=guid_sort_key)


def _walk(api, path) -> list:
    """Every id of an associated-* list, read as the connector does: $select=id, keyset pages by id."""
    walked, last = [], None
    while True:
        params = {"$select": "id", "$orderby": "id asc", "$top": "1000"}
        if last:
            params["$filter"] = f"id gt {last}"
        response = api(path, **params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page) <= CAP and all(set(r) == {"id"} for r in page)
        if not page:
            return walked
        walked += [r["id"] for r in page]
        last = page[-1]["id"]


def _big_group(emu) -> str:
    sizes = {}
    for group, _ in _pairs(emu, "group_contacts"):
        sizes[group] = sizes.get(group, 0) + 1
    return max(sizes, key=lambda g: (sizes[g], g))


# --------------------------------------------------------------------------------------------- group membership
def test_group_members_are_full_contacts_paged_by_id_under_the_cap(emu, api):
    group = _big_group(emu)
    truth = _members(emu, "group_contacts", group)
    assert len(truth) > 2 * CAP
    path = f"/api/groups/{group}/associated-contacts"
    capped = api(path).json()
    assert len(capped) == CAP and {r["id"] for r in capped} <= set(truth)
    assert capped[0] == api("/api/contacts/" + capped[0]["id"]).json()  # full Contact records
    assert len(api(path, **{"$top": "3"}).json()) == 3
    assert _walk(api, path) == truth
    group_record = api(f"/api/groups/{group}").json()
    assert group_record["contacts"] == len(truth)


def test_group_members_honour_filters_and_orders(emu, api):
    group = _big_group(emu)
    path = f"/api/groups/{group}/associated-contacts"
    truth = _members(emu, "group_contacts", group)
    after = [r["id"] for r in api(path, **{"$filter": f"id gt {truth[4]}", "$orderby": "id asc", "$top": "5"}).json()]
    assert after == truth[5:10]
    newest = api(path, **{"$orderby": "edited desc,id desc", "$top": "4", "$select": "id,edited"}).json()
    stamps = _stamps(emu, "contacts")
    expected = sorted(truth, key=lambda i: (parse_ticks(stamps[i]), guid_sort_key(i)), reverse=True)[:4]
    assert [r["id"] for r in newest] == expected
    assert api(path, **{"$filter": "lastName eq 'no such name'"}).json() == []
    assert api(path, **{"$filter": "colour eq 1"}).status_code == 400


def test_unknown_deleted_hidden_and_bad_groups(emu, api):
    assert api(f"/api/groups/{UNKNOWN}/associated-contacts").status_code == 404
    assert api("/api/groups/not-a-guid/associated-contacts").status_code == 400
    groups = _ids(emu, "groups")
    hidden, deleted = groups[-1], groups[-2]
    emu.control.hide("groups", [hidden])
    try:
        response = api(f"/api/groups/{hidden}/associated-contacts")
        assert response.status_code == 404 and "Message" in response.json()
    finally:
        emu.control.unhide("groups", [hidden])
    assert api(f"/api/GROUPS/{hidden.upper()}/Associated-Contacts").status_code == 200
    emu.control.mutate("groups", delete=1, ids=[deleted])
    assert api(f"/api/groups/{deleted}/associated-contacts").status_code == 404
    assert not [pair for pair in _pairs(emu, "group_contacts") if pair[0] == deleted]


def test_membership_changes_move_no_stamp(emu, api):
    group = _ids(emu, "groups")[0]
    before_groups, before_contacts = _stamps(emu, "groups"), _stamps(emu, "contacts")
    members = _members(emu, "group_contacts", group)
    outsider = next(i for i in _ids(emu, "contacts") if i not in members)
    result = emu.control.group_members(group, add=[outsider], remove=members[:1])
    assert result["added"] == [outsider] and result["removed"] == members[:1]
    expected = sorted(set(members[1:]) | {outsider}, key=guid_sort_key)
    assert result["contact_ids"] == expected == _members(emu, "group_contacts", group)
    assert _walk(api, f"/api/groups/{group}/associated-contacts") == expected
    assert _stamps(emu, "groups") == before_groups and _stamps(emu, "contacts") == before_contacts
    assert api(f"/api/groups/{group}").json()["contacts"] == len(expected)
    again = emu.control.group_members(group, add=[outsider], remove=[UNKNOWN])  # nothing changes
    assert again["added"] == again["removed"] == [] and again["contact_ids"] == expected
    for call in (
        lambda: emu.control.group_members(UNKNOWN, add=[outsider]),
        lambda: emu.control.group_members(group, add=[UNKNOWN]),
    ):
        with pytest.raises(RuntimeError):
            call()
    assert _members(emu, "group_contacts", group) == expected


def test_deleting_a_contact_takes_it_out_of_its_groups(emu, api):
    pairs = _pairs(emu, "group_contacts")
    contact = next(c for _, c in sorted(pairs) if sum(1 for _, o in pairs if o == c) >= 2)
    groups = sorted(g for g, c in pairs if c == contact)
    group_stamps = _stamps(emu, "groups")
    emu.control.mutate("contacts", delete=1, ids=[contact])
    assert not [pair for pair in _pairs(emu, "group_contacts") if pair[1] == contact]
    for group in groups:
        assert contact not in _walk(api, f"/api/groups/{group}/associated-contacts")
        record = api(f"/api/groups/{group}").json()
        assert record["contacts"] == len(_members(emu, "group_contacts", group))
        assert record["edited"] == group_stamps[group]


def test_a_hidden_contact_is_not_listed_then_comes_back(emu, api):
    group = _big_group(emu)
    member = _members(emu, "group_contacts", group)[0]
    emu.control.hide("contacts", [member])
    try:
        assert member not in _walk(api, f"/api/groups/{group}/associated-contacts")
        assert (group, member) not in _pairs(emu, "group_contacts")
    finally:
        emu.control.unhide("contacts", [member])
    assert member in _walk(api, f"/api/groups/{group}/associated-contacts")
    assert (group, member) in _pairs(emu, "group_contacts")


# ---------------------------------------------------------------------------------------- company associations
def test_company_associations_are_one_relation_served_from_both_sides(emu, api):
    pairs = _pairs(emu, "company_contacts")
    companies = sorted({company for company, _ in pairs})
    contacts = sorted({contact for _, contact in pairs})
    for company in companies[:6]:
        assert _walk(api, f"/api/companies/{company}/associated-contacts") == _members(emu, "company_contacts", company)
    several = [c for c in contacts if sum(1 for _, o in pairs if o == c) >= 2]
    assert several, "some contacts are associated with several companies"
    for contact in several[:4] + contacts[:4]:
        served = _walk(api, f"/api/contacts/{contact}/associated-companies")
        assert served == sorted((a for a, b in pairs if b == contact), key=guid_sort_key)
    company = api(f"/api/contacts/{several[0]}/associated-companies").json()[0]
    assert company == api("/api/companies/" + company["id"]).json()  # full Company records
    assert api(f"/api/contacts/{UNKNOWN}/associated-companies").status_code == 404
    assert api(f"/api/companies/{UNKNOWN}/associated-contacts").status_code == 404


def test_most_contacts_are_associated_with_their_primary_company(emu):
    pairs = _pairs(emu, "company_contacts")
    with_company = [
        r for r in emu.control.snapshot("contacts", fields=["id", "companyID"])["records"] if r["companyID"]
    ]
    associated = [r for r in with_company if (r["companyID"], r["id"]) in pairs]
    assert len(associated) >= 0.9 * len(with_company) > 0


@pytest.mark.parametrize(("touch_contact", "touch_company"), [(True, True), (False, False), (True, False)])
def test_association_changes_move_the_stamps_asked_for(emu, api, touch_contact, touch_company):
    index = {(True, True): 0, (False, False): 1, (True, False): 2}[(touch_contact, touch_company)]
    company = sorted({c for c, _ in _pairs(emu, "company_contacts")})[index]
    members = _members(emu, "company_contacts", company)
    outsider = next(i for i in _ids(emu, "contacts")[index * 7 :] if i not in members)
    companies, contacts = _stamps(emu, "companies"), _stamps(emu, "contacts")
    result = emu.control.company_contacts(
        company, add=[outsider], remove=members[:1], touch_contact=touch_contact, touch_company=touch_company
    )
    changed = [outsider] + members[:1]
    assert result["added"] == [outsider] and result["removed"] == members[:1]
    assert result["contact_ids"] == _members(emu, "company_contacts", company)
    assert outsider in result["contact_ids"] and members[0] not in result["contact_ids"]
    assert company in _walk(api, f"/api/contacts/{outsider}/associated-companies")
    assert company not in _walk(api, f"/api/contacts/{members[0]}/associated-companies")
    after_companies, after_contacts = _stamps(emu, "companies"), _stamps(emu, "contacts")
    assert (after_companies[company] != companies[company]) is touch_company
    assert result["edited"] == after_companies[company]
    for contact in changed:
        assert (after_contacts[contact] != contacts[contact]) is touch_contact
        assert result["contacts_edited"][contact] == after_contacts[contact]
    untouched = set(contacts) - set(changed)
    assert all(after_contacts[i] == contacts[i] for i in untouched)
    newest = max(parse_ticks(s) for s in list(contacts.values()) + list(companies.values()))
    if touch_contact:
        assert min(parse_ticks(after_contacts[c]) for c in changed) > newest


def test_deleting_either_side_removes_its_associations(emu, api):
    pairs = sorted(_pairs(emu, "company_contacts"))
    company = pairs[-1][0]
    contacts = [b for a, b in pairs if a == company]
    emu.control.mutate("companies", delete=1, ids=[company])
    assert not [p for p in _pairs(emu, "company_contacts") if p[0] == company]
    for contact in contacts:
        assert company not in _walk(api, f"/api/contacts/{contact}/associated-companies")
    company, contact = sorted(_pairs(emu, "company_contacts"))[0]
    emu.control.mutate("contacts", delete=1, ids=[contact])
    assert contact not in _walk(api, f"/api/companies/{company}/associated-contacts")
    assert api(f"/api/contacts/{contact}/associated-companies").status_code == 404


def test_an_inserted_contact_is_associated_with_its_company(emu, api):
    inserted = emu.control.mutate("contacts", insert=12)["inserted"]
    records = {r["id"]: r for r in emu.control.snapshot("contacts", fields=["id", "companyID"])["records"]}
    companies = set(_ids(emu, "companies"))
    linked = [i for i in inserted if records[i]["companyID"] in companies]
    assert linked
    for contact in linked:
        assert _walk(api, f"/api/contacts/{contact}/associated-companies") == [records[contact]["companyID"]]


# ------------------------------------------------------------------------------------- snapshot, ids, faults
def test_snapshot_shapes(emu):
    relations = {
        "group_contacts": ("groups", ["group_id", "contact_id"]),
        "company_contacts": ("companies", ["company_id", "contact_id"]),
    }
    for relation, (owners, keys) in relations.items():
        snap = emu.control.snapshot(relation)
        assert snap["table"] == relation and snap["keys"] == keys and snap["cursor_field"] is None
        assert snap["deleted_ids"] == [] and snap["records"]
        assert all(list(r) == keys for r in snap["records"])
        order = [(guid_sort_key(r[keys[0]]), guid_sort_key(r[keys[1]])) for r in snap["records"]]
        assert order == sorted(order) and len(set(order)) == len(order)
        assert {r[keys[0]] for r in snap["records"]} <= set(_ids(emu, owners))
        assert {r[keys[1]] for r in snap["records"]} <= set(_ids(emu, "contacts"))
    slim = emu.control.snapshot("group_contacts", fields=["group_id"])["records"]
    assert slim and all(list(r) == ["group_id"] for r in slim)


def test_ids_follow_the_id_format(emu, api):
    emu.control.config(id_format="upper")
    try:
        snap = emu.control.snapshot("group_contacts")["records"]
        group = snap[0]["group_id"]
        assert group == group.upper() and snap[0]["contact_id"] == snap[0]["contact_id"].upper()
        served = api(f"/api/groups/{group.lower()}/associated-contacts", **{"$select": "id"}).json()
        assert served and all(r["id"] == r["id"].upper() for r in served)
        result = emu.control.group_members(group.lower(), add=[])
        assert result["group_id"] == group and all(i == i.upper() for i in result["contact_ids"])
    finally:
        emu.control.config(id_format="lower")


def test_fault_plans_and_stats_reach_the_associated_lists(emu, api):
    group = _big_group(emu)
    path = f"/api/groups/{group}/associated-contacts"
    before = emu.control.stats()["by_path"]
    emu.control.plan(
        [
            {"match": "/associated-contacts", "skip": 1, "fault": "503"},
            {"match": "/associated-companies", "fault": "empty"},
        ]
    )
    try:
        assert api(path).status_code == 200
        assert api(path).status_code == 503
        assert api(path).status_code == 200
        contact = _members(emu, "company_contacts", sorted({c for c, _ in _pairs(emu, "company_contacts")})[0])[0]
        assert api(f"/api/contacts/{contact}/associated-companies").json() == []
        assert api(f"/api/contacts/{contact}/associated-companies").json() != []
    finally:
        emu.control.clear_plan()
    after = emu.control.stats()["by_path"]
    assert after["group_contacts"] >= before.get("group_contacts", 0) + 3
    assert after["company_contacts"] >= before.get("company_contacts", 0) + 2


def test_relations_are_not_mutable_tables(emu):
    for call in (
        lambda: emu.control.mutate("group_contacts", insert=1),
        lambda: emu.control.hide("company_contacts", count=1),
        lambda: emu.control.company_contacts(UNKNOWN, add=[]),
        lambda: emu.control._call("POST", "/group-members", json={"group_id": UNKNOWN, "colour": 1}),
    ):
        with pytest.raises(RuntimeError):
            call()


# ------------------------------------------------------------------------------ notes' and histories' links
@pytest.mark.parametrize("table", ["notes", "histories"])
@pytest.mark.parametrize("array", ["contacts", "companies", "groups", "opportunities"])
def test_link_arrays_of_notes_and_histories(emu, api, table, array):
    path = {"notes": "/api/notes/", "histories": "/api/History/"}[table]
    records = emu.control.snapshot(table)["records"]
    record = next(r for r in records if r[array])
    linked = set(_ids(emu, array))
    removed = record[array][0]["id"]
    result = emu.control.unlink(table, record["id"], array, [removed], touch=False)
    served = api(path + record["id"]).json()
    assert removed not in [item["id"] for item in served[array]] and served["edited"] == record["edited"]
    assert result["ids"] == [item["id"] for item in served[array]]
    added = next(i for i in sorted(linked) if i not in [item["id"] for item in served[array]])
    emu.control.link(table, record["id"], array, add=[added], touch=True)
    served = api(path + record["id"]).json()
    assert parse_ticks(served["edited"]) > parse_ticks(record["edited"])
    item = served[array][-1]
    other = api(f"/api/{array}/{added}").json()
    if array == "contacts":
        assert item == {"id": added, "displayName": other["fullName"], "company": other["company"], "isInvited": False}
    else:
        assert item == {"id": added, "name": other["name"]}
