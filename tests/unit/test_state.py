"""State: migrations to version 3 and the messages a corrupted state gets (they name the problem and the way out)."""

from __future__ import annotations

import pytest

from act.baseline import Baseline
from act.state import STATE_VERSION, StateError, SyncState, migrate_state

pytestmark = pytest.mark.unit

STAMP = "2026-06-01T12:00:00.1234567Z"


def test_an_empty_state_starts_at_version_3():
    state, notes = migrate_state({})
    assert state["state_version"] == STATE_VERSION == 3
    assert notes == []


def test_version_1_keeps_cursors_and_restarts_a_skip_pass():
    state, notes = migrate_state(
        {"table_cursors": {"contacts": STAMP}, "table_batch_tracking": {"contacts": {"skip": 200, "batch_count": 2}}}
    )
    assert state["table_cursors"] == {"contacts": STAMP}
    assert state["table_batch_tracking"] == {}
    assert any("state version 1" in note for note in notes)


def test_version_2_keeps_cursors_and_drops_passes_and_old_sketches():
    state, notes = migrate_state(
        {
            "state_version": 2,
            "table_cursors": {"contacts": STAMP},
            "table_batch_tracking": {
                "contacts": {"keyset": {"cursor": STAMP, "id": "x"}, "lower_bound": STAMP, "upper_bound": STAMP}
            },
            "reconciliation": {"contacts": {"sketch": "AAAA"}},
        }
    )
    assert state["table_cursors"] == {"contacts": STAMP}
    assert state["table_batch_tracking"] == {} and "reconciliation" not in state
    assert any("read whole once" in note for note in notes)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ([], "not a JSON object"),
        ({"state_version": "3"}, "state_version"),
        ({"state_version": 3, "table_cursors": {"contacts": "yesterday"}}, "table_cursors.contacts"),
        ({"state_version": 3, "table_batch_tracking": {"contacts": {"mode": "sideways"}}}, "mode"),
        ({"state_version": 3, "table_batch_tracking": {"contacts": {"mode": "full", "tables": "contacts"}}}, "tables"),
        ({"state_version": 3, "table_batch_tracking": {"contacts": {"keyset": {"cursor": STAMP}}}}, "has no id"),
        ({"state_version": 3, "full_passes": {"contacts": {"finished_at": "soon", "tables": []}}}, "finished_at"),
        ({"state_version": 3, "reconciliation": {"contacts": {"baseline": {"ids": "###"}}}}, "not an id sketch"),
    ],
)
def test_a_corrupted_state_is_refused_with_its_problem_named(raw, named):
    with pytest.raises(StateError, match=named) as refused:
        migrate_state(raw)
    assert "re-sync" in str(refused.value) or "reset" in str(refused.value)


def test_a_newer_state_is_refused():
    with pytest.raises(StateError, match="newer version"):
        migrate_state({"state_version": STATE_VERSION + 1})


def test_a_valid_version_3_state_passes_unchanged():
    raw = {
        "state_version": 3,
        "table_cursors": {"contacts": STAMP},
        "table_batch_tracking": {
            "contacts": {
                "mode": "full",
                "tables": ["contacts"],
                "probe": STAMP,
                "keyset": {"id": "x"},
                "skip": 5,
                "batch_count": 1,
                "baseline": Baseline(STAMP, "created", []).dumps(),
            }
        },
        "full_passes": {"companies": {"finished_at": 1.0, "rows": 3, "tables": ["companies"]}},
        "reconciliation": {"companies": {"baseline": Baseline(None, "created", []).dumps(), "finished_at": 1.0}},
    }
    state, notes = migrate_state(raw)
    assert state == raw and notes == []
    assert SyncState(state).unfinished_full_passes() == {"contacts": ["contacts"]}


def test_switching_a_dependent_table_off_forgets_that_it_was_covered():
    sync_state = SyncState(migrate_state({})[0])
    sync_state.finish_full_pass(
        "opportunities",
        STAMP,
        {"finished_at": 1.0, "rows": 1, "tables": ["opportunities", "opportunity_contacts"]},
        None,
    )
    sync_state.keep_covered("opportunities", {"opportunities"})
    assert sync_state.full_pass("opportunities")["tables"] == ["opportunities"]
