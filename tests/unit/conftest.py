"""Every test under tests/unit is a unit test, whether or not its file says `pytestmark = pytest.mark.unit`: so
`pytest -m unit` always selects them (and never exits 5, "no tests collected", because a mark was forgotten).

Hypothesis runs without a per-example deadline (the machines running CI are shared: a slow example is not a
failure) and without its example database (no .hypothesis/ folder in the checkout), with a fixed seed
(`derandomize`), so a run is the same every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("act-fivetran", deadline=None, database=None, derandomize=True, print_blob=True)
settings.load_profile("act-fivetran")

UNIT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if UNIT in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.unit)
