"""The one exception a table's sync raises when it cannot go on."""

from __future__ import annotations


class SyncFailed(RuntimeError):
    """The sync cannot complete; the message says why and what to do. Progress up to it is checkpointed."""
