"""The sync state: read, checked, migrated and written in one place.

Layout (state version 3):
    {
      "state_version": 3,
      "table_cursors": {"contacts": "2026-11-28T05:00:00.1234567Z"},   # newest stamp read, exactly as written
      "table_batch_tracking": {"contacts": {                            # the pass in progress, if any
          "mode": "incremental" | "full",
          "skip": 20000, "batch_count": 2,                              # rows and pages done
          "keyset": {"cursor": "...", "id": "..."} | {"id": "..."},     # the last row committed
          "lower_bound": "...",                                         # incremental: where it started
          "reason": "...", "tables": [...], "probe": "...",            # full: why, what it truncates, newest stamp
          "truncated": true,                                            # full: its deferred truncates were called
          "baseline": {...}}},                                          # full: the delete check's sketches so far
      "full_passes": {"contacts": {"finished_at": 1764650000.0, "rows": 420, "tables": ["contacts", ...]}},
      "reconciliation": {"contacts": {"baseline": {...}, "finished_at": 1764650000.0, "walk": {...}}},
      "custom_field_columns": {...}                                     # custom_fields.py's saved mapping
    }
It stays a few KB per table whatever the table sizes: positions and fixed-size sketches, never a list of ids.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from .id_sketch import IdSketch
from .timestamps import parse_timestamp

STATE_VERSION = 3
RESET_HINT = (
    "To start that table over, run a historical re-sync of it in the Fivetran dashboard (or reset the "
    "connection's state); its rows are upserted again, nothing is lost"
)
MODES = ("incremental", "full")


class StateError(ValueError):
    """The saved state cannot be used; the message says what is wrong and the way out."""


def _corrupted(what: str) -> StateError:
    return StateError(f"Saved state is corrupted: {what}. {RESET_HINT}")


def _check_timestamp(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _corrupted(f"{where} is {type(value).__name__}, not a timestamp")
    try:
        parse_timestamp(value)
    except ValueError:
        raise _corrupted(f"{where} = {value[:40]!r} is not a timestamp") from None
    return value


def _check_mapping(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _corrupted(f"'{where}' is {type(value).__name__}, not an object")
    return value


def _check_number(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _corrupted(f"{where} is not a number of seconds")


def _check_sketches(baseline: dict[str, Any], where: str) -> None:
    texts = [(f"{where}.ids", baseline.get("ids"))]
    texts += [
        (f"{where}.links.{t}", text) for t, text in _check_mapping(baseline.get("links"), f"{where}.links").items()
    ]
    for name, text in texts:
        try:
            IdSketch.loads(text)  # type: ignore[arg-type]
        except (ValueError, TypeError, AttributeError):
            raise StateError(
                f"Saved state is corrupted: {name} is not an id sketch. Delete the '{where}' entry from the state "
                f"(the table is then read whole at its next sync) or reset the connection's state"
            ) from None
    if baseline.get("cutoff") is not None:
        _check_timestamp(baseline["cutoff"], f"{where}.cutoff")


def _migrate_version_1(state: dict[str, Any], notes: list[str]) -> None:
    """State version 1 kept `table_cursors` and, per table, `skip`/`batch_count` into a `$skip`-paged pass. A
    `$skip` offset cannot be turned into a keyset position safely, so an unfinished pass starts over."""
    legacy_cursors = state.pop("cursors", None)
    if legacy_cursors and "table_cursors" not in state:
        state["table_cursors"] = legacy_cursors
    for table, tracking in list(_check_mapping(state.get("table_batch_tracking"), "table_batch_tracking").items()):
        if (
            isinstance(tracking, dict)
            and "keyset" not in tracking
            and (tracking.get("skip") or tracking.get("batch_count"))
        ):
            notes.append(f"{table}: an unfinished pass of state version 1 (skip={tracking.get('skip')}) starts over")
            state["table_batch_tracking"].pop(table)


def _migrate_version_2(state: dict[str, Any], notes: list[str]) -> None:
    """State version 2 bounded passes by the server's clock and kept delete-check sketches in an older form. Its
    cursors are kept; unfinished passes and sketches are dropped: every table is read whole once, under a
    deferred truncate, which also heals what version 2 could not see."""
    if _check_mapping(state.get("table_batch_tracking"), "table_batch_tracking"):
        notes.append("unfinished passes of state version 2 start over")
    state["table_batch_tracking"] = {}
    state.pop("reconciliation", None)
    state.pop("custom_field_columns", None)
    notes.append("state version 2 migrated to 3: each table is read whole once (a full re-read)")


def migrate_state(raw: object) -> tuple[dict[str, Any], list[str]]:
    """The state in the current layout, and notes on what was migrated. Raises StateError when unusable."""
    notes: list[str] = []
    if raw is None or raw == {}:
        return {"state_version": STATE_VERSION, "table_cursors": {}, "table_batch_tracking": {}}, notes
    if not isinstance(raw, dict):
        raise _corrupted(f"it is a {type(raw).__name__}, not a JSON object")
    state = copy.deepcopy(raw)
    version = state.get("state_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _corrupted(f"state_version = {version!r}")
    if version > STATE_VERSION:
        raise StateError(
            f"Saved state was written by a newer version of this connector (state_version {version}, this one reads "
            f"up to {STATE_VERSION}): deploy the newer connector again, or reset the connection's state"
        )
    if version == 1:
        _migrate_version_1(state, notes)
    if version <= 2:
        _migrate_version_2(state, notes)
    state["state_version"] = STATE_VERSION
    _check(state)
    return state, notes


def _check(state: dict[str, Any]) -> None:
    for table, cursor in _check_mapping(state.setdefault("table_cursors", {}), "table_cursors").items():
        _check_timestamp(cursor, f"table_cursors.{table}")
    for table, tracking in _check_mapping(state.setdefault("table_batch_tracking", {}), "table_batch_tracking").items():
        _check_tracking(_check_mapping(tracking, f"table_batch_tracking.{table}"), f"table_batch_tracking.{table}")
    for table, entry in _check_mapping(state.get("full_passes"), "full_passes").items():
        entry = _check_mapping(entry, f"full_passes.{table}")
        _check_number(entry.get("finished_at"), f"full_passes.{table}.finished_at")
        if not isinstance(entry.get("tables"), list) or not all(isinstance(t, str) for t in entry["tables"]):
            raise _corrupted(f"full_passes.{table}.tables is not a list of table names")
    for table, entry in _check_mapping(state.get("reconciliation"), "reconciliation").items():
        entry = _check_mapping(entry, f"reconciliation.{table}")
        if entry.get("baseline") is not None:
            _check_sketches(
                _check_mapping(entry["baseline"], f"reconciliation.{table}.baseline"), f"reconciliation.{table}"
            )
        walk = _check_mapping(entry.get("walk"), f"reconciliation.{table}.walk")
        for key in ("old", "new"):
            if walk.get(key) is not None:
                _check_sketches(
                    _check_mapping(walk[key], f"reconciliation.{table}.walk.{key}"), f"reconciliation.{table}"
                )
    _check_mapping(state.get("custom_field_columns"), "custom_field_columns")


def _check_tracking(tracking: dict[str, Any], where: str) -> None:
    if tracking.get("mode", "incremental") not in MODES:
        raise _corrupted(f"{where}.mode is not one of {', '.join(MODES)}")
    for key in ("skip", "batch_count"):
        value = tracking.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _corrupted(f"{where}.{key} is not a count")
    for key in ("lower_bound", "probe"):
        if tracking.get(key) is not None:
            _check_timestamp(tracking[key], f"{where}.{key}")
    keyset = tracking.get("keyset")
    if keyset is not None:
        keyset = _check_mapping(keyset, f"{where}.keyset")
        if "id" not in keyset:
            raise _corrupted(f"{where}.keyset has no id")
        if keyset.get("cursor") is not None:
            _check_timestamp(keyset["cursor"], f"{where}.keyset.cursor")
    if tracking.get("mode") == "full":
        if not isinstance(tracking.get("tables"), list) or not all(isinstance(t, str) for t in tracking["tables"]):
            raise _corrupted(f"{where}.tables is not a list of table names")
        if tracking.get("baseline") is not None:
            _check_sketches(_check_mapping(tracking["baseline"], f"{where}.baseline"), where)
    elif keyset is not None and tracking.get("lower_bound") is None and keyset.get("cursor") is not None:
        raise _corrupted(f"{where} has a position but no lower_bound")


class SyncState:
    """The state shared by the table threads. Each thread changes only its own table's entries, after the rows
    they describe were emitted, each change under one lock; `snapshot()` is what a checkpoint saves."""

    def __init__(self, state: dict[str, Any]) -> None:
        self._state = state
        self._lock = threading.Lock()

    def cursor(self, table: str) -> str | None:
        with self._lock:
            cursor: str | None = self._state["table_cursors"].get(table)
            return cursor

    def tracking(self, table: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._state["table_batch_tracking"].get(table)
            return copy.deepcopy(found) if found else None

    def unfinished_full_passes(self) -> dict[str, list[str]]:
        """Table -> the tables its unfinished full pass truncated (deferred)."""
        with self._lock:
            return {
                table: list(t.get("tables", []))
                for table, t in self._state["table_batch_tracking"].items()
                if t.get("mode") == "full"
            }

    def set_tracking(self, table: str, tracking: dict[str, Any]) -> None:
        with self._lock:
            self._state["table_batch_tracking"][table] = copy.deepcopy(tracking)

    def complete(self, table: str, cursor: str | None) -> None:
        """An incremental pass is done: its cursor advances and its tracking is cleared."""
        with self._lock:
            if cursor is not None:
                self._state["table_cursors"][table] = cursor
            self._state["table_batch_tracking"].pop(table, None)

    def full_pass(self, table: str) -> dict[str, Any] | None:
        with self._lock:
            found = (self._state.get("full_passes") or {}).get(table)
            return copy.deepcopy(found) if found else None

    def keep_covered(self, table: str, selected: set[str]) -> None:
        """Forgets the dependent tables switched off since, so that switching one on again backfills it."""
        with self._lock:
            entry = (self._state.get("full_passes") or {}).get(table)
            if entry:
                entry["tables"] = [t for t in entry["tables"] if t == table or t in selected]

    def finish_full_pass(
        self, table: str, cursor: str | None, entry: dict[str, Any], reconciliation: dict[str, Any] | None
    ) -> None:
        """A full pass is done: all of its table's bookkeeping changes at once."""
        with self._lock:
            if cursor is not None:
                self._state["table_cursors"][table] = cursor
            self._state["table_batch_tracking"].pop(table, None)
            self._state.setdefault("full_passes", {})[table] = copy.deepcopy(entry)
            if reconciliation is not None:
                self._state.setdefault("reconciliation", {})[table] = copy.deepcopy(reconciliation)

    def entry(self, section: str, key: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy((self._state.get(section) or {}).get(key) or {})

    def section(self, name: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._state.get(name) or {})

    def set_entry(self, section: str, key: str, value: dict[str, Any]) -> None:
        """Replaces one table's entry of a section, atomically: table threads write their own entries at once."""
        with self._lock:
            self._state.setdefault(section, {})[key] = copy.deepcopy(value)

    def set_section(self, name: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._state[name] = copy.deepcopy(value)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._state)
