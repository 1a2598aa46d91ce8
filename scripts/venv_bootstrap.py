"""Creates the project's virtual environment (.venv) with the pinned dependencies, once, and re-runs the calling
script inside it. Lets the README's commands work on a fresh machine that has only Python 3.10+.

    python3 scripts/venv_bootstrap.py    # only make sure .venv is there and up to date (.ci/run's first step)
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def _requirements_key() -> str:
    parts = [
        (ROOT / name).read_text() for name in ("requirements-dev.txt", "pyproject.toml", "connector/requirements.txt")
    ]
    return "\n".join(parts)


def ensure_venv() -> None:
    """Re-executes the current script with the venv's Python, creating and filling the venv first if needed."""
    if sys.version_info < (3, 10):
        sys.exit("Python 3.10 or newer is needed (this is " + sys.version.split()[0] + ")")
    wanted = _requirements_key()
    if not PYTHON.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("installing pinned dependencies (once) ...", flush=True)
        subprocess.run(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(ROOT / "requirements-dev.txt"),
            ],
            check=True,
        )
        subprocess.run(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "-e",
                str(ROOT),
            ],
            check=True,
        )
        STAMP.write_text(wanted)
    if Path(sys.prefix).resolve() != VENV.resolve():
        env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", DO_NOT_TRACK="1")
        os.execve(str(PYTHON), [str(PYTHON), *sys.argv], env)


if __name__ == "__main__":
    ensure_venv()
    print(f"{VENV.relative_to(ROOT)} is ready ({PYTHON.relative_to(ROOT)})")
