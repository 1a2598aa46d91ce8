"""Fixtures for end-to-end connector tests: an emulator on loopback, a private copy of connector/, and helpers
to sync through the SDK's runner and compare the warehouse with the emulator's truth."""

from __future__ import annotations

import pytest

from tests.conftest import record_scenario
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_debug, make_project
from tests.support.warehouse import compare

CORE_TABLES = ("contacts", "companies", "opportunities", "activities", "activity_types", "products")
SMALL = {
    "contacts": 420,
    "companies": 130,
    "opportunities": 150,
    "activities": 380,
    "activity_types": 12,
    "products": 60,
    "groups": 0,
    "notes": 0,
    "histories": 0,
    "users": 0,
    "opportunity_products": 0,
}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


@pytest.fixture
def emulator():
    with start_emulator(records=SMALL) as running:
        yield running


class Syncer:
    """Runs syncs of one project against one emulator and checks the result against the truth."""

    def __init__(self, project, emulator, **config):
        self.project, self.emulator = project, emulator
        self.config = connector_config(emulator, **config)
        self.runs = 0

    def sync(self, expect_success: bool = True, state: dict | None = None, **overrides):
        """One sync (picking up the state of the last); `overrides` change configuration keys for this run."""
        result = fivetran_debug(self.project, {**self.config, **{k: str(v) for k, v in overrides.items()}}, state=state)
        self.runs += 1
        if expect_success:
            assert result.succeeded, result.output[-6000:]
        return result

    def compare(self, tables=CORE_TABLES):
        return [compare(self.project, self.emulator.control, table) for table in tables]

    def assert_clean(self, scenario: str, tables=CORE_TABLES):
        comparisons = self.compare(tables)
        record_scenario(scenario, self.runs, comparisons)
        problems = [str(c) for c in comparisons if not c.clean]
        assert not problems, "\n".join(problems)
        return comparisons


@pytest.fixture
def syncer(project, emulator):
    return Syncer(project, emulator)
