"""The project installs with `pip install .` into a fresh virtual environment (no site packages, nothing from
.venv) and its `act-emulator` command starts and serves: every third-party module the emulator imports at run
time is a declared dependency in pyproject.toml.

The install is from a copy of what the package is built from (pyproject.toml, README.md, act_emulator/), so the
build leaves no `build/` or `*.egg-info` in the working tree. It needs the package index (as `pip install .` does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
DEMO = {"username": "demo", "password": "Act!Demo2026", "database": "ActDemo"}

pytestmark = pytest.mark.xdist_group("packaging")  # one install at a time on a shared machine


def _source_copy(directory: Path) -> Path:
    source = directory / "source"
    source.mkdir()
    shutil.copy(REPO / "pyproject.toml", source)
    shutil.copy(REPO / "README.md", source)
    shutil.copytree(REPO / "act_emulator", source / "act_emulator", ignore=shutil.ignore_patterns("__pycache__"))
    return source


def test_pip_install_then_act_emulator_serves_authorize(tmp_path):
    source = _source_copy(tmp_path)
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(environment)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(source)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    emulator = subprocess.Popen(
        [str(bin_dir / "act-emulator"), "--port", "0", "--records", "small"],
        cwd=tmp_path,  # not the repository: the installed package must be what runs
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = (emulator.stdout.readline() if emulator.stdout else "").strip()
        if not url.startswith("http"):
            emulator.kill()
            _, errors = emulator.communicate(timeout=30)
            pytest.fail(f"act-emulator printed no URL ({url!r}); stderr:\n{errors[-4000:]}")
        response = requests.get(
            url + "/authorize",
            auth=(DEMO["username"], DEMO["password"]),
            headers={"Act-Database-Name": DEMO["database"]},
            timeout=60,
        )
        assert response.status_code == 200, response.text[:500]
        assert response.json().count(".") == 2  # a JWT
    finally:
        emulator.terminate()
        try:
            emulator.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            emulator.kill()
            emulator.communicate()
