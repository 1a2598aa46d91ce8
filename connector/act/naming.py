"""Column names: snake_case as Fivetran names them, so that what the connector writes is what lands.

Fivetran renames each column on its own and does not resolve collisions, so the connector produces final,
collision-free names itself (custom fields such as "Ship-To" and "Ship To" would otherwise become one column).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^0-9A-Za-z]+")

CUSTOM_FIELD_PREFIX = "custom_fields_"


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


def custom_field_column(field_name: str) -> str:
    """The column a custom field wants before collisions are resolved: `Ship-To` → `custom_fields_ship_to`."""
    return CUSTOM_FIELD_PREFIX + snake_case(field_name)


def first_free_names(wanted: Iterable[str]) -> list[str]:
    """One distinct name per wanted name, in the order given: each takes the first of `name`, `name_2`, `name_3`, …
    that no earlier one took.

    The order is the priority: whoever comes first keeps the plain name, so appending a name never changes the
    names given before it. A later name whose plain form an earlier suffix took (`ship_to_2` for a field literally
    called "Ship To 2") moves on to its own suffix (`ship_to_2_2`): no two names are ever equal."""
    taken: set[str] = set()
    names = []
    for name in wanted:
        candidate, suffix = name, 2
        while candidate in taken:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        taken.add(candidate)
        names.append(candidate)
    return names
