"""The control API: snapshot, mutate (cursor = server clock, strictly increasing), reset, stats, config, expire
tokens, token TTL, custom fields, and switching the API generation at run time."""

import email.utils

import pytest
import requests

from act_emulator.dotnet_time import parse_ticks
from act_emulator.tables import TABLES
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", seed=11) as running:
        yield running


@pytest.fixture()
def api(emu):
    return emu.api_get()


def test_snapshot_matches_served_data(emu, api):
    snap = emu.control.snapshot("contacts")
    assert snap["table"] == "contacts" and snap["cursor_field"] == "edited" and snap["deleted_ids"] == []
    served = api("/api/contacts", **{"$orderby": "edited,id"}).json()
    assert served == snap["records"]
    slim = emu.control.snapshot("contacts", fields=["id", "edited"])["records"]
    assert slim == [{"id": r["id"], "edited": r["edited"]} for r in served]


def test_mutate_edit_insert_delete(emu, api):
    before = emu.control.snapshot("contacts", fields=["id", "edited"])["records"]
    newest = max(parse_ticks(r["edited"]) for r in before)
    result = emu.control.mutate("contacts", edit=3, insert=2, delete=1)
    assert len(result["edited"]) == 3 and len(result["inserted"]) == 2 and len(result["deleted"]) == 1
    snap = emu.control.snapshot("contacts", fields=["id", "edited"])
    by_id = {r["id"]: parse_ticks(r["edited"]) for r in snap["records"]}
    stamps = [by_id[i] for i in result["edited"] + result["inserted"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5 and min(stamps) > newest
    assert snap["deleted_ids"] == [i.lower() for i in result["deleted"]]
    assert api("/api/contacts/" + result["deleted"][0]).status_code == 404
    response = api("/api/contacts", **{"$filter": f"edited gt {snap['records'][0]['edited']}"})
    server_now = email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()
    assert server_now >= (max(stamps) - 621_355_968_000_000_000) // 10_000_000 - 1
    # the page the connector asks for next sees exactly the changes
    newest_page = api("/api/contacts", **{"$filter": f"edited gt {_iso(newest)}", "$orderby": "edited,id"}).json()
    assert [r["id"] for r in newest_page] == result["edited"] + result["inserted"]


def _iso(ticks):
    from act_emulator.dotnet_time import format_ticks

    return format_ticks(ticks)


def test_mutate_same_timestamp_and_explicit_ids(emu):
    ids = [r["id"] for r in emu.control.snapshot("companies", fields=["id"])["records"][:4]]
    result = emu.control.mutate("companies", edit=4, ids=ids, same_timestamp=True)
    assert result["edited"] == ids
    snap = {r["id"]: r["edited"] for r in emu.control.snapshot("companies", fields=["id", "edited"])["records"]}
    assert len({snap[i] for i in ids}) == 1
    gone = emu.control.mutate("companies", delete=1, ids=ids[:1])
    assert gone["deleted"] == ids[:1]


def test_reset_regenerates_and_clears(emu):
    emu.control.reset()
    first = emu.control.snapshot("contacts")["records"]
    emu.control.mutate("contacts", edit=2, delete=2)
    emu.control.plan([{"match": "/api/contacts", "fault": "503"}])
    emu.control.reset()
    snap = emu.control.snapshot("contacts")
    assert snap["records"] == first and snap["deleted_ids"] == []
    assert emu.control.stats()["requests_total"] == 0
    assert emu.control.plan([])["plan"] == []
    other = emu.control.reset(seed=12, records={name: 0 for name in TABLES} | {"contacts": 5})
    assert other["counts"]["contacts"] == 5
    emu.control.reset(seed=11, records="small")


def test_stats_counts(emu):
    emu.control.reset(seed=11, records="small")
    headers = {"Authorization": "Bearer " + emu.token()}
    requests.get(emu.base_url + "/api/contacts?$top=1", headers=headers, timeout=10)
    requests.get(emu.base_url + "/api/nowhere", headers=headers, timeout=10)
    stats = emu.control.stats()
    assert stats["tokens_issued"] == 1
    assert stats["by_path"]["contacts"] == 1 and stats["by_path"]["authorize"] == 1
    assert stats["by_status"]["200"] == 2 and stats["by_status"]["404"] == 1


def test_expire_tokens_and_ttl(emu, api):
    assert api("/api/groups").status_code == 200
    emu.control.expire_tokens()
    assert api("/api/groups").status_code == 401
    fresh = emu.token()
    assert (
        requests.get(emu.base_url + "/api/groups", headers={"Authorization": "Bearer " + fresh}, timeout=10).status_code
        == 200
    )
    emu.control.config(token_ttl=0)  # issued already expired: no waiting on the clock
    try:
        dead = emu.token()
        assert (
            requests.get(
                emu.base_url + "/api/groups", headers={"Authorization": "Bearer " + dead}, timeout=10
            ).status_code
            == 401
        )
    finally:
        emu.control.config(token_ttl=3600)


def test_custom_field_added(emu, api):
    column = emu.control.add_custom_field("Contact", "Loyalty Tier", "Character")
    assert column["name"] == "Loyalty Tier" and column["isCustom"]
    names = [c["name"] for c in api("/api/metadata/contact/fields").json()]
    assert "Loyalty Tier" in names
    changed = emu.control.mutate("contacts", edit=2, insert=1)
    for record_id in changed["edited"] + changed["inserted"]:
        record = api("/api/contacts/" + record_id).json()
        assert record["customFields"]["Loyalty Tier"] is not None
    with pytest.raises(RuntimeError):
        emu.control.add_custom_field("Nothing", "X")


def test_config_switches_api_generation(emu, api):
    try:
        emu.control.config(api="current")
        assert api("/api/tasks").status_code == 200
        assert api("/api/activities").status_code == 404
        emu.control.config(api="legacy")
        assert api("/api/tasks").status_code == 404
        assert api("/api/activity-types").status_code == 200
    finally:
        emu.control.config(api="both")
    assert api("/api/tasks").json() == api("/api/activities").json()


def test_control_rejects_bad_input(emu):
    for call in (
        lambda: emu.control.config(nonsense=1),
        lambda: emu.control.mutate("nope", edit=1),
        lambda: emu.control.plan([{"match": "/api/contacts", "fault": "teapot"}]),
        lambda: emu.control.snapshot("nope"),
    ):
        with pytest.raises(RuntimeError):
            call()


def test_tokens_lists_issued_jwts_most_recent_last(emu):
    first, second = emu.token(), emu.token()
    tokens = emu.control.tokens()
    assert tokens[-2:] == [first, second]
    assert all(token.count(".") == 2 for token in tokens)  # whole JWTs: header.payload.signature
    raw = requests.get(emu.root_url + "/_emulator/tokens", timeout=10).json()
    assert raw["tokens"] == tokens and raw["issued"] >= 2
    emu.control.reset()  # tokens stay valid, and listed, across a reset
    assert emu.control.tokens()[-2:] == [first, second]
    assert (
        requests.get(
            emu.base_url + "/api/tokens", headers={"Authorization": "Bearer " + second}, timeout=10
        ).status_code
        == 404
    )  # not part of the Act! API


def test_tokens_kept_are_capped():
    from act_emulator.auth import KEPT_TOKENS, Authenticator

    auth = Authenticator("u", "p", "db")
    basic = "Basic " + __import__("base64").b64encode(b"u:p").decode()
    issued = [auth.authorize(basic, "db") for _ in range(KEPT_TOKENS + 5)]
    assert list(auth.tokens) == issued[-KEPT_TOKENS:] and auth.issued == KEPT_TOKENS + 5
