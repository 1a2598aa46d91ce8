"""Bad records on demand (POST /_emulator/corrupt): each kind is served over HTTP exactly as asked, with its cursor
stamped now; the snapshot keeps the truth; the index, filters and keyset pages keep using the real values."""

import orjson
import pytest

from act_emulator.corruption import HUGE_TEXT_BYTES, KINDS
from act_emulator.dotnet_time import format_ticks, parse_ticks
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", seed=19) as running:
        yield running


@pytest.fixture(scope="module")
def api(emu):
    plain_get = emu.api_get()

    def get(path, **params):
        response = plain_get(path, **params)
        assert response.status_code == 200, response.text
        return response

    return get


def newest(emu, table="contacts"):
    return max(parse_ticks(r["edited"]) for r in emu.control.snapshot(table, fields=["edited"])["records"])


def changed_since(api, ticks):
    """The connector's incremental page: everything edited after `ticks`, from the index (raw bytes)."""
    return api(
        "/api/contacts",
        **{"$filter": f"edited gt {format_ticks(ticks)} and edited le 2099-01-01", "$orderby": "edited asc,id asc"},
    ).content


def check_served(kind, record, truth):
    """`record` (as served, leniently decoded) is `truth` corrupted by `kind`."""
    if kind == "missing-id":
        assert "id" not in record and record == {k: v for k, v in truth.items() if k != "id"}
    elif kind == "missing-cursor":
        assert "edited" not in record and record == {k: v for k, v in truth.items() if k != "edited"}
    elif kind == "extra-field":
        assert record == dict(truth, legacyScore=7, extraInfo={"a": 1})
    elif kind == "wrong-type":
        wrong = {"amaScore": "high", "isPrivate": "maybe", "birthday": "not a date", "jobTitle": 12345}
        assert record == dict(truth, **wrong)
    elif kind == "non-utf8":
        assert record == dict(truth, firstName=truth["firstName"] + "\ufffd\ufffd")
    elif kind == "huge-text":
        assert record == truth and len(record["firstName"]) == HUGE_TEXT_BYTES


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_served_as_asked(emu, api, kind):
    before = newest(emu)
    result = emu.control.corrupt("contacts", kind, count=2)
    assert result["kind"] == kind and len(result["corrupted"]) == 2 and result["fields"]
    ids = result["corrupted"]
    snap = emu.control.snapshot("contacts")
    truth = {r["id"]: r for r in snap["records"]}
    for record_id in ids:  # the truth: real id, cursor stamped now, in order
        assert snap["corrupted"][record_id] == kind
        assert parse_ticks(truth[record_id]["edited"]) > before
    assert parse_ticks(truth[ids[0]]["edited"]) < parse_ticks(truth[ids[1]]["edited"])
    assert (set(ids) <= set(snap["served_without_id"])) == (kind == "missing-id")
    body = changed_since(api, before)
    if kind == "non-utf8":
        assert body.count(b"\xff\xfe") == 2
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(body)
        served = orjson.loads(body.decode("utf-8", "replace"))
    else:
        served = orjson.loads(body)
    assert len(served) == 2  # the incremental page picks both up, in cursor order
    for record_id, record in zip(ids, served):
        check_served(kind, record, truth[record_id])
    single = api("/api/contacts/" + ids[0]).content  # a single GET serves the same bytes
    assert single == body[1 : body.index(b"},{") + 1]


