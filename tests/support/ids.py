"""Ids as Act! creates them (.NET's `Guid.NewGuid()`: random version-4 GUIDs), seeded, and in the order its Web API
serves them (SQL Server's `uniqueidentifier` order, the emulator's `sqlorder`)."""

from __future__ import annotations

import random
import uuid

from act_emulator.sqlorder import guid_sort_key


def random_guids(count: int, rng: random.Random) -> list[str]:
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def sql_ordered(ids: list[str]) -> list[str]:
    return sorted(ids, key=guid_sort_key)
