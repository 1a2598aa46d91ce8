"""Reads what a sync landed in DuckDB and compares it with the emulator's truth: rows lost, duplicated, stale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

SCHEMA = "tester"
CURSOR_COLUMNS = {"edited": "edited", "editDate": "edit_date"}


def warehouse_path(project: Path) -> Path:
    return project / "files" / "warehouse.db"


def query(project: Path, sql: str, params=None) -> list[tuple]:
    connection = duckdb.connect(str(warehouse_path(project)), read_only=True)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


def tables(project: Path) -> set[str]:
    return {
        row[0]
        for row in query(project, "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [SCHEMA])
    }


def columns(project: Path, table: str) -> dict[str, str]:
    return dict(
        query(
            project,
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [SCHEMA, table],
        )
    )


def rows(project: Path, table: str, select: str = "*", live_only: bool = True) -> list[dict]:
    if table not in tables(project):
        return []
    connection = duckdb.connect(str(warehouse_path(project)), read_only=True)
    try:
        where = ""
        if live_only and "_fivetran_deleted" in columns(project, table):
            where = " WHERE _fivetran_deleted IS NOT TRUE"
        cursor = connection.execute(f'SELECT {select} FROM {SCHEMA}."{table}"{where}')
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        connection.close()


def _micros(value) -> datetime | None:
    """A truth timestamp (.NET string, 7 digits) at the warehouse's microsecond precision."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = value.rstrip("Z")
    base, _, fraction = text.partition(".")
    return datetime.fromisoformat(base).replace(microsecond=int((fraction + "000000")[:6]), tzinfo=timezone.utc)


@dataclass
class Comparison:
    table: str
    truth: int = 0
    landed: int = 0
    lost: list = field(default_factory=list)
    duplicated: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    zombies: list = field(default_factory=list)  # live in the warehouse, deleted at the source

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.stale)

    @property
    def exact(self) -> bool:
        """Clean, and every row deleted at the source is marked deleted in the warehouse too."""
        return self.clean and not self.zombies

    def __str__(self) -> str:
        return (
            f"{self.table}: truth={self.truth} landed={self.landed} lost={len(self.lost)} "
            f"duplicated={len(self.duplicated)} stale={len(self.stale)} deleted-but-live={len(self.zombies)}"
            + (f" e.g. lost {self.lost[:3]} stale {self.stale[:3]}" if self.lost or self.stale else "")
        )


def compare_pairs(project: Path, snapshot: dict) -> Comparison:
    """A table of key pairs (group membership, company associations): every pair the source has is live once,
    and every live pair the source no longer has is a zombie."""
    table, keys = snapshot["table"], snapshot["keys"]
    truth = {tuple(str(record[k]) for k in keys) for record in snapshot["records"]}
    result = Comparison(table, truth=len(truth))
    landed = (
        rows(project, table, ", ".join(keys) + ", _fivetran_deleted", live_only=False)
        if table in tables(project)
        else []
    )
    seen: dict[tuple, int] = {}
    for row in landed:
        pair = tuple(str(row[k]) for k in keys)
        seen[pair] = seen.get(pair, 0) + 1
    result.duplicated = [pair for pair, count in seen.items() if count > 1]
    live = {tuple(str(row[k]) for k in keys) for row in landed if not row["_fivetran_deleted"]}
    result.landed = len(live)
    result.lost = sorted(truth - live)
    result.zombies = sorted(live - truth)
    return result


def compare(project: Path, control, table: str) -> Comparison:
    """The warehouse's table against the emulator's snapshot of it."""
    snapshot = control.snapshot(table)
    if snapshot.get("keys"):
        return compare_pairs(project, snapshot)
    cursor_field = snapshot.get("cursor_field")
    truth = {str(record["id"]): record for record in snapshot["records"]}
    result = Comparison(table, truth=len(truth))
    cursor_column = CURSOR_COLUMNS.get(cursor_field)
    select = "id" + (f", {cursor_column}" if cursor_column else "")
    landed_rows = rows(project, table, select, live_only=False) if table in tables(project) else []
    deleted_flags = {}
    if landed_rows and "_fivetran_deleted" in columns(project, table):
        deleted_flags = {
            str(r["id"]): r["_fivetran_deleted"] for r in rows(project, table, "id, _fivetran_deleted", live_only=False)
        }
    seen: dict[str, int] = {}
    for row in landed_rows:
        seen[str(row["id"])] = seen.get(str(row["id"]), 0) + 1
    result.duplicated = [key for key, count in seen.items() if count > 1]
    live = {str(r["id"]): r for r in landed_rows if not deleted_flags.get(str(r["id"]))}
    result.landed = len(live)
    result.lost = [key for key in truth if key not in live]
    if cursor_column:
        result.stale = [
            key
            for key, record in truth.items()
            if key in live and _micros(live[key][cursor_column]) != _micros(record.get(cursor_field))
        ]
    deleted_ids = {str(i) for i in snapshot.get("deleted_ids", [])}
    result.zombies = [key for key in live if key in deleted_ids]
    return result
