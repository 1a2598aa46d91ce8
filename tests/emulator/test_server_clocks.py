"""The clocks a client sees: a Date header apart from the data clock (web server vs SQL Server), inserted records
whose `created` runs ahead of their `edited`, back-dated edits, and the newest-stamp probe on every cursor table."""

import email.utils

import pytest
import requests

from act_emulator.dotnet_time import TICKS_PER_SECOND, UNIX_EPOCH_TICKS, parse_ticks
from act_emulator.tables import TABLES
from tests.support.emulator import start_emulator

CURSOR_TABLES = [name for name, table in TABLES.items() if table.cursor_field and not table.parent]
START_OFFSET = -86400
PATHS = {name: TABLES[name].current_path for name in CURSOR_TABLES}


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small", seed=5, date_offset_seconds=START_OFFSET) as running:
        yield running


@pytest.fixture()
def api(emu):
    yield emu.api_get()
    emu.control.config(date_offset_seconds=START_OFFSET, created_offset_seconds=0)


def _header_seconds(response) -> int:
    return int(email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp())


def _seconds(stamp: str) -> float:
    return (parse_ticks(stamp) - UNIX_EPOCH_TICKS) / TICKS_PER_SECOND


def _newest(emu, table="contacts") -> float:
    cursor = TABLES[table].cursor_field
    return max(_seconds(r[cursor]) for r in emu.control.snapshot(table, fields=[cursor])["records"])


def test_date_offset_flag_puts_the_date_header_behind_the_data(emu, api):
    changed = emu.control.mutate("contacts", edit=1)["edited"][0]
    stamp = _seconds(api("/api/contacts/" + changed).json()["edited"])
    authorize = requests.get(
        emu.base_url + "/authorize",
        headers={"Authorization": emu.basic_auth_header(), "Act-Database-Name": emu.database},
        timeout=10,
    )
    for response in (authorize, api("/api/contacts", **{"$top": "1"})):
        assert _header_seconds(response) < stamp - 80000  # about a day behind the record just stamped


def test_date_offset_config_ahead_and_back(emu, api):
    emu.control.mutate("contacts", edit=1)  # the newest stamp is now
    emu.control.config(date_offset_seconds=7200.5)
    assert emu.control.config()["date_offset_seconds"] == 7200.5
    assert _header_seconds(api("/api/contacts", **{"$top": "1"})) >= int(_newest(emu)) + 7200
    emu.control.config(date_offset_seconds=0)
    response = api("/api/contacts", **{"$top": "1"})
    assert int(_newest(emu)) <= _header_seconds(response) < _newest(emu) + 7200
    with pytest.raises(RuntimeError):
        emu.control.config(date_offset_seconds="soon")


def test_created_offset_stamps_inserts_ahead_edits_untouched(emu, api):
    emu.control.config(created_offset_seconds=600)
    contact = emu.control.mutate("contacts", insert=1)["inserted"][0]
    product = emu.control.mutate("products", insert=1)["inserted"][0]
    edited = emu.control.mutate("companies", edit=1)["edited"][0]
    record = api("/api/contacts/" + contact).json()
    assert _seconds(record["created"]) == pytest.approx(_seconds(record["edited"]) + 600, abs=1e-6)
    record = api("/api/products/" + product).json()
    assert _seconds(record["createDate"]) == pytest.approx(_seconds(record["editDate"]) + 600, abs=1e-6)
    record = api("/api/companies/" + edited).json()
    assert _seconds(record["created"]) < _seconds(record["edited"])
    emu.control.config(created_offset_seconds=0)
    record = api("/api/contacts/" + emu.control.mutate("contacts", insert=1)["inserted"][0]).json()
    assert record["created"] == record["edited"]


def test_created_and_edited_offsets_both_count_from_the_data_clock(emu, api):
    emu.control.config(created_offset_seconds=-90)  # negative both: no stamp ahead of the Date header
    inserted = emu.control.mutate("contacts", insert=2, edited_offset_seconds=-60)["inserted"]
    for record_id in inserted:
        record = api("/api/contacts/" + record_id).json()
        assert _seconds(record["edited"]) - _seconds(record["created"]) == pytest.approx(30, abs=1e-6)


def test_back_dated_edits_change_content_but_keep_an_old_stamp(emu, api):
    newest = _newest(emu)
    newest_text = max(
        (r["edited"] for r in emu.control.snapshot("contacts", fields=["edited"])["records"]), key=parse_ticks
    )
    victims = [r["id"] for r in emu.control.snapshot("contacts", fields=["id"])["records"][:3]]
    before = {i: api("/api/contacts/" + i).json() for i in victims}
    changed = emu.control.mutate("contacts", edit=3, ids=victims, edited_offset_seconds=-7200)["edited"]
    assert changed == victims
    for record_id in victims:
        after = api("/api/contacts/" + record_id).json()
        assert after["jobTitle"] != before[record_id]["jobTitle"]
        assert _seconds(after["edited"]) < newest - 7000  # two hours behind the newest stamp
    # an incremental read from the newest stamp does not see them
    page = api("/api/contacts", **{"$filter": f"edited gt {newest_text}"}).json()
    assert not {r["id"] for r in page} & set(victims)
    # the data clock did not move back: a normal edit is stamped two hours after them
    normal = emu.control.mutate("contacts", edit=1)["edited"][0]
    back_dated = max(_seconds(api("/api/contacts/" + i).json()["edited"]) for i in victims)
    assert _seconds(api("/api/contacts/" + normal).json()["edited"]) > back_dated + 7000


@pytest.mark.parametrize("table", CURSOR_TABLES)
def test_newest_stamp_probe_on_every_cursor_table(emu, api, table):
    cursor = TABLES[table].cursor_field
    newest = api(PATHS[table], **{"$orderby": f"{cursor} desc", "$top": "1"}).json()
    assert len(newest) == 1 and _seconds(newest[0][cursor]) == _newest(emu, table)
    created = "createDate" if table == "products" else "created"
    first = api(PATHS[table], **{"$orderby": f"{created} desc", "$top": "1"}).json()
    truth = max(_seconds(r[created]) for r in emu.control.snapshot(table, fields=[created])["records"] if r[created])
    assert len(first) == 1 and _seconds(first[0][created]) == truth
