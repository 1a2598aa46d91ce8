"""The dbt package (dbt_act/): every table the connector declares has its source, staging model and switch, and
`dbt build` (models and their tests) passes on a warehouse a real sync wrote, with every table on and with the
optional ones switched off; the marts agree with the raw tables."""

from __future__ import annotations

import re

import pytest

from tests.dbt.dbt_runner import DBT_PROJECT, dbt_vars_for, run_dbt, synced_table_names
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_debug, make_project
from tests.support.warehouse import query

STAGING = DBT_PROJECT / "models" / "staging"
CORE_TABLES = ("contacts", "companies", "opportunities", "activities", "activity_types", "products")


@pytest.mark.unit
def test_every_connector_table_has_a_source_a_staging_model_and_a_switch():
    """Adding a table to the connector's specs fails here until the package has it (see dbt_act/README.md)."""
    project_vars = set(re.findall(r"^\s+(act__using_\w+):", (DBT_PROJECT / "dbt_project.yml").read_text(), re.M))
    sources = set(re.findall(r"^      - name: (\w+)$", (STAGING / "src_act.yml").read_text(), re.M))
    documented = set(re.findall(r"^  - name: (stg_act__\w+)$", (STAGING / "stg_act.yml").read_text(), re.M))
    for table in synced_table_names():
        model = STAGING / f"stg_act__{table}.sql"
        assert f"act__using_{table}" in project_vars, f"dbt_project.yml: add the variable act__using_{table}"
        assert table in sources, f"models/staging/src_act.yml: add the source table {table}"
        assert model.exists(), f"add {model.relative_to(DBT_PROJECT)}"
        assert f"var('act__using_{table}')" in model.read_text(), f"{model.name}: enable it with act__using_{table}"
        assert f"stg_act__{table}" in documented, f"models/staging/stg_act.yml: document and test stg_act__{table}"


def _served_tables(emulator) -> list[str]:
    """Every table the connector can write, less association tables whose per-record path this emulator does not
    serve yet (so the test follows the connector's specs as tables are added to both)."""
    names = synced_table_names()  # puts connector/ on sys.path
    from act import tables

    get = emulator.api_get()
    for table, sides in getattr(tables, "ASSOCIATION_TABLES", {}).items():
        for side in sides:
            parent = next(spec.name for spec in tables.TABLE_SPECS if side in spec.associations)
            parent_id = emulator.control.snapshot(parent, fields=["id"])["records"][0]["id"]
            path = re.sub(r"\{[^}]*\}", parent_id, side.path)  # `{groupId}`, as the Swagger names it
            if get(path).status_code == 404 and table in names:
                names.remove(table)
    return names


@pytest.fixture(scope="module")
def synced_warehouse(tmp_path_factory):
    """A warehouse synced by the SDK's runner with every table on, from a small emulator database."""
    directory = tmp_path_factory.mktemp("dbt_sync")
    with start_emulator(records="small") as emulator:
        project = make_project(directory)
        result = fivetran_debug(project, connector_config(emulator, tables=",".join(_served_tables(emulator))))
        assert result.succeeded, result.output[-3000:]
    return project


def _build(project, work_dir, dbt_vars):
    result = run_dbt(["build"], project / "files" / "warehouse.db", work_dir, dbt_vars)
    assert result.returncode == 0, result.stdout[-6000:]
    done = next(line for line in result.stdout.splitlines() if "Done. PASS=" in line)
    assert re.search(r"ERROR=0 ", done) and re.search(r"WARN=0 ", done), done
    return result


def _one(project, sql):
    return query(project, sql)[0][0]


@pytest.mark.xdist_group("dbt")  # the two builds share one synced warehouse
def test_dbt_build_passes_with_every_table_and_the_marts_agree_with_the_raw_tables(synced_warehouse, tmp_path):
    project = synced_warehouse
    dbt_vars = dbt_vars_for(project / "files" / "warehouse.db")
    assert sum(dbt_vars[f"act__using_{table}"] for table in synced_table_names()) >= 26  # 11 collections, 15 links
    _build(project, tmp_path, dbt_vars)

    live = "WHERE _fivetran_deleted IS NOT TRUE"
    open_value = _one(project, f"SELECT sum(product_total) FROM tester.opportunities {live} AND status = 'Open'")
    assert _one(project, "SELECT sum(open_value) FROM analytics_act.act__opportunity_pipeline") == pytest.approx(
        open_value
    )
    won = _one(project, f"SELECT count(*) FROM tester.opportunities {live} AND status = 'Won'")
    assert _one(project, "SELECT sum(won_count) FROM analytics_act.act__opportunity_outcomes_by_month") == won
    activities = _one(project, f"SELECT count(*) FROM tester.activities {live}")
    assert _one(project, "SELECT sum(activity_count) FROM analytics_act.act__activity_summary") == activities
    overdue = _one(
        project,
        f"SELECT count(*) FROM tester.activities {live} AND NOT coalesce(is_cleared, false) "
        "AND coalesce(end_time, start_time) < now()",
    )
    assert _one(project, "SELECT count(*) FROM analytics_act.act__overdue_activities") == overdue
    contacts = _one(project, f"SELECT count(*) FROM tester.contacts {live}")
    assert _one(project, "SELECT count(*) FROM analytics_act.act__contacts") == contacts
    linked = _one(
        project,
        "SELECT count(DISTINCT l.contact_id) FROM tester.opportunity_contacts l "
        "JOIN tester.opportunities o ON o.id = l.opportunity_id JOIN tester.contacts c ON c.id = l.contact_id "
        "WHERE o.status = 'Open' AND NOT (l._fivetran_deleted OR o._fivetran_deleted OR c._fivetran_deleted)",
    )
    assert linked > 0
    assert _one(project, "SELECT count(*) FROM analytics_act.act__contacts WHERE open_opportunity_count > 0") == linked
    with_history = _one(
        project,
        "SELECT count(DISTINCT l.contact_id) FROM tester.history_contacts l "
        "JOIN tester.histories h ON h.id = l.history_id JOIN tester.contacts c ON c.id = l.contact_id "
        "WHERE NOT (l._fivetran_deleted OR h._fivetran_deleted OR c._fivetran_deleted)",
    )
    assert with_history > 0
    assert _one(project, "SELECT count(*) FROM analytics_act.act__contacts WHERE last_history_at IS NOT NULL") == (
        with_history
    )
    custom = _one(
        project,
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'analytics_act' "
        "AND table_name = 'act__contacts' AND column_name LIKE 'custom_fields_%'",
    )
    assert custom == _one(
        project,
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'tester' "
        "AND table_name = 'contacts' AND column_name LIKE 'custom_fields_%'",
    )


@pytest.mark.xdist_group("dbt")
def test_tables_switched_off_build_without_them(synced_warehouse, tmp_path):
    """What a connection with only the six default tables gets: the optional models, their tests and the mart
    columns that need them are off; everything else builds."""
    project = synced_warehouse
    dbt_vars = {"act_schema": "tester", **{f"act__using_{t}": t in CORE_TABLES for t in synced_table_names()}}
    result = _build(project, tmp_path, dbt_vars)
    assert "stg_act__activity_contacts" not in result.stdout
    assert _one(project, "SELECT count(*) FROM analytics_act.act__contacts WHERE last_activity_at IS NOT NULL") == 0
    assert _one(project, "SELECT count(*) FROM analytics_act.act__opportunity_pipeline") > 0
