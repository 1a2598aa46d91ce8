"""The test harness keeps every run's crash reports: the SDK names a report after the second it is written, so two
runs failing in the same second would otherwise leave one file (tests/support/fivetran_run.py)."""

from __future__ import annotations

import pytest

from tests.support.fivetran_run import keep_crash_reports

pytestmark = pytest.mark.unit

SAME_SECOND = "crash_20261202-080000.log"


def test_two_runs_failing_in_the_same_second_keep_two_reports(tmp_path):
    folder = tmp_path / "crash-reports"
    folder.mkdir()
    (folder / SAME_SECOND).write_text("first run")
    first = keep_crash_reports(tmp_path)
    (folder / SAME_SECOND).write_text("second run")  # what the SDK writes for a second failure in that second
    second = keep_crash_reports(tmp_path)
    assert [path.read_text() for path in first + second] == ["first run", "second run"]
    assert sorted(folder.glob("*.log")) == sorted(first + second)  # nothing overwritten, nothing left unnamed
    assert first[0].name < second[0].name  # run order


def test_a_run_without_reports_keeps_nothing(tmp_path):
    assert keep_crash_reports(tmp_path) == []
    (tmp_path / "crash-reports").mkdir()
    assert keep_crash_reports(tmp_path) == []
