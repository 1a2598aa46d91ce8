"""Which generation of the Act! Web API the server speaks.

Current Act! serves activities at `/api/tasks` and their types at `/api/task-types`; older servers at
`/api/activities` and `/api/activity-types`. With `api_generation` = auto the
connector asks the server once per sync, current paths first, and logs what it found.
"""

from __future__ import annotations

from fivetran_connector_sdk import Logging as log

from .client import ActApiError, ActClient
from .tables import TableSpec


def _exists(client: ActClient, path: str) -> bool:
    try:
        client.get_collection(path, {"$top": "1"})
        return True
    except ActApiError as error:
        if error.status == 404:
            return False
        raise


def detect_generation(client: ActClient, specs: list[TableSpec], configured: str) -> str:
    """`current` or `legacy`: configured explicitly, or found by probing the first table whose path differs."""
    if configured != "auto":
        return configured
    probe = next((spec for spec in specs if spec.legacy_path), None)
    if probe is None or probe.legacy_path is None:
        return "current"
    if _exists(client, probe.path):
        log.info(f"Act! Web API generation: current ({probe.path} answers)")
        return "current"
    legacy_path = probe.legacy_path
    if _exists(client, legacy_path):
        log.info(f"Act! Web API generation: legacy ({legacy_path} answers, {probe.path} does not)")
        return "legacy"
    raise ActApiError(
        f"neither {probe.path} nor {legacy_path} exists on {client.base_url}: check 'api_path' and that the "
        f"Act! Web API is installed, or remove '{probe.name}' from 'tables'",
        404,
    )


def path_for(spec: TableSpec, generation: str) -> str:
    return spec.legacy_path if generation == "legacy" and spec.legacy_path else spec.path
