"""Runs the dbt package (dbt_act/) against a DuckDB warehouse that `fivetran debug` wrote: what the demo and the dbt
tests build on.

dbt lives in its own virtual environment, `.venv-dbt/`, made once from dbt_act/requirements.txt: dbt-core requires
pathspec<0.13 and fivetran-connector-sdk pins pathspec==1.1.1, so they cannot share `.venv`. dbt's target and log
folders go where the caller says (never into the repository), and dbt sends no usage statistics.

    dbt = ensure_dbt_venv()
    result = run_dbt(["build"], warehouse=project / "files" / "warehouse.db", work_dir=tmp_path)
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "dbt_act"
REQUIREMENTS = DBT_PROJECT / "requirements.txt"
DBT_VENV = ROOT / ".venv-dbt"
DBT_BIN = DBT_VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = DBT_VENV / ".installed"
WAREHOUSE_SCHEMA = "tester"  # where `fivetran debug` writes


def synced_table_names() -> list[str]:
    """Every table the connector can write (collections, link and association tables): one `act__using_<table>`
    each, one source, one staging model."""
    connector = str(ROOT / "connector")
    if connector not in sys.path:
        sys.path.insert(0, connector)
    from act import tables

    return list(tables.ALL_TABLES)


def ensure_dbt_venv(quiet: bool = True) -> Path:
    """The `dbt` executable of .venv-dbt, creating and filling the environment first if it is missing or its pins
    changed. A lock keeps two processes (test workers, a demo) from filling it at once."""
    wanted = REQUIREMENTS.read_text()
    DBT_VENV.mkdir(exist_ok=True)
    (DBT_VENV / ".gitignore").write_text("*\n")  # as Python 3.13's venv does: git ignores the whole folder
    with open(DBT_VENV / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not STAMP.exists() or STAMP.read_text() != wanted:
            if not (DBT_BIN / "python").exists():
                venv.EnvBuilder(with_pip=True).create(DBT_VENV)
            pip = [str(DBT_BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
            subprocess.run([*pip, *(["--quiet"] if quiet else []), "-r", str(REQUIREMENTS)], check=True)
            STAMP.write_text(wanted)
    return DBT_BIN / "dbt"


def present_tables(warehouse: Path, schema: str = WAREHOUSE_SCHEMA) -> set[str]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
        ).fetchall()
    finally:
        connection.close()
    return {name for (name,) in found}


def dbt_vars_for_tables(synced: set[str] | list[str], schema: str = WAREHOUSE_SCHEMA) -> dict:
    """The package's variables: the connector's schema, and each table switched on if it is among `synced`."""
    return {"act_schema": schema, **{f"act__using_{name}": name in synced for name in synced_table_names()}}


def dbt_vars_for(warehouse: Path, schema: str = WAREHOUSE_SCHEMA) -> dict:
    """The package's variables for this warehouse: each table switched on if it was synced."""
    return dbt_vars_for_tables(present_tables(warehouse, schema), schema)


def run_dbt(
    args: list[str], warehouse: Path, work_dir: Path, dbt_vars: dict | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """`dbt <args>` on the package, against `warehouse`, with `dbt_vars` (by default: dbt_vars_for(warehouse)).
    dbt's target/ and logs/ go under `work_dir`."""
    dbt = ensure_dbt_venv()
    variables = dbt_vars if dbt_vars is not None else dbt_vars_for(warehouse)
    env = dict(
        os.environ,
        ACT_DUCKDB_PATH=str(warehouse),
        DBT_PROFILES_DIR=str(DBT_PROJECT),
        DBT_TARGET_PATH=str(work_dir / "target"),
        DBT_LOG_PATH=str(work_dir / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_VERSION_CHECK="false",
        DBT_USE_COLORS="false",
        DO_NOT_TRACK="1",
    )
    return subprocess.run(
        [str(dbt), *args, "--vars", json.dumps(variables)],
        cwd=DBT_PROJECT,
        env=env,
        timeout=timeout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
