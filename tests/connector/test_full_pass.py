"""Full re-reads, end to end: a table read whole in id order under a deferred truncate, so that when the sync ends
well every row it did not send again is marked deleted, and until then nothing is.

It comes on the first sync, every `full_resync_hours`, and when a delete check cannot list the deletions; killed or
failed midway it resumes from its last checkpoint, and no live row is ever marked deleted on the way.
"""

from __future__ import annotations

import pytest

from tests.connector.conftest import Syncer
from tests.connector.test_deletes import EVERY_SYNC, assert_exact, deleted_flags, marked_deleted, records
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import fivetran_debug_killed

FULL_CHECKPOINT = '"mode": "full"'  # a checkpoint line of a full pass in progress


@pytest.fixture
def emulator():
    with start_emulator(records=records(contacts=400, opportunities=30, opportunity_products=90)) as running:
        yield running


def _nothing_marked_deleted(project, table: str = "contacts") -> None:
    flagged = marked_deleted(project, table)
    assert not flagged, f"{table}: {len(flagged)} rows marked deleted before the re-read completed"


def test_a_full_re_read_comes_every_full_resync_hours_and_not_before(project, emulator):
    syncer = Syncer(project, emulator, tables="contacts")
    first = syncer.sync()
    assert "contacts: read whole this sync (first sync)" in first.output
    assert "contacts: full re-read complete, 400 rows" in first.output
    second = syncer.sync()  # default: weekly
    assert "read whole this sync" not in second.output
    third = syncer.sync(full_resync_hours=EVERY_SYNC)
    assert "contacts: read whole this sync (the scheduled full re-read" in third.output
    assert "contacts: full re-read complete, 400 rows" in third.output
    off = syncer.sync(full_resync_hours="0")
    assert "read whole this sync" not in off.output
    assert_exact(syncer, "full pass: scheduled by full_resync_hours", ("contacts",))


def test_a_full_re_read_killed_at_several_points_resumes_and_then_marks_exactly_the_deleted(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts", batch_size=40, full_resync_hours=EVERY_SYNC)
    syncer.sync()
    gone = set(control.mutate("contacts", delete=12)["deleted"])
    control.mutate("contacts", edit=10, insert=5)
    done = []  # rows the re-read had committed at each kill: it goes on, it never starts over
    for kill_after in (1, 4, 3):  # right after its deferred truncate, then midway twice (each run resuming)
        killed = fivetran_debug_killed(project, syncer.config, kill_after_lines=kill_after, pattern=FULL_CHECKPOINT)
        assert killed.returncode != 0 and "SYNC SUCCEEDED" not in killed.output
        tracking = killed.state["table_batch_tracking"]["contacts"]
        assert tracking["mode"] == "full"
        done.append(tracking["skip"])
        _nothing_marked_deleted(project)  # unfinished: no row marked deleted, live or not
    assert done == sorted(done) and done[-1] > done[0], done
    resumed = syncer.sync()
    assert "contacts: resuming its full re-read" in resumed.output
    assert marked_deleted(project, "contacts") == gone
    assert_exact(syncer, "full pass: killed 3 times, resumed", ("contacts",))


def test_a_re_read_whose_syncs_fail_leaves_every_live_row_live_until_a_sync_ends_well(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts", batch_size=40, max_retries=1)
    syncer.sync()
    gone = set(control.mutate("contacts", delete=15)["deleted"])
    control.mutate("contacts", edit=5)
    # the server goes down after the re-read's first pages (the probe, then pages 1 and 2) and stays down
    control.plan([{"match": "/api/contacts", "skip": 3, "times": 10_000, "fault": "500"}])
    for _ in range(2):
        failed = syncer.sync(expect_success=False, full_resync_hours=EVERY_SYNC)
        assert not failed.succeeded, failed.output[-3000:]
        _nothing_marked_deleted(project)
        assert not syncer.compare(("contacts",))[0].lost
    control.clear_plan()
    healed = syncer.sync()
    assert "contacts: full re-read complete" in healed.output
    assert marked_deleted(project, "contacts") == gone
    assert_exact(syncer, "full pass: two failed syncs, then a good one", ("contacts",))


def test_edits_stamped_in_the_past_land_at_the_next_full_re_read(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts", delete_reconciliation_hours=EVERY_SYNC)
    syncer.sync()
    control.mutate("contacts", edit=5, edited_offset_seconds=-2 * 3600)  # Act! sync or an import: old stamps
    control.mutate("contacts", edit=5, edited_offset_seconds=-3 * 86400)
    inserted = set(control.mutate("contacts", insert=4, edited_offset_seconds=-2 * 3600)["inserted"])
    syncer.sync()  # incremental: cannot see the back-dated edits; the delete check finds the back-dated new ids
    assert inserted <= {key for key, deleted in deleted_flags(project, "contacts").items() if not deleted}
    result = syncer.sync(full_resync_hours=EVERY_SYNC)
    assert "contacts: read whole this sync (the scheduled full re-read" in result.output
    assert_exact(syncer, "full pass: edits stamped 2 h and 3 days in the past", ("contacts",))


def test_a_spurious_empty_page_in_the_middle_of_a_full_pass_does_not_end_it(project, emulator):
    control = emulator.control
    syncer = Syncer(project, emulator, tables="contacts", batch_size=50)
    # a full pass's requests: the probe of the newest stamp, then pages 1, 2, 3...: page 3 answers []
    control.plan([{"match": "/api/contacts", "skip": 3, "times": 1, "fault": "empty"}])
    first = syncer.sync()
    assert control.stats()["faults"] == {"empty": 1}
    assert "contacts: full re-read complete, 400 rows" in first.output
    assert "the server answered an empty page and then rows for the same page" in first.output
    _nothing_marked_deleted(project)
    gone = set(control.mutate("contacts", delete=7)["deleted"])
    control.plan([{"match": "/api/contacts", "skip": 4, "times": 1, "fault": "empty"}])
    again = syncer.sync(full_resync_hours=EVERY_SYNC)
    assert "contacts: full re-read complete, 393 rows" in again.output
    assert marked_deleted(project, "contacts") == gone
    assert_exact(syncer, "full pass: spurious empty page midway", ("contacts",))


def test_an_unfinished_re_read_fails_every_sync_that_leaves_out_one_of_its_tables(project, emulator):
    control = emulator.control
    tables = "opportunities,opportunity_products"
    syncer = Syncer(project, emulator, tables=tables, batch_size=5, full_resync_hours=EVERY_SYNC)
    syncer.sync()
    gone = set(control.mutate("opportunities", delete=2)["deleted"])
    killed = fivetran_debug_killed(project, syncer.config, kill_after_lines=2, pattern=FULL_CHECKPOINT)
    assert killed.state["table_batch_tracking"]["opportunities"]["tables"] == ["opportunities", "opportunity_products"]
    refused = syncer.sync(expect_success=False, tables="opportunities")
    assert not refused.succeeded
    assert (
        "opportunities: its full re-read is unfinished and includes opportunity_products, which 'tables' no longer "
        "selects: add opportunity_products back to 'tables' until a sync completes the re-read"
    ) in refused.output
    _nothing_marked_deleted(project, "opportunities")
    _nothing_marked_deleted(project, "opportunity_products")
    syncer.sync()
    assert marked_deleted(project, "opportunities") == gone
    assert_exact(
        syncer, "full pass: unfinished, a table switched off meanwhile", ("opportunities", "opportunity_products")
    )
