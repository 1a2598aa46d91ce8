"""`fivetran debug` without its requirements check: the SDK's own runner (the same `core_adapter.run` that
`fivetran debug` calls, writing DuckDB and state.json at every checkpoint, with the SDK's logging and crash
reports), for a project copy, in this process.

`fivetran debug` first runs pipreqs, which asks PyPI about `requests` and, offline, spends ~13 s retrying before it
goes on. The tests run hundreds of syncs, so they call the runner directly; tests/connector/test_cli.py runs the
real `fivetran debug`, `package` and `configuration --test` commands.

Naming: the connector writes final snake_case names, which Fivetran naming leaves as they are (test_cli.py proves
it), so the runner uses source naming unless ACT_TEST_NAMING=FIVETRAN_NAMING: the local tester renames every cell
of every row in Python, which more than doubles the time of a sync without changing a name.

Retries: the connector's retry base (`act.retry.RETRY_BASE_SECONDS`, 1 s) is set to ACT_TEST_RETRY_BASE_SECONDS
(tests/support/fivetran_run.py passes 0.05) before the run, so faulty-server scenarios stay fast.

    python -m tests.support.sdk_run <project> <configuration.json> [state.json]
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from tests.support.fivetran_run import shorten_retries


def main() -> int:
    project = Path(sys.argv[1]).resolve()
    configuration = json.loads(Path(sys.argv[2]).read_text())
    state_file = Path(sys.argv[3]) if len(sys.argv) > 3 else project / "files" / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}

    from fivetran_connector_sdk import Logging
    from fivetran_connector_sdk_cli import core_adapter
    from fivetran_connector_sdk_common import constants
    from fivetran_connector_sdk_common.configuration import check_dict

    sys.path.insert(0, str(project))
    os.chdir(project)
    shorten_retries()  # the project copy's act.retry: the production 1 s base would make faulty runs slow
    spec = importlib.util.spec_from_file_location("connector", project / "connector.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    connector = module.connector

    constants.DEBUGGING = True
    Logging.LOG_LEVEL = Logging.Level[os.environ.get("ACT_TEST_LOG_LEVEL", "DEBUG")]
    connector.project_path = str(project)
    connector._register_debug_crash_report_at_exit()  # as `fivetran debug` does, so crash reports are written
    connector.configuration = check_dict(configuration, True)
    connector.state = check_dict(state)
    try:
        core_adapter.run(
            connector,
            str(project),
            connector.configuration,
            connector.state,
            apply_renaming=os.environ.get("ACT_TEST_NAMING") == "FIVETRAN_NAMING",
        )
    except BaseException:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
