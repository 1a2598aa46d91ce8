"""`update()` from start to end: configuration → state → client → tables → checkpoints.

Everything that can be checked before the network is (configuration, state); then the credentials are tried
once so that a bad password fails the sync at once with a clear message, before any table starts.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .api_paths import detect_generation, path_for
from .auth import AuthenticationError
from .client import ActApiError, ActClient
from .config import ConfigurationError, ConnectorConfig, parse_configuration
from .custom_fields import custom_field_types_for, names_for
from .links import LinkEmitter
from .reconcile import SECTION as RECONCILIATION
from .reconcile import is_due
from .records import RecordFlattener
from .state import StateError, SyncState, migrate_state
from .sync_engine import ChildTable, EmptyResultGuard, SyncContext, SyncFailed, TableRun, run_tables
from .tables import SPECS_BY_NAME, TableSpec
from .timestamps import now_timestamp, shift_timestamp

# Retry backoff base, seconds. Tests shorten it through the environment; users tune retries with `max_retries`.
RETRY_BASE_SECONDS = 1.0


def selected_specs(config: ConnectorConfig) -> list[TableSpec]:
    """The selected Act! collections, in configuration order (child collections included)."""
    return [SPECS_BY_NAME[name] for name in config.tables if name in SPECS_BY_NAME]


def server_clock(client: ActClient) -> str:
    """The sync's upper bound: the server's clock now. Its `Date` header has whole seconds, rounded down, so the
    bound is the end of that second: a change made before the sync started is in it (one made later in that second
    may be too, or comes with the next sync: the lower bound overlaps)."""
    if client.server_time:
        return shift_timestamp(client.server_time, 1)
    log.warning("the Act! server sent no Date header; this machine's clock bounds the sync instead")
    return now_timestamp()


def _fail(message: str) -> SyncFailed:
    log.error(message)
    return SyncFailed(message)


def build_runs(
    config: ConnectorConfig,
    specs: list[TableSpec],
    generation: str,
    custom_types: dict[str, dict[str, str]],
    sync_state: SyncState,
) -> list[TableRun]:
    """One TableRun per selected top-level table, with its child collection, link tables and delete check."""

    def flattener(spec: TableSpec) -> RecordFlattener:
        types = custom_types.get(spec.name, {})
        return RecordFlattener(spec.model, names_for(types), types)

    reconciliation = sync_state.section(RECONCILIATION)
    runs = []
    for spec in specs:
        if spec.parent_table:
            continue  # read with its parent
        links = [link for link in spec.links if link.table in config.tables]
        children = [ChildTable(child, flattener(child)) for child in specs if child.parent_table == spec.name]
        reconcile = spec.reconcilable and is_due(reconciliation.get(spec.name, {}), config.delete_reconciliation_hours)
        runs.append(
            TableRun(
                spec=spec,
                path=path_for(spec, generation),
                flattener=flattener(spec),
                links=LinkEmitter(links) if links else None,
                children=children,
                reconcile=reconcile,
            )
        )
    return runs


def run_update(configuration: dict, state: dict, retry_base_seconds: float | None = None) -> None:
    try:
        config = parse_configuration(configuration)
    except ConfigurationError as error:
        raise _fail(f"Invalid configuration: {error}") from None
    try:
        raw_state, notes = migrate_state(state)
    except StateError as error:
        raise _fail(str(error)) from None
    for note in notes:
        log.info(note)
    sync_state = SyncState(raw_state)
    client = ActClient(config, RETRY_BASE_SECONDS if retry_base_seconds is None else retry_base_seconds)
    started = time.monotonic()
    try:
        specs = selected_specs(config)
        try:
            client.authenticate()
            generation = detect_generation(client, specs, config.api_generation)
        except AuthenticationError as error:
            raise _fail(str(error)) from None
        except ActApiError as error:
            raise _fail(f"Cannot start the sync: {error}") from None
        upper_bound = server_clock(client)
        runs = build_runs(config, specs, generation, custom_field_types_for(client, specs), sync_state)
        log.info(f"sync of {', '.join(config.tables)} from {config.base_url} up to server time {upper_bound}")
        with ThreadPoolExecutor(max_workers=config.parallel_tables, thread_name_prefix="act-prefetch") as prefetch:
            context = SyncContext(
                client=client,
                state=sync_state,
                batch_size=config.batch_size,
                default_start=config.default_start_date,
                overlap_seconds=config.cursor_overlap_seconds,
                sync_upper_bound=upper_bound,
                guard=EmptyResultGuard(),
                prefetch=prefetch,
            )
            run_tables(runs, context, config.parallel_tables)
        op.checkpoint(sync_state.snapshot())
        log.info(f"sync complete in {time.monotonic() - started:.1f}s, {client.requests_sent} requests")
    finally:
        client.close()
