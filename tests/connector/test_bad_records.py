"""Records a misbehaving server sends (no id, no cursor, undefined fields, wrong types, bytes that are not UTF-8,
huge text) are handled and reported: the sync succeeds, every other row lands intact, and the log says what was
wrong."""

from __future__ import annotations

import pytest

from tests.connector.conftest import Syncer
from tests.support.emulator import start_emulator
from tests.support.warehouse import compare, rows


@pytest.fixture
def emulator():
    with start_emulator(
        records={
            "contacts": 200,
            "companies": 20,
            "opportunities": 20,
            "activities": 20,
            "products": 10,
            "activity_types": 12,
        }
    ) as running:
        yield running


def _landed(project) -> dict[str, dict]:
    return {r["id"]: r for r in rows(project, "contacts")}


def test_bad_records_are_reported_and_do_not_disturb_other_rows(project, emulator):
    syncer = Syncer(project, emulator, batch_size=40, tables="contacts")
    syncer.sync()
    control = emulator.control
    bad = {
        kind: set(control.corrupt("contacts", kind, count=3)["corrupted"])
        for kind in ("missing-id", "missing-cursor", "extra-field", "wrong-type", "non-utf8", "huge-text")
    }
    result = syncer.sync()
    landed = _landed(project)
    truth = {r["id"]: r for r in control.snapshot("contacts")["records"]}
    output = result.output
    # no id: cannot be keyed, skipped and counted (the earlier version of the row stays)
    assert "contacts: 3 record(s): a record without an id was skipped" in output
    # no cursor: still written (it has an id); paging goes on from the rows that have one
    assert bad["missing-cursor"] <= set(landed)
    # undefined fields land as columns of their own, reported once
    assert "the server sent 'legacyScore'" in output and "extraInfo" in output
    assert all(landed[i]["legacy_score"] == 7 for i in bad["extra-field"])
    # wrong types: the bad values are left empty and reported, the rest of each row is intact
    assert "held str where the model has INT" in output
    for record_id in bad["wrong-type"]:
        assert landed[record_id]["ama_score"] is None
        assert landed[record_id]["last_name"] == truth[record_id]["lastName"]
    # bytes that are not UTF-8: replaced, reported, the row lands
    assert "not UTF-8; they were replaced with U+FFFD" in output
    assert all("\ufffd" in landed[i]["first_name"] for i in bad["non-utf8"])
    # huge text lands whole
    assert all(len(landed[i]["first_name"]) >= 2_000_000 for i in bad["huge-text"])
    comparison = compare(project, control, "contacts")
    assert not comparison.duplicated and not comparison.lost
