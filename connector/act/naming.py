"""Column names: snake_case as Fivetran names them, so that what the connector writes is what lands.

Fivetran renames each column on its own and does not resolve collisions, so the connector produces final,
collision-free names itself (custom fields such as "Ship-To" and "Ship To" would otherwise become one column).
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


def snake_case(name: str) -> str:
    """`businessAddress` → `business_address`, `Contract Value ($)` → `contract_value`, `José` → `jose`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = []
    previous = ""
    for char in ascii_name:
        if (previous.islower() and char.isupper()) or (
            previous and previous.isalnum() and char.isalnum() and previous.isdigit() != char.isdigit()
        ):
            out.append("_")
        out.append(char.lower())
        previous = char
    cleaned = _NON_WORD.sub("_", "".join(out)).strip("_")
    return re.sub("_+", "_", cleaned) or "field"


def column_name(*path: str) -> str:
    """The column of a nested property: `stage`, `process`, `name` → `stage_process_name`."""
    return "_".join(snake_case(part) for part in path)


class CustomFieldNames:
    """Stable, collision-free columns for a table's custom fields: `custom_fields_<name>`.

    Names already assigned (kept in state) never change; new names are assigned in sorted order, and a name that
    collides with one taken gets `_2`, `_3`, …"""

    PREFIX = "custom_fields_"

    def __init__(self, assigned: dict[str, str] | None = None) -> None:
        self.assigned: dict[str, str] = dict(assigned or {})
        self._taken = set(self.assigned.values())

    def column(self, field: str) -> str:
        found = self.assigned.get(field)
        if found is not None:
            return found
        base = self.PREFIX + snake_case(field)
        candidate, suffix = base, 2
        while candidate in self._taken:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        self.assigned[field] = candidate
        self._taken.add(candidate)
        return candidate

    def assign_all(self, fields) -> None:
        for field in sorted(fields):
            self.column(field)
