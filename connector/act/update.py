"""`update()` from start to end: configuration → state → client → a plan for each table → passes → checkpoints.

Everything that can be checked before the network is (configuration, state, unfinished re-reads of tables switched
off); then the credentials are tried once so that a bad password fails the sync at once with a clear message,
before any table starts.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

from .api_paths import detect_generation, path_for
from .auth import AuthenticationError
from .children import AssociationRead, ChildTable, PerParentRead
from .client import ActApiError, ActClient
from .config import ConfigurationError, ConnectorConfig, parse_configuration
from .custom_fields import STATE_SECTION, CustomFieldPlan, CustomFieldsUnavailable, plans_for_update
from .data_clock import DataClock
from .errors import SyncFailed
from .links import LinkEmitter
from .reconcile import SECTION as RECONCILIATION
from .reconcile import is_due
from .records import RecordFlattener
from .state import StateError, SyncState, migrate_state
from .sync_engine import run_tables
from .table_run import EmptyResultGuard, SyncContext, TableRun
from .tables import SPECS_BY_NAME, TableSpec, dependent_tables
from .typed_records import TypedDecoder


def selected_specs(config: ConnectorConfig) -> list[TableSpec]:
    """The selected Act! collections, in configuration order (child collections included)."""
    return [SPECS_BY_NAME[name] for name in config.tables if name in SPECS_BY_NAME]


def _fail(message: str) -> SyncFailed:
    log.error(message)
    return SyncFailed(message)


def check_unfinished_full_passes(sync_state: SyncState, selected: set[str]) -> None:
    """A full re-read left unfinished has truncated its tables (deferred): the next sync that ends well marks
    every row it did not read again deleted. So no sync may end well before it is finished, and it can only
    finish with all of its tables selected."""
    for table, truncated in sync_state.unfinished_full_passes().items():
        off = [t for t in truncated if t not in selected]
        if off:
            raise _fail(
                f"{table}: its full re-read is unfinished and includes {', '.join(off)}, which 'tables' no longer "
                f"selects: add {', '.join(off)} back to 'tables' until a sync completes the re-read, then remove "
                f"them (ending a sync without it would mark all their rows deleted)"
            )


def full_pass_reason(
    spec: TableSpec, dependents: list[str], sync_state: SyncState, config: ConnectorConfig, schema_change: str | None
) -> str | None:
    """Why this sync reads `spec`'s table whole (with its child and link tables), or None."""
    tracking = sync_state.tracking(spec.name) or {}
    if tracking.get("mode") == "full":
        return str(tracking.get("reason") or "an unfinished full re-read")
    if not spec.incremental:
        return "a table the API serves without edit stamps is read whole on every sync"
    unstamped = [side.table for side in spec.associations if not side.stamped and side.table in dependents]
    if unstamped:
        return f"{', '.join(unstamped)} changes move no stamp, so it is read whole on every sync"
    done = sync_state.full_pass(spec.name)
    if done is None:
        return "first sync" if sync_state.cursor(spec.name) is None else "first full re-read in state version 3"
    if schema_change:
        return f"custom fields changed: {schema_change}"
    missing = [table for table in dependents if table not in done["tables"]]
    if missing:
        return f"backfill of {', '.join(missing)}, switched on"
    hours = config.full_resync_hours
    if hours > 0 and time.time() - done["finished_at"] >= hours * 3600:
        return f"the scheduled full re-read, every {hours:g} hours"
    return None


