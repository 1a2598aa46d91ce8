"""The emulator over HTTP, as the connector sees it: auth, paths, OData, paging caps, spec-conformant records."""

import email.utils

import jwt
import pytest
import requests

from act_emulator.spec import assert_conforms
from act_emulator.sqlorder import guid_sort_key
from act_emulator.tables import TABLES
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", token_ttl=600) as running:
        yield running


@pytest.fixture(scope="module")
def api(emu):
    return emu.api_get()


def test_authorize_returns_jwt_json_string(emu):
    response = requests.get(
        emu.base_url + "/authorize",
        timeout=10,
        headers={"Authorization": emu.basic_auth_header(), "Act-Database-Name": emu.database},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text.startswith('"eyJ')
    claims = jwt.decode(response.json(), options={"verify_signature": False})
    assert claims["sub"] == "demo" and claims["db"] == "ActDemo" and claims["exp"] - claims["iat"] == 600


@pytest.mark.parametrize(
    "user,password,database",
    [
        ("demo", "wrong", "ActDemo"),
        ("someone", "Act!Demo2026", "ActDemo"),
        ("demo", "Act!Demo2026", "Other"),
        ("demo", "Act!Demo2026", None),
    ],
)
def test_authorize_rejects_bad_credentials(emu, user, password, database):
    headers = {} if database is None else {"Act-Database-Name": database}
    response = requests.get(emu.base_url + "/authorize", auth=(user, password), headers=headers, timeout=10)
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_authorize_without_credentials(emu):
    response = requests.get(emu.base_url + "/authorize", headers={"Act-Database-Name": "ActDemo"}, timeout=10)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")


def test_bearer_required_and_checked(emu):
    token = emu.token()
    url = emu.base_url + "/api/contacts?$top=1"
    assert requests.get(url, timeout=10).status_code == 401
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in ("Bearer " + tampered, "Bearer nonsense", "Basic " + token):
        response = requests.get(url, headers={"Authorization": bad}, timeout=10)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=10).status_code == 200


def test_every_table_serves_spec_conformant_records(emu, api):
    for name, table in TABLES.items():
        if table.parent:
            continue
        response = api(table.current_path)
        assert response.status_code == 200, name
        records = response.json()
        assert isinstance(records, list)
        assert assert_conforms(name, records) == len(records)


def test_paths_case_insensitive_and_date_header(api):
    a, b = api("/api/Products"), api("/API/products")
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert email.utils.parsedate_to_datetime(a.headers["Date"]).year >= 2026


def test_single_records_and_children(api):
    contact = api("/api/contacts", **{"$top": "1"}).json()[0]
    single = api("/api/contacts/" + contact["id"].upper())
    assert single.status_code == 200 and single.json() == contact
    assert api("/api/contacts/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api("/api/task-types/3").json()["id"] == 3
    products = api("/api/Products", **{"$top": "1"}).json()
    assert api("/api/Products/" + products[0]["id"]).json() == products[0]
    opportunities = api("/api/opportunities").json()
    total = 0
    for opportunity in opportunities[:10]:
        children = api(f"/api/opportunities/{opportunity['id']}/products", **{"$orderby": "edited desc"}).json()
        assert all(child["opportunityID"].lower() == opportunity["id"].lower() for child in children)
        assert_conforms("opportunity_products", children)
        total += len(children)
    assert total > 0


def test_metadata_fields(api):
    for record_type in ("Contact", "company", "GROUP", "Opportunity", "product"):
        response = api(f"/api/metadata/{record_type}/fields")
        assert response.status_code == 200
        assert all(column["isCustom"] for column in response.json())
    assert api("/api/metadata/Nothing/fields").status_code == 400


def test_unknown_path_is_aspnet_404(api):
    response = api("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["Message"].startswith("No HTTP resource was found that matches the request URI")


def test_filters_over_http(api):
    everything = api("/api/contacts").json()
    city = next(r["businessAddress"]["city"] for r in everything if (r["businessAddress"] or {}).get("city"))
    got = api("/api/contacts", **{"$filter": f"BusinessAddress/City eq '{city.upper()}'"}).json()
    assert got and {r["id"] for r in got} == {
        r["id"] for r in everything if ((r["businessAddress"] or {}).get("city") or "").lower() == city.lower()
    }
    one = everything[5]
    offset_form = api("/api/contacts", **{"$filter": f"id eq {one['id']} and edited eq {one['edited']}"}).json()
    assert offset_form == [one]
    by_guid = sorted(everything, key=lambda r: guid_sort_key(r["id"]))
    page = api("/api/contacts", **{"$filter": f"id gt '{by_guid[10]['id']}'", "$orderby": "id", "$top": "5"}).json()
    assert page == by_guid[11:16]
    bare = api("/api/contacts", **{"$filter": f"id gt {by_guid[10]['id']}", "$orderby": "id", "$top": "5"}).json()
    assert bare == page


def test_select_over_http(api):
    rows = api("/api/contacts", **{"$select": "id,businessAddress/city,Edited", "$top": "3"}).json()
    assert len(rows) == 3 and all(set(r) == {"id", "businessAddress", "edited"} for r in rows)
    assert all(set(r["businessAddress"] or {"city": 1}) == {"city"} for r in rows)
    assert_conforms("contacts", rows, complete=False)


def test_bad_query_is_400_naming_the_problem(api):
    response = api("/api/contacts", **{"$filter": "nosuch eq 1"})
    assert response.status_code == 400
    body = response.json()
    assert body["Message"].startswith("The query specified in the URI is not valid.")
    assert "nosuch" in body["ExceptionMessage"]
    assert "$top" in api("/api/contacts", **{"$top": "-1"}).json()["Message"]


def test_top_skip_and_order(api):
    ordered = api("/api/companies", **{"$orderby": "name asc,id asc"}).json()
    assert [r["name"].casefold() for r in ordered] == sorted(r["name"].casefold() for r in ordered)
    assert api("/api/companies", **{"$orderby": "name asc,id asc", "$skip": "3", "$top": "4"}).json() == ordered[3:7]
