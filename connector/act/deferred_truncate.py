"""The deferred truncate a full re-read stands on: every row of a table that the re-read does not send again is
soft-deleted (`_fivetran_deleted`), but only when the sync ends well; if it fails, the runner keeps the truncate
and applies it at the end of the next sync that ends well. Until then nobody querying the warehouse sees a table
emptied or half-deleted.

SDK 3.1.0 makes it public as `op.truncate(table, deferred=True)`. SDK 3.0.0's runner already implements it
(`Truncate(deferred=True)`) without a public call, so this module reaches it by feature detection. There is no
fallback to a plain truncate: that would show an empty table while the re-read runs and lose rows if it fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from fivetran_connector_sdk import Operations as op

from .errors import SyncFailed

NEEDED = (
    "a full re-read needs the Connector SDK's deferred truncate (fivetran-connector-sdk 3.1.0 or newer, "
    "`op.truncate(table, deferred=True)`), which this runtime lacks"
)


def _public() -> Callable[[str], None] | None:
    try:
        accepts = "deferred" in inspect.signature(op.truncate).parameters
    except (TypeError, ValueError):
        return None
    if not accepts:
        return None
    return lambda table: op.truncate(table, deferred=True)


def _runner() -> Callable[[str], None] | None:
    """SDK 3.0.0's local runner: the Truncate record with `deferred`, sent the way `op.truncate` sends its own."""
    try:
        from fivetran_connector_sdk_cli import runtime
        from fivetran_connector_sdk_cli.records import make_truncate
    except ImportError:
        return None
    if "deferred" not in inspect.signature(make_truncate).parameters:
        return None

    def send(table: str) -> None:
        truncate = make_truncate(table, None, True)
        with runtime.producer_lock:
            runtime.current().truncate(truncate)

    return send


def deferred_truncate_call() -> Callable[[str], None] | None:
    """How this runtime truncates a table when the sync ends well, or None if it cannot."""
    return _public() or _runner()


def truncate_when_sync_ends_well(table: str) -> None:
    """Marks every row of `table` synced before now as deleted when (and only when) a sync ends well."""
    call = deferred_truncate_call()
    if call is None:
        raise SyncFailed(f"{table}: {NEEDED}: deploy with fivetran-connector-sdk 3.1.0 or newer")
    call(table)
