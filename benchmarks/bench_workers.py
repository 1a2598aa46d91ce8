"""The two measured programs of the sync benchmark, each run in a fresh process so its CPU time and peak RSS
are its own. `python bench_workers.py raw|connector <configuration.json> [state.json] [state-out.json]` prints one
JSON line: rows, wall seconds, CPU seconds, peak RSS in MB.

- raw: the raw limit. The same keyset pages the connector asks for, fetched with one keep-alive session and
  parsed with orjson, nothing else done with them.
- connector: the connector's update() producing every operation with the SDK's row encoding (types from its
  schema()), into a sink that only counts: what a sync costs on Fivetran, without the local DuckDB writer.
- connector-own: the same, with the SDK's `upsert` replaced by a no-op: what the connector's own work (HTTP,
  parsing, flattening, paging, state) costs, to separate it from the SDK's per-cell encoding.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "connector"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raw(configuration: dict) -> dict:
    import orjson
    import requests

    from act.config import parse_configuration
    from act.keyset import Window, last_position, page_query
    from act.tables import SPECS_BY_NAME

    config = parse_configuration(configuration)
    session = requests.Session()
    token = session.get(
        config.base_url + "/authorize",
        auth=(config.username, config.password),
        headers={"Act-Database-Name": config.database_name},
    ).json()
    session.headers.update({"Authorization": f"Bearer {token}", "Act-Database-Name": config.database_name})
    upper = "2100-01-01T00:00:00Z"
    rows = 0
    for name in config.tables:
        spec = SPECS_BY_NAME[name]
        path = spec.path
        window = Window(config.default_start_date, upper) if spec.cursor_field else None
        position = None
        while True:
            response = session.get(
                config.base_url + path, params=page_query(spec.cursor_field, window, position, config.batch_size)
            )
            page = orjson.loads(response.content)
            if not page:
                break
            rows += len(page)
            position = last_position(page, spec.cursor_field)
    return {"rows": rows}


class CountingSink:
    """The SDK's operations end here: encoded and checked as on Fivetran, then counted and dropped."""

    def __init__(self) -> None:
        self.records = 0
        self.checkpoints = 0
        self.state = None

    def record(self, record) -> None:
        self.records += 1

    def checkpoint(self, checkpoint) -> None:
        self.checkpoints += 1
        self.state = checkpoint.state_json

    def truncate(self, truncate) -> None: ...
    def file_chunk(self, chunk) -> None: ...
    def warning(self, warning) -> None: ...
    def task(self, task) -> None: ...


def connector(configuration: dict, state: dict, state_out: str | None, encode: bool = True) -> dict:
    from fivetran_connector_sdk import Logging, Operations
    from fivetran_connector_sdk_cli import runtime, schema_processing

    import connector as entry

    sink = CountingSink()
    if not encode:

        def count_only(table, data, **_):
            sink.records += 1

        Operations.upsert = staticmethod(count_only)

    Logging.LOG_LEVEL = Logging.Level.WARNING
    schema_processing.reset()
    schema_processing.process_tables(entry.schema(configuration), {})
    runtime.install(sink)
    entry.update(configuration, state)
    if state_out:
        Path(state_out).write_text(sink.state or "{}")
    return {"rows": sink.records, "checkpoints": sink.checkpoints}


def main() -> None:
    mode, config_path = sys.argv[1], sys.argv[2]
    configuration = json.loads(Path(config_path).read_text())
    state = json.loads(Path(sys.argv[3]).read_text()) if len(sys.argv) > 3 and sys.argv[3] != "-" else {}
    state_out = sys.argv[4] if len(sys.argv) > 4 else None
    wall, cpu = time.perf_counter(), _cpu()
    if mode == "raw":
        result = raw(configuration)
    else:
        result = connector(configuration, state, state_out, encode=(mode == "connector"))
    result.update(wall=time.perf_counter() - wall, cpu=_cpu() - cpu, peak_rss_mb=_peak_rss_mb())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
