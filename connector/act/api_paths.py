"""Which generation of the Act! Web API the server speaks.

Current Act! serves activities at `/api/tasks` and their types at `/api/task-types`; older servers at
`/api/activities` and `/api/activity-types`. With `api_generation` = auto the
connector asks the server once per sync, current paths first, and logs what it found. It asks with the question a
full pass of that table starts with (its newest stamp, act/passes.py), and keeps the answer for it: one request
fewer before that table's first page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fivetran_connector_sdk import Logging as log

from .client import ActApiError, ActClient
from .keyset import newest_stamp_query
from .tables import TableSpec


@dataclass
class ApiGeneration:
    name: str  # "current" or "legacy"
    newest_stamps: dict[str, list[Any]] = field(default_factory=dict)  # table -> its newest-stamp answer, if asked


def _answer(client: ActClient, spec: TableSpec, path: str) -> list[Any] | None:
    """The table's newest-stamp answer at `path` (or its first record's, without a stamp); None if no such path."""
    query = newest_stamp_query(spec.cursor_field) if spec.cursor_field else {"$top": "1"}
    try:
        return client.get_collection(path, query)
    except ActApiError as error:
        if error.status == 404:
            return None
        raise


def detect_generation(client: ActClient, specs: list[TableSpec], configured: str) -> ApiGeneration:
    """`current` or `legacy`: configured explicitly, or found by probing the first table whose path differs."""
    if configured != "auto":
        return ApiGeneration(configured)
    probe = next((spec for spec in specs if spec.legacy_path), None)
    if probe is None or probe.legacy_path is None:
        return ApiGeneration("current")
    kept = probe.name if probe.cursor_field else None
    answer = _answer(client, probe, probe.path)
    if answer is not None:
        log.info(f"Act! Web API generation: current ({probe.path} answers)")
        return ApiGeneration("current", {kept: answer} if kept else {})
    legacy_path = probe.legacy_path
    answer = _answer(client, probe, legacy_path)
    if answer is not None:
        log.info(f"Act! Web API generation: legacy ({legacy_path} answers, {probe.path} does not)")
        return ApiGeneration("legacy", {kept: answer} if kept else {})
    raise ActApiError(
        f"neither {probe.path} nor {legacy_path} exists on {client.base_url}: check 'api_path' and that the "
        f"Act! Web API is installed, or remove '{probe.name}' from 'tables'",
        404,
    )


def path_for(spec: TableSpec, generation: str) -> str:
    return spec.legacy_path if generation == "legacy" and spec.legacy_path else spec.path