def build_runs(
    config: ConnectorConfig,
    specs: list[TableSpec],
    generation: str,
    plans: dict[str, CustomFieldPlan],
    changes: dict[str, str],
    new_columns: dict[str, Any],
    sync_state: SyncState,
) -> list[TableRun]:
    """One TableRun per selected top-level table, with its child collections, link tables and plan; `new_columns`
    are the changed custom-field mappings its full pass saves when it completes."""
    selected = set(config.tables)

    def flattener(spec: TableSpec) -> RecordFlattener:
        return RecordFlattener(spec.model, plans.get(spec.name))

    runs = []
    for spec in specs:
        if spec.parent_table:
            continue  # read with its parent
        links = [link for link in spec.links if link.table in selected]
        children: list[PerParentRead] = [ChildTable(c, flattener(c)) for c in specs if c.parent_table == spec.name]
        children += [AssociationRead(side) for side in spec.associations if side.table in selected]
        dependents = dependent_tables(spec, selected)
        sync_state.keep_covered(spec.name, selected)
        read_with_it = [spec.name, *dependents]
        changed = "; ".join(changes[t] for t in read_with_it if t in changes) or None
        reason = full_pass_reason(spec, dependents, sync_state, config, changed)
        check = (
            spec.reconcilable
            and not reason
            and is_due(sync_state.entry(RECONCILIATION, spec.name), config.delete_reconciliation_hours)
        )
        table_flattener = flattener(spec)
        runs.append(
            TableRun(
                spec=spec,
                path=path_for(spec, generation),
                flattener=table_flattener,
                typed=TypedDecoder(table_flattener, spec.name),
                links=LinkEmitter(links) if links else None,
                children=children,
                dependents=dependents,
                full_pass_reason=reason,
                check_deletes=check,
                keep_baseline=spec.reconcilable and config.delete_reconciliation_hours > 0,
                new_custom_field_columns={t: new_columns[t] for t in read_with_it if t in new_columns},
            )
        )
    return runs


def _custom_field_plans(
    client: ActClient, specs: list[TableSpec], sync_state: SyncState
) -> tuple[dict[str, CustomFieldPlan], dict[str, str], dict[str, Any]]:
    try:
        plans, changes, section = plans_for_update(client, specs, sync_state.section(STATE_SECTION))
    except CustomFieldsUnavailable as error:
        raise _fail(str(error)) from None
    # A table whose mapping changed keeps its old saved mapping until its full re-read completes (that saves the
    # new one): a sync that fails before then sees the change again and re-reads it again.
    saved = sync_state.section(STATE_SECTION)
    kept = {table: entry for table, entry in section.items() if table not in changes}
    kept.update({table: saved[table] for table in changes if table in saved})
    sync_state.set_section(STATE_SECTION, kept)
    return plans, changes, {table: section[table] for table in changes if table in section}


def run_update(configuration: dict[str, Any], state: dict[str, Any]) -> None:
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
    check_unfinished_full_passes(sync_state, set(config.tables))
    client = ActClient(config)
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
        plans, changes, new_columns = _custom_field_plans(client, specs, sync_state)
        runs = build_runs(config, specs, generation.name, plans, changes, new_columns, sync_state)
        for run in runs:
            run.newest_stamp = generation.newest_stamps.get(run.spec.name)
            if run.full_pass_reason:
                log.info(f"{run.spec.name}: read whole this sync ({run.full_pass_reason})")
        log.info(f"sync of {', '.join(config.tables)} from {config.base_url}")
        with (
            ThreadPoolExecutor(max_workers=config.parallel_tables, thread_name_prefix="act-prefetch") as prefetch,
            ThreadPoolExecutor(max_workers=config.parallel_tables, thread_name_prefix="act-pages") as downloads,
        ):
            context = SyncContext(
                client=client,
                state=sync_state,
                batch_size=config.batch_size,
                default_start=config.default_start_date,
                overlap_seconds=config.cursor_overlap_seconds,
                guard=EmptyResultGuard(),
                prefetch=prefetch,
                downloads=downloads,
                clock=DataClock(client),
                selected=frozenset(config.tables),
            )
            run_tables(runs, context, config.parallel_tables)
        op.checkpoint(sync_state.snapshot())
        log.info(f"sync complete in {time.monotonic() - started:.1f}s, {client.requests_sent} requests")
    finally:
        client.close()