def test_filters_and_keyset_pages_use_the_real_values(emu, api):
    emu.control.reset(seed=19, records="small")
    before = newest(emu)
    no_id = emu.control.corrupt("contacts", "missing-id", count=3)["corrupted"]
    no_cursor = emu.control.corrupt("contacts", "missing-cursor", count=3)["corrupted"]
    emu.control.corrupt("contacts", "wrong-type", count=2)
    snap = emu.control.snapshot("contacts")
    truth = snap["records"]  # index order
    assert snap["served_without_id"] == no_id
    # keyset walk in pages of 7, each next page keyed on the real (edited, id) of the last record of the page
    size, walked, last = 7, [], None
    while True:
        flt = "edited le 2099-01-01"
        if last is not None:
            t, k = last["edited"], last["id"]
            flt = f"(edited gt {t} or (edited eq {t} and id gt {k})) and " + flt
        served = api("/api/contacts", **{"$filter": flt, "$orderby": "edited asc,id asc", "$top": str(size)}).json()
        walked += served
        if len(served) < size:
            break
        last = truth[len(walked) - 1]
    assert len(walked) == len(truth)
    assert [r.get("id") for r in walked] == [None if r["id"] in no_id else r["id"] for r in truth]
    assert [r["id"] for r in walked if "edited" not in r] == no_cursor
    # the incremental page holds exactly the 8 corrupted records, in the order they were corrupted
    tail = orjson.loads(changed_since(api, before))
    assert len(tail) == 8 and [r.get("id") for r in tail[:3]] == [None] * 3
    # filters see the real values: found by id although served without one; typed comparisons still work
    by_id = api("/api/contacts", **{"$filter": f"id eq {no_id[0]}"}).json()
    assert len(by_id) == 1 and "id" not in by_id[0]
    wrong = emu.control.snapshot("contacts")["corrupted"]
    scored = api(
        "/api/contacts", **{"$filter": f"amaScore ge 0 and edited gt {format_ticks(before)}", "$orderby": "edited,id"}
    ).json()
    real = [r for r in truth if parse_ticks(r["edited"]) > before and r["amaScore"] is not None and r["amaScore"] >= 0]
    assert [r.get("id") for r in scored] == [None if r["id"] in no_id else r["id"] for r in real]
    assert {r["amaScore"] for r in scored if wrong.get(r.get("id")) == "wrong-type"} <= {"high"}
    assert api("/api/contacts", **{"$filter": f"id eq {no_id[0]}", "$select": "id,edited"}).json() == [
        {"id": None, "edited": next(r["edited"] for r in truth if r["id"] == no_id[0])}
    ]


def test_corruption_sticks_until_deleted_and_reset_clears(emu, api):
    emu.control.reset(seed=19, records="small")
    target = emu.control.corrupt("contacts", "extra-field", count=1)["corrupted"][0]
    emu.control.mutate("contacts", edit=1, ids=[target])  # edited from its real values, still corrupted
    record = api("/api/contacts/" + target).json()
    assert record["legacyScore"] == 7 and record["id"] == target
    assert emu.control.snapshot("contacts")["corrupted"] == {target: "extra-field"}
    assert "legacyScore" not in next(r for r in emu.control.snapshot("contacts")["records"] if r["id"] == target)
    again = emu.control.corrupt("contacts", "missing-id", ids=[target.upper()])
    assert again["corrupted"] == [target] and emu.control.snapshot("contacts")["served_without_id"] == [target]
    assert emu.control.mutate("contacts", delete=1, ids=[target])["deleted"] == [target]
    snap = emu.control.snapshot("contacts")
    assert snap["corrupted"] == {} and snap["deleted_ids"] == [target]
    emu.control.corrupt("products", "huge-text", count=1)  # other tables: cursor editDate, text name
    products = api("/api/Products", **{"$orderby": "editDate desc", "$top": "1"}).json()
    assert len(products[0]["name"]) == HUGE_TEXT_BYTES
    emu.control.reset()
    assert emu.control.snapshot("products")["corrupted"] == {}


def test_corrupt_rejects_bad_input(emu):
    for call in (
        lambda: emu.control.corrupt("contacts", "teapot"),
        lambda: emu.control.corrupt("nope", "missing-id"),
        lambda: emu.control.corrupt("users", "missing-cursor"),
        lambda: emu.control.corrupt("contacts", "missing-id", ids=["00000000-0000-4000-8000-000000000000"]),
        lambda: emu.control.corrupt("contacts", "missing-id", ids=["not-a-guid"]),
    ):
        with pytest.raises(RuntimeError):
            call()
