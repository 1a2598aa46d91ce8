"""Runs the connector as `fivetran debug` does, in a subprocess, on a private copy of `connector/`, writing DuckDB at
`<copy>/files/warehouse.db` and the state at `<copy>/files/state.json`.

By default through `tests.support.sdk_run` (the SDK's runner without the ~13 s offline requirements check);
`cli=True` runs the real `fivetran debug` command.

The SDK names a crash report after the second it is written (`crash-reports/crash_%Y%m%d-%H%M%S.log`), so a second
run failing in the same second would overwrite the first run's report. After every run its reports are renamed
`run<time_ns>-crash_….log` (a unique name, in run order) and listed in `RunResult.crash_reports`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONNECTOR_DIR = REPO / "connector"
FIVETRAN = Path(sys.executable).with_name("fivetran")
# Retries wait 1 s and more in production (act/retry.py RETRY_BASE_SECONDS); the tests' faulty servers would make
# that minutes. tests.support.sdk_run (a subprocess per sync) sets the connector's constant from this variable; the
# real `fivetran debug` (cli=True), `fivetran configuration --test` and the in-process load_connector_module keep
# the production value (nothing in the pytest process changes it, so no test depends on another's order).
RETRY_BASE_VARIABLE = "ACT_TEST_RETRY_BASE_SECONDS"
TEST_RETRY_BASE_SECONDS = "0.05"


def make_project(directory: Path) -> Path:
    """A fresh copy of the deployable folder, without any earlier run's files or credentials."""
    project = directory / "connector"
    shutil.copytree(
        CONNECTOR_DIR, project, ignore=shutil.ignore_patterns("files", "__pycache__", "configuration.json", "*.zip")
    )
    return project


def connector_config(emulator, **overrides) -> dict:
    """A configuration for `emulator` (a tests.support.emulator.RunningEmulator), all values strings: the
    connector's defaults but for a smaller page, no pause between requests and a short timeout."""
    config = {
        "protocol": "https" if emulator.base_url.startswith("https") else "http",
        "hostname": emulator.host,
        "port": str(emulator.port),
        "api_path": "/act.web.api",
        "username": emulator.username,
        "password": emulator.password,
        "database_name": emulator.database,
        "batch_size": "1000",
        "rate_limit_pause": "0",
        "max_retries": "8",
        "request_timeout": "10",
    }
    config.update({key: str(value) for key, value in overrides.items()})
    return config


@dataclass
class RunResult:
    returncode: int
    output: str
    project: Path
    crash_reports: list[Path] = field(default_factory=list)  # this run's reports, under their unique names

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0 and "SYNC SUCCEEDED" in self.output

    @property
    def state(self) -> dict:
        path = self.project / "files" / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}


def keep_crash_reports(project: Path) -> list[Path]:
    """Renames the crash reports the last run wrote (`crash_*.log`) to unique names and returns them."""
    folder = project / "crash-reports"
    kept = []
    for report in sorted(folder.glob("crash_*.log")) if folder.is_dir() else []:
        target = folder / f"run{time.time_ns()}-{report.name}"
        report.rename(target)
        kept.append(target)
    return kept


def _env(extra: dict | None) -> dict:
    env = dict(os.environ)
    env.update({"DO_NOT_TRACK": "1", RETRY_BASE_VARIABLE: TEST_RETRY_BASE_SECONDS, "PYTHONUNBUFFERED": "1"})
    env["PATH"] = f"{FIVETRAN.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra or {})
    return env


def _command(project: Path, state: dict | None, cli: bool = False, naming: str = "SOURCE") -> list[str]:
    configuration = str(project / "configuration.json")
    if state is not None:
        (project / "files").mkdir(exist_ok=True)
        (project / "files" / "state.json").write_text(json.dumps(state))
    if cli:
        return [str(FIVETRAN), "debug", str(project), "--configuration", configuration, "--naming", naming]
    return [sys.executable, "-m", "tests.support.sdk_run", str(project), configuration]


def fivetran_debug(
    project: Path,
    configuration: dict,
    state: dict | None = None,
    timeout: float = 600,
    env: dict | None = None,
    cli: bool = False,
    naming: str = "SOURCE",
) -> RunResult:
    """One sync, to the end. The state of the previous run in this project is picked up, as `fivetran debug` does;
    `state` replaces it. `naming` applies to `cli=True` (see sdk_run.py for the runner's naming)."""
    (project / "configuration.json").write_text(json.dumps(configuration))
    completed = subprocess.run(
        _command(project, state, cli, naming),
        cwd=REPO,
        env=_env(env),
        timeout=timeout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    return RunResult(completed.returncode, completed.stdout, project, keep_crash_reports(project))


def fivetran_debug_killed(
    project: Path, configuration: dict, kill_after_lines: int, pattern: str = "checkpoint", timeout: float = 600
) -> RunResult:
    """A sync killed with SIGKILL right after the `kill_after_lines`-th output line containing `pattern` (a point
    inside the sync chosen by the caller's seed); it never gets to clean up."""
    (project / "configuration.json").write_text(json.dumps(configuration))
    process = subprocess.Popen(
        _command(project, None),
        cwd=REPO,
        env=_env(None),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    lines, seen, deadline = [], 0, time.monotonic() + timeout
    try:
        for line in process.stdout:
            lines.append(line)
            if pattern in line:
                seen += 1
                if seen >= kill_after_lines:
                    os.killpg(process.pid, signal.SIGKILL)
                    break
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=60)
        rest = process.stdout.read() if process.stdout else ""
        lines.append(rest)
    return RunResult(process.returncode, "".join(lines), project, keep_crash_reports(project))


def fivetran_command(
    project: Path, *args: str, configuration: dict | None = None, timeout: float = 300, input_text: str | None = None
) -> subprocess.CompletedProcess:
    """Any other `fivetran` command (package, configuration --test) on the project."""
    if configuration is not None:
        (project / "configuration.json").write_text(json.dumps(configuration))
    completed = subprocess.run(
        [str(FIVETRAN), *args],
        cwd=project,
        env=_env(None),
        timeout=timeout,
        input=input_text,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    keep_crash_reports(project)
    return completed


def shorten_retries() -> None:
    """Sets the connector's retry base (the `act` package on sys.path) to the tests' short value. For the sync
    subprocess (sdk_run) only."""
    import act.retry

    act.retry.RETRY_BASE_SECONDS = float(os.environ.get(RETRY_BASE_VARIABLE, TEST_RETRY_BASE_SECONDS))


def load_connector_module(name: str = "act_connector_under_test"):
    """connector/connector.py imported in this process (its `act` package on sys.path), for tests that call
    update(), schema() or configuration_form() directly."""
    import importlib.util

    if str(CONNECTOR_DIR) not in sys.path:
        sys.path.insert(0, str(CONNECTOR_DIR))
    spec = importlib.util.spec_from_file_location(name, CONNECTOR_DIR / "connector.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
