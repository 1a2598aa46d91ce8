"""The measured programs of the sync benchmark, each run in a fresh process so its CPU time and peak RSS are its
own. `python bench_workers.py MODE <configuration.json> [state.json] [state-out.json]` prints one JSON line: rows,
wall seconds, CPU seconds, peak RSS in MB, bytes and requests received over HTTP (and, for `profile`, where the
time went).

- raw: the raw limit. The pages a first sync reads (each table whole, in id order, in pages growing to
  `batch_size` and ending in halves of what is left, as act/pages.py asks for them), fetched on one keep-alive
  session with the sync's own parallelism (`parallel_tables` threads, each reading a table at a time in
  configuration order) and its `rate_limit_pause` (the least time between two request starts across all threads,
  as act/client.py counts it), and parsed with orjson; nothing else is done with them.
- connector: the connector's update() producing every operation with the SDK's row encoding (types from its
  schema()), into a sink that only counts: what a sync costs on Fivetran, without the local DuckDB writer.
- connector-own: the same, with the SDK's `upsert` replaced by a no-op: what the connector's own work (HTTP,
  parsing, flattening, paging, state) costs, to separate it from the SDK's per-cell encoding.
- profile: `connector` with the hot parts timed (thread CPU and wall): the SDK's encoding (Operations.upsert),
  JSON parsing (act.jsonfast.loads wherever the connector calls it, and typed decoding), flattening
  (RecordFlattener.flatten) and HTTP (requests' Session.send and the reading of a streamed body: waiting on the
  server plus the client's own CPU).
  Wall minus CPU inside a section that does no I/O is time its thread waited for the GIL (or, on a loaded machine,
  for a core). The timers add ~2 µs a call, so the profile's wall is not compared with the others.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "connector"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _count_bytes_received() -> dict:
    """Counts the bytes of every HTTP answer this process receives (what a sync costs the server and the wire)."""
    import requests

    counted = {"bytes": 0, "requests": 0}
    send = requests.Session.send
    lock = threading.Lock()

    def counting_send(self, request, **kwargs):
        response = send(self, request, **kwargs)
        # a streamed answer is the caller's to read: its declared length, not `content`, which would read it here
        size = int(response.headers.get("Content-Length", 0)) if kwargs.get("stream") else len(response.content)
        with lock:
            counted["bytes"] += size
            counted["requests"] += 1
        return response

    requests.Session.send = counting_send
    return counted


class _Pause:
    """`rate_limit_pause` as act/client.py applies it: the least time between two request starts, all threads."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self._lock, self._next = seconds, threading.Lock(), 0.0

    def wait(self) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.seconds
        if wait > 0:
            time.sleep(wait)


def raw(configuration: dict):
    """The pages a first sync reads (every table in id order), fetched and parsed, nothing else. Returns the fetch
    (the part that is timed), its imports done."""
    from act.config import parse_configuration

    config = parse_configuration(configuration)
    return lambda: _fetch_raw(config)


def _fetch_raw(config) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    import orjson
    import requests
    from requests.adapters import HTTPAdapter

    from act.id_space import RemainingRecords
    from act.keyset import id_order_query, last_position
    from act.pages import first_page_top, next_page_top
    from act.tables import SPECS_BY_NAME

    session = requests.Session()
    session.mount("http://", HTTPAdapter(pool_maxsize=max(4, config.parallel_tables * 2 + 2)))
    token = session.get(
        config.base_url + "/authorize",
        auth=(config.username, config.password),
        headers={"Act-Database-Name": config.database_name},
    ).json()
    session.headers.update({"Authorization": f"Bearer {token}", "Act-Database-Name": config.database_name})
    pause = _Pause(config.rate_limit_pause)

    def read_table(name: str) -> int:
        spec = SPECS_BY_NAME[name]
        path, position, rows, top = spec.path, None, 0, first_page_top(config.batch_size)
        remaining = RemainingRecords()  # a full pass ends in small pages, as act/pages.py asks for them
        while True:
            pause.wait()
            response = session.get(config.base_url + path, params=id_order_query(position, top))
            page = orjson.loads(response.content)
            if not page:
                return rows
            rows += len(page)
            position = last_position(page, None)
            left = remaining.page_read(top, position["id"] if position else None)
            top = next_page_top(top, config.batch_size, left)

    names = [name for name in config.tables if not SPECS_BY_NAME[name].parent_table]
    with ThreadPoolExecutor(max_workers=max(1, config.parallel_tables)) as pool:
        rows = sum(pool.map(read_table, names))
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


