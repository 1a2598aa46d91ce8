"""The Fivetran CLI commands a user runs, for real: `fivetran package`, `fivetran configuration --test` and
`fivetran debug` (with its requirements check), against the emulator."""

from __future__ import annotations

import socket
import zipfile

import pytest

from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_command, fivetran_debug, make_project
from tests.support.warehouse import columns, rows, tables

REQUIREMENTS_COMPLAINTS = ("not needed", "Please include", "Remove them", "missing from requirements")


def test_package_validates_and_zips_only_the_deployable_connector(tmp_path):
    project = make_project(tmp_path)
    result = fivetran_command(project, "package", str(project))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "package created at" in result.stdout
    assert not any(complaint in result.stdout for complaint in REQUIREMENTS_COMPLAINTS), result.stdout[-3000:]
    names = set(zipfile.ZipFile(project / "files" / "connector.zip").namelist())
    assert {
        "connector.py",
        "requirements.txt",
        "act/sync_engine.py",
        "act/act_models.json",
        "configuration_form.pb",
    } <= names
    assert not any(name.startswith(("tests/", "act_emulator/", "files/")) for name in names)


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(
        records={
            "contacts": 30,
            "companies": 10,
            "opportunities": 10,
            "activities": 10,
            "products": 5,
            "activity_types": 12,
        }
    ) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_setup_tests_pass_against_the_emulator(tmp_path, emulator):
    project = make_project(tmp_path)
    result = fivetran_command(project, "configuration", "--test", configuration=connector_config(emulator))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "All tests passed!" in result.stdout
    for label in (
        "The Act! server answers",
        "The credentials and database name are accepted",
        "Each selected table can be read",
    ):
        assert f"{label}]: PASSED" in result.stdout


@pytest.mark.parametrize(
    "override, message",
    [
        ({"password": "not-the-password"}, "Failed to authenticate: verify username, password and database name"),
        ({"database_name": "NoSuchDatabase"}, "Failed to authenticate: verify username, password and database name"),
        ({"port": "__free__"}, "No answer from"),
        ({"api_path": "/wrong.path"}, "check 'api_path'"),
    ],
)
def test_setup_tests_fail_with_what_to_fix(tmp_path, emulator, override, message):
    project = make_project(tmp_path)
    config = connector_config(emulator, **override)
    if config["port"] == "__free__":
        config["port"] = str(_free_port())
    result = fivetran_command(project, "configuration", "--test", configuration=config)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-3000:]
    assert "not-the-password" not in result.stdout


def test_fivetran_debug_command_syncs_into_duckdb_with_final_column_names(tmp_path, emulator):
    """With Fivetran naming (the default) and with source naming, the same tables and columns land: the connector
    writes final names, so the tests and the demo may skip the local tester's slow per-cell renaming."""
    landed = {}
    for naming in ("FIVETRAN", "SOURCE"):
        project = make_project(tmp_path / naming)
        result = fivetran_debug(project, connector_config(emulator), cli=True, naming=naming)
        assert result.succeeded, result.output[-3000:]
        assert len(rows(project, "contacts")) == 30
        assert len(rows(project, "activity_types")) == 12
        landed[naming] = {table: set(columns(project, table)) for table in tables(project)}
    assert landed["FIVETRAN"] == landed["SOURCE"]
    assert "custom_fields_ship_to_2" in landed["FIVETRAN"]["contacts"]
