"""The whole test suite, on a fresh machine: `python3 scripts/run_tests.py [pytest args]`.

Creates .venv with the pinned dependencies if needed, then runs pytest. The tests start their own emulators
(on free loopback ports) and run the connector through the SDK's real `fivetran debug`.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from venv_bootstrap import PYTHON, ROOT, ensure_venv

ensure_venv()
arguments = sys.argv[1:] or ["-n", "2", "--dist", "loadgroup"]
sys.exit(subprocess.call([str(PYTHON), "-m", "pytest", *arguments], cwd=ROOT, env=dict(os.environ, DO_NOT_TRACK="1")))