class _Section:
    """Thread CPU and wall seconds spent inside one function, summed over every call on every thread."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0
        self.calls = 0
        self._lock = threading.Lock()

    def wrap(self, function):
        thread_time, perf_counter = time.thread_time, time.perf_counter

        def timed(*args, **kwargs):
            cpu, wall = thread_time(), perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                cpu, wall = thread_time() - cpu, perf_counter() - wall
                with self._lock:
                    self.cpu += cpu
                    self.wall += wall
                    self.calls += 1

        return timed

    def report(self) -> dict:
        return {"cpu": round(self.cpu, 3), "wall": round(self.wall, 3), "calls": self.calls}


def _instrument() -> dict[str, _Section]:
    """Times the SDK's encoding, JSON parsing, flattening and HTTP (see the module docstring)."""
    import requests
    from fivetran_connector_sdk import Operations

    import act.jsonfast
    from act.records import RecordFlattener
    from act.typed_records import TypedDecoder

    sections = {name: _Section() for name in ("sdk_encoding", "json_parsing", "flattening", "http")}
    Operations.upsert = staticmethod(sections["sdk_encoding"].wrap(Operations.upsert))
    RecordFlattener.flatten = sections["flattening"].wrap(RecordFlattener.flatten)
    TypedDecoder.__call__ = sections["json_parsing"].wrap(TypedDecoder.__call__)  # type: ignore[method-assign]
    requests.Session.send = sections["http"].wrap(requests.Session.send)
    import act.client

    if hasattr(act.client, "_read_body"):  # a page's body is read after `send` returns (streamed)
        act.client._read_body = sections["http"].wrap(act.client._read_body)
    loads = act.jsonfast.loads
    timed_loads = sections["json_parsing"].wrap(loads)
    for name, module in list(sys.modules.items()):
        if (name == "act" or name.startswith("act.")) and getattr(module, "loads", None) is loads:
            module.loads = timed_loads
    return sections


def connector(configuration: dict, state: dict, state_out: str | None, mode: str):
    """Sets the SDK up as its runner does before a sync (imports, schema(), the sink) and returns the sync itself:
    `update()`, the part that is timed."""
    from fivetran_connector_sdk import Logging, Operations
    from fivetran_connector_sdk_cli import runtime, schema_processing

    import connector as entry

    sink = CountingSink()
    if mode == "connector-own":

        def count_only(table, data, **_):
            sink.records += 1

        Operations.upsert = staticmethod(count_only)
    sections = _instrument() if mode == "profile" else None

    Logging.LOG_LEVEL = Logging.Level.WARNING
    schema_processing.reset()
    schema_processing.process_tables(entry.schema(configuration), {})
    runtime.install(sink)

    def sync() -> dict:
        entry.update(configuration, state)
        if state_out:
            Path(state_out).write_text(sink.state or "{}")
        result: dict = {"rows": sink.records, "checkpoints": sink.checkpoints}
        if sections is not None:
            result["sections"] = {name: section.report() for name, section in sections.items()}
        return result

    return sync


def main() -> None:
    mode, config_path = sys.argv[1], sys.argv[2]
    configuration = json.loads(Path(config_path).read_text())
    state = json.loads(Path(sys.argv[3]).read_text()) if len(sys.argv) > 3 and sys.argv[3] != "-" else {}
    state_out = sys.argv[4] if len(sys.argv) > 4 else None
    received = _count_bytes_received()
    if mode == "raw":
        run = raw(configuration)
    elif mode in ("connector", "connector-own", "profile"):
        run = connector(configuration, state, state_out, mode)
    else:
        raise SystemExit(f"unknown mode {mode!r}: raw, connector, connector-own or profile")
    wall, cpu = time.perf_counter(), _cpu()  # the sync itself: imports and setup are not timed
    result = run()
    result.update(wall=time.perf_counter() - wall, cpu=_cpu() - cpu, peak_rss_mb=_peak_rss_mb(), **received)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
