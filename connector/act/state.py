"""The sync state: read, checked, migrated and written in one place.

Layout (version 2), a superset of the original design's:
    {
      "state_version": 2,
      "table_cursors": {"contacts": "2026-11-28T05:00:00Z", ...},      # exact server strings, per complete table
      "table_batch_tracking": {"contacts": {                            # the pass in progress, if any
          "skip": 20000, "batch_count": 2,                              # rows and pages done (original design)
          "keyset": {"cursor": "2024-...1234567Z", "id": "5f0c..."},    # the last row committed
          "lower_bound": "...", "upper_bound": "..."}},                 # the pass's fixed window
      "custom_field_columns": {"contacts": {"Ship-To": "custom_fields_ship_to", ...}},
      "reconciliation": {...}
    }
It stays a few KB whatever the table sizes: one position per table, never a list of ids.
"""

from __future__ import annotations

import copy
import threading

from .id_sketch import IdSketch
from .timestamps import parse_timestamp

STATE_VERSION = 2
RESET_HINT = (
    "To start that table over, run a historical re-sync of it in the Fivetran dashboard (or reset the "
    "connection's state); its rows are upserted again, nothing is lost"
)


class StateError(ValueError):
    """The saved state cannot be used; the message says what is wrong and the way out."""


def _check_timestamp(value, where: str) -> str:
    if not isinstance(value, str):
        raise StateError(f"Saved state is corrupted: {where} is {type(value).__name__}, not a timestamp. {RESET_HINT}")
    try:
        parse_timestamp(value)
    except ValueError:
        raise StateError(
            f"Saved state is corrupted: {where} = {value[:40]!r} is not a timestamp. {RESET_HINT}"
        ) from None
    return value


