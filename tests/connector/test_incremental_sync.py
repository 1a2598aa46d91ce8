"""The connector's core promise, end to end through the SDK's runner against the emulator: every record lands
once and current, whatever the server does to pages and whatever changes between and during syncs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.connector.conftest import Syncer
from tests.support.emulator import start_emulator
from tests.support.warehouse import rows


def test_full_sync_lands_every_record_of_the_six_tables(syncer):
    syncer.sync()
    comparisons = syncer.assert_clean("full sync, six tables")
    assert {c.table: c.landed for c in comparisons} == {c.table: c.truth for c in comparisons}
    assert all(c.truth > 0 for c in comparisons)


def test_pages_capped_below_batch_size_lose_nothing(project):
    with start_emulator(
        records={
            "contacts": 333,
            "activities": 250,
            "companies": 90,
            "opportunities": 70,
            "products": 40,
            "activity_types": 12,
        },
        max_page_size=37,
    ) as emulator:
        syncer = Syncer(project, emulator, batch_size=100)
        result = syncer.sync()
        syncer.assert_clean("(a) server caps $top at 37, batch_size 100")
        assert "contacts: page 9," in result.output  # 333 rows in pages of 37: paging went on past short pages


def test_pages_grow_to_the_default_batch_size_and_a_cap_met_on_the_way_loses_nothing(project):
    with start_emulator(
        records={"contacts": 6_500, "activities": 40, "companies": 30, "opportunities": 20, "products": 10},
        max_page_size=2_500,
    ) as emulator:
        syncer = Syncer(project, emulator, batch_size=10_000)
        result = syncer.sync()
        syncer.assert_clean("pages grow from 1,000 to batch_size 10,000; the server caps $top at 2,500")
        # 1,000 asked and served, then 4,000 asked and 2,500 served with more behind: the cap is learned there
        assert "returns at most 2500 records per request" in result.output
        assert "contacts: page 4," in result.output and "contacts: page 5," not in result.output  # 1000+2500*2+500


def test_edits_inserts_and_deletes_during_paging_land_by_the_next_sync(project):
    with start_emulator(
        records={
            "contacts": 600,
            "companies": 50,
            "opportunities": 50,
            "activities": 50,
            "products": 20,
            "activity_types": 12,
        }
    ) as emulator:
        emulator.control.plan(
            [
                {
                    "match": "/api/contacts",
                    "skip": 2,
                    "mutate": {"table": "contacts", "edit": 25, "insert": 15, "delete": 10},
                },
                {
                    "match": "/api/contacts",
                    "skip": 4,
                    "mutate": {"table": "contacts", "edit": 25, "insert": 5, "delete": 5},
                },
            ]
        )
        syncer = Syncer(project, emulator, batch_size=50, parallel_tables=1)
        syncer.sync()  # deletions while paging cause no error
        syncer.sync()
        comparisons = syncer.assert_clean("(b) edits/inserts/deletes while paging, 2 syncs")
        contacts = next(c for c in comparisons if c.table == "contacts")
        assert contacts.truth == 600 + 20 - 15


def test_bulk_import_sharing_one_timestamp_is_paged_exactly(project):
    with start_emulator(
        records={
            "contacts": 100,
            "companies": 10,
            "opportunities": 10,
            "activities": 10,
            "products": 10,
            "activity_types": 12,
        }
    ) as emulator:
        syncer = Syncer(project, emulator, batch_size=100)
        syncer.sync()
        imported = emulator.control.mutate("contacts", insert=2500, same_timestamp=True)["inserted"]
        snapshot = emulator.control.snapshot("contacts", fields=["id", "edited"])
        stamps = {r["edited"] for r in snapshot["records"] if r["id"] in set(imported)}
        assert len(stamps) == 1  # thousands of records, one timestamp
        syncer.sync()
        syncer.assert_clean("(c) bulk import: 2,500 records share one timestamp")


def test_table_sizes_that_are_exact_multiples_of_batch_size(project):
    with start_emulator(
        records={
            "contacts": 300,
            "companies": 100,
            "opportunities": 200,
            "activities": 100,
            "products": 100,
            "activity_types": 12,
        }
    ) as emulator:
        syncer = Syncer(project, emulator, batch_size=100)
        syncer.sync()
        syncer.assert_clean("(d) table sizes exact multiples of batch_size")


def test_second_and_later_syncs_pick_up_every_edit_and_insert(syncer):
    syncer.sync()
    control = syncer.emulator.control
    for round_number in range(2):
        for table in ("contacts", "companies", "opportunities", "activities", "products"):
            control.mutate(table, edit=7, insert=3)
        result = syncer.sync()
        syncer.assert_clean(f"(f) sync {round_number + 2} after edits and inserts")
    state = result.state
    assert set(state["table_cursors"]) == {"contacts", "companies", "opportunities", "activities", "products"}
    assert state["table_batch_tracking"] == {}


def _stamp(text: str) -> datetime:
    base, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(base).replace(microsecond=int((fraction + "000000")[:6]), tzinfo=timezone.utc)


def reads_from_cursor(control, table: str, cursor: str, overlap_seconds: int = 300) -> int:
    """How many records an incremental pass from `cursor` reads: those stamped at or after the cursor minus
    `cursor_overlap_seconds` (late commits), i.e. what changed since and the newest records before it again."""
    snapshot = control.snapshot(table)
    lower = _stamp(cursor) - timedelta(seconds=overlap_seconds)
    return sum(1 for r in snapshot["records"] if _stamp(r[snapshot["cursor_field"]]) >= lower)


def test_incremental_sync_reads_only_what_changed_and_the_overlap_before_its_cursor(syncer):
    cursors = syncer.sync().state["table_cursors"]
    syncer.emulator.control.mutate("contacts", edit=5)
    result = syncer.sync()
    for table, cursor in cursors.items():
        expected = reads_from_cursor(syncer.emulator.control, table, cursor)  # the 5 edits included
        assert expected >= 1 + (5 if table == "contacts" else 0)  # the newest record at least
        assert f"{table}: complete, {expected} rows in 1 pages" in result.output, [
            line for line in result.output.splitlines() if f"{table}: complete" in line
        ]
    read_whole = [line for line in result.output.splitlines() if "read whole this sync" in line]
    assert all("activity_types:" in line for line in read_whole), read_whole  # full-refresh tables only
    assert "Too many empty results" not in result.output  # empty first pages of incremental passes never alarm


def test_keyset_position_keeps_the_cursor_exactly_as_the_server_wrote_it(syncer):
    syncer.sync(tables="contacts")
    syncer.emulator.control.mutate("contacts", edit=120)
    truth = {
        r["id"]: r["edited"] for r in syncer.emulator.control.snapshot("contacts", fields=["id", "edited"])["records"]
    }
    assert any(len(edited.rstrip("Z").partition(".")[2]) == 7 for edited in truth.values()), "7-digit fractions served"
    result = syncer.sync(batch_size=10, tables="contacts")  # an incremental pass: positions in (edited, id) order
    decoder = json.JSONDecoder()
    positions = [
        decoder.raw_decode(line.split("checkpoint recorded: ", 1)[1])[0]["table_batch_tracking"].get("contacts", {})
        for line in result.output.splitlines()
        if "checkpoint recorded: " in line
    ]
    keysets = [p["keyset"] for p in positions if p.get("mode") == "incremental" and p.get("keyset")]
    assert len(keysets) >= 12
    for keyset in keysets:  # each saved position is a real record's id and its cursor, character for character
        assert truth[keyset["id"]] == keyset["cursor"]
    assert any(len(k["cursor"].rstrip("Z").partition(".")[2]) == 7 for k in keysets)


def test_legacy_and_current_servers_both_sync_activities(project, tmp_path):
    for generation, path in (("legacy", "/api/activities"), ("current", "/api/tasks")):
        with start_emulator(
            records={
                "activities": 120,
                "activity_types": 12,
                "contacts": 5,
                "companies": 5,
                "opportunities": 5,
                "products": 5,
            },
            api=generation,
        ) as emulator:
            syncer = Syncer(project, emulator)
            result = syncer.sync(state={})
            assert f"Act! Web API generation: {generation}" in result.output
            syncer.assert_clean(f"{generation} API paths ({path})")
            assert len(rows(project, "activity_types")) == 12


def test_many_empty_full_reads_fail_the_sync_with_the_fail_safe_message(project):
    with start_emulator(records="none") as emulator:
        syncer = Syncer(project, emulator)
        result = syncer.sync(expect_success=False)
        assert not result.succeeded
        assert "Too many empty results: check API connectivity and authentication" in result.output


def test_one_empty_table_is_not_an_alarm(project):
    with start_emulator(
        records={
            "contacts": 40,
            "companies": 0,
            "opportunities": 30,
            "activities": 30,
            "products": 10,
            "activity_types": 12,
        }
    ) as emulator:
        syncer = Syncer(project, emulator)
        result = syncer.sync()
        assert "companies: a full read returned no records" in result.output
        syncer.assert_clean("one table empty on the first sync")
