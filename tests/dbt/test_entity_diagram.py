"""The README's entity diagram is the one scripts/entity_diagram.py generates from the connector's table specs."""

from __future__ import annotations

import importlib.util

import pytest

from tests.dbt.dbt_runner import ROOT, synced_table_names

pytestmark = pytest.mark.unit


def _diagram_module():
    spec = importlib.util.spec_from_file_location("entity_diagram", ROOT / "scripts" / "entity_diagram.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_entity_diagram_is_current():
    diagram = _diagram_module()
    assert diagram.readme_diagram((ROOT / "README.md").read_text()) == diagram.render(), (
        "README.md's entity diagram is not current: run python3 scripts/entity_diagram.py --write"
    )


def test_every_table_and_link_appears_in_the_diagram():
    rendered = _diagram_module().render()
    for table in synced_table_names():
        assert f"    {table} {{" in rendered, table
    assert 'opportunities ||--o{ opportunity_contacts : "opportunity_id"' in rendered
    assert 'contacts ||--o{ opportunity_contacts : "contact_id"' in rendered
    assert 'opportunities ||--o{ opportunity_products : "opportunity_id"' in rendered
    assert 'companies |o--o{ contacts : "company_id"' in rendered