def _check_mapping(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StateError(f"Saved state is corrupted: '{where}' is {type(value).__name__}, not an object. {RESET_HINT}")
    return value


def migrate_state(raw) -> tuple[dict, list[str]]:
    """The state in the current layout, and notes on what was migrated. Raises StateError when unusable."""
    notes: list[str] = []
    if raw is None or raw == {}:
        return {"state_version": STATE_VERSION, "table_cursors": {}, "table_batch_tracking": {}}, notes
    if not isinstance(raw, dict):
        raise StateError(f"Saved state is corrupted: it is a {type(raw).__name__}, not a JSON object. {RESET_HINT}")
    state = copy.deepcopy(raw)
    version = state.get("state_version", 1)
    if not isinstance(version, int) or version < 1:
        raise StateError(f"Saved state is corrupted: state_version = {version!r}. {RESET_HINT}")
    if version > STATE_VERSION:
        raise StateError(
            f"Saved state was written by a newer version of this connector (state_version {version}, this one reads "
            f"up to {STATE_VERSION}): deploy the newer connector again, or reset the connection's state"
        )
    if version == 1:
        # The original design (and this connector's first release) kept `table_cursors` and, per table,
        # `table_batch_tracking` with `skip`/`batch_count` into a $skip-paged pass. A $skip offset cannot be turned
        # into a keyset position safely, so an unfinished pass restarts from its table's cursor (its rows are
        # upserted again, idempotently); finished tables keep their cursors.
        legacy_cursors = state.pop("cursors", None)  # 1.0 pre-release name
        if legacy_cursors and "table_cursors" not in state:
            state["table_cursors"] = legacy_cursors
        for table, tracking in list(_check_mapping(state.get("table_batch_tracking"), "table_batch_tracking").items()):
            if (
                isinstance(tracking, dict)
                and "keyset" not in tracking
                and (tracking.get("skip") or tracking.get("batch_count"))
            ):
                notes.append(
                    f"{table}: an unfinished pass of the original design (skip={tracking.get('skip')}) "
                    f"restarts from its cursor"
                )
                state["table_batch_tracking"].pop(table)
        state["state_version"] = STATE_VERSION
        notes.append("state migrated from the original layout (version 1) to version 2")
    cursors = _check_mapping(state.setdefault("table_cursors", {}), "table_cursors")
    for table, cursor in cursors.items():
        _check_timestamp(cursor, f"table_cursors.{table}")
    tracking_all = _check_mapping(state.setdefault("table_batch_tracking", {}), "table_batch_tracking")
    for table, tracking in tracking_all.items():
        tracking = _check_mapping(tracking, f"table_batch_tracking.{table}")
        for key in ("skip", "batch_count"):
            if not isinstance(tracking.get(key, 0), int) or tracking.get(key, 0) < 0:
                raise StateError(
                    f"Saved state is corrupted: table_batch_tracking.{table}.{key} is not a count. {RESET_HINT}"
                )
        for key in ("lower_bound", "upper_bound"):
            if tracking.get(key) is not None:
                _check_timestamp(tracking[key], f"table_batch_tracking.{table}.{key}")
        keyset = tracking.get("keyset")
        if keyset is not None:
            keyset = _check_mapping(keyset, f"table_batch_tracking.{table}.keyset")
            if "id" not in keyset:
                raise StateError(
                    f"Saved state is corrupted: table_batch_tracking.{table}.keyset has no id. {RESET_HINT}"
                )
            if keyset.get("cursor") is not None:
                _check_timestamp(keyset["cursor"], f"table_batch_tracking.{table}.keyset.cursor")
    _check_mapping(state.setdefault("custom_field_columns", {}), "custom_field_columns")
    for table, entry in _check_mapping(state.get("reconciliation"), "reconciliation").items():
        _check_reconciliation(table, _check_mapping(entry, f"reconciliation.{table}"))
    return state, notes


def _check_reconciliation(table: str, entry: dict) -> None:
    where = f"reconciliation.{table}"
    sketches = [(f"{where}.sketch", entry.get("sketch"))]
    sketches += [
        (f"{where}.links.{t}", text) for t, text in _check_mapping(entry.get("links"), f"{where}.links").items()
    ]
    walk = _check_mapping(entry.get("walk"), f"{where}.walk")
    sketches += [(f"{where}.walk.{key}", walk.get(key)) for key in ("all", "old") if walk]
    for key in ("links_all", "links_old"):
        sketches += [
            (f"{where}.walk.{key}.{t}", text)
            for t, text in _check_mapping(walk.get(key), f"{where}.walk.{key}").items()
        ]
    for name, text in sketches:
        if text is None:
            continue
        try:
            IdSketch.loads(text)
        except (ValueError, TypeError, AttributeError):
            raise StateError(
                f"Saved state is corrupted: {name} is not an id sketch. Delete the '{where}' entry from "
                f"the state (the next delete check starts afresh) or reset the connection's state"
            ) from None
    if entry.get("as_of") is not None:
        _check_timestamp(entry["as_of"], f"{where}.as_of")


class SyncState:
    """The state shared by the table threads. Each thread changes only its own table's entries, after the rows
    they describe were emitted; `snapshot()` is what a checkpoint saves."""

    def __init__(self, state: dict) -> None:
        self._state = state
        self._lock = threading.Lock()

    def cursor(self, table: str) -> str | None:
        with self._lock:
            return self._state["table_cursors"].get(table)

    def tracking(self, table: str) -> dict | None:
        with self._lock:
            found = self._state["table_batch_tracking"].get(table)
            return copy.deepcopy(found) if found else None

    def set_tracking(self, table: str, tracking: dict) -> None:
        with self._lock:
            self._state["table_batch_tracking"][table] = copy.deepcopy(tracking)

    def complete(self, table: str, cursor: str | None) -> None:
        """The table's pass is done: its cursor advances (if it has one) and its tracking is cleared."""
        with self._lock:
            if cursor is not None:
                self._state["table_cursors"][table] = cursor
            self._state["table_batch_tracking"].pop(table, None)

    def section(self, name: str) -> dict:
        with self._lock:
            return copy.deepcopy(self._state.get(name) or {})

    def set_entry(self, section: str, key: str, value: dict) -> None:
        """Replaces one table's entry of a section, atomically: table threads write their own entries at once."""
        with self._lock:
            self._state.setdefault(section, {})[key] = copy.deepcopy(value)

    def snapshot(self) -> dict:
        with self._lock:
            return copy.deepcopy(self._state)
