"""Many-to-many relations Act! serves as `associated-*` lists rather than embedded arrays: group membership
(`/api/groups/{groupId}/associated-contacts`) and company associations (`/api/companies/{companyId}/associated-contacts`
and, the other way round, `/api/contacts/{contactId}/associated-companies`).

A relation holds pairs of record ids (lower-case GUID text), indexed both ways so each side's list costs
O(its pairs). Most contacts have exactly one company, so a side's value is a single id until it has a second one
(a million contacts would otherwise carry a million one-element sets). The database keeps relations in step with
deletes; the store serves a side's list from the linked table's index (hidden records left out).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RelationTable:
    name: str  # the snapshot / warehouse table name
    left: str  # owner table of the first key (groups, companies)
    right: str  # table of the second key (contacts)
    left_key: str  # snapshot record key of the left id
    right_key: str  # snapshot record key of the right id


RELATIONS: dict[str, RelationTable] = {
    r.name: r
    for r in [
        RelationTable("group_contacts", "groups", "contacts", "group_id", "contact_id"),
        RelationTable("company_contacts", "companies", "contacts", "company_id", "contact_id"),
    ]
}

# (owner table, path segment after its id) -> (relation, the table whose records the list serves)
ASSOCIATED: dict[tuple[str, str], tuple[str, str]] = {
    ("groups", "associated-contacts"): ("group_contacts", "contacts"),
    ("companies", "associated-contacts"): ("company_contacts", "contacts"),
    ("contacts", "associated-companies"): ("company_contacts", "companies"),
}


def _add(index: dict, key: str, value: str) -> bool:
    current = index.get(key)
    if current is None:
        index[key] = value
        return True
    if isinstance(current, str):
        if current == value:
            return False
        index[key] = {current, value}
        return True
    if value in current:
        return False
    current.add(value)
    return True


def _discard(index: dict, key: str, value: str) -> bool:
    current = index.get(key)
    if current is None:
        return False
    if isinstance(current, str):
        if current != value:
            return False
        del index[key]
        return True
    if value not in current:
        return False
    current.discard(value)
    if len(current) == 1:
        index[key] = next(iter(current))
    return True


def _values(index: dict, key: str) -> tuple:
    current = index.get(key)
    if current is None:
        return ()
    return (current,) if isinstance(current, str) else tuple(current)


class Relation:
    """Pairs (left id, right id), indexed both ways."""

    def __init__(self, table: RelationTable):
        self.table = table
        self.by_left: dict[str, object] = {}  # left id -> right id or set of right ids
        self.by_right: dict[str, object] = {}
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def load(self, pairs: Iterable[tuple[str, str]]) -> None:
        for left, right in pairs:
            self.add(left, right)

    def add(self, left: str, right: str) -> bool:
        if not _add(self.by_left, left, right):
            return False
        _add(self.by_right, right, left)
        self.size += 1
        return True

    def discard(self, left: str, right: str) -> bool:
        if not _discard(self.by_left, left, right):
            return False
        _discard(self.by_right, right, left)
        self.size -= 1
        return True

    def side(self, table_name: str) -> str:
        """'left' or 'right': which side of the relation `table_name` is on."""
        if table_name == self.table.left:
            return "left"
        if table_name == self.table.right:
            return "right"
        raise ValueError(f"{self.table.name} does not relate {table_name}")

    def linked(self, table_name: str, norm: str) -> tuple:
        """Ids linked to the record `norm` of `table_name` (either side)."""
        if self.side(table_name) == "left":
            return _values(self.by_left, norm)
        return _values(self.by_right, norm)

    def drop(self, table_name: str, norms: Iterable[str]) -> set:
        """Remove every pair of the given records of `table_name`; returns the ids on the other side they had."""
        left_side = self.side(table_name) == "left"
        touched: set = set()
        for norm in norms:
            for other in self.linked(table_name, norm):
                if self.discard(norm, other) if left_side else self.discard(other, norm):
                    touched.add(other)
        return touched

    def pairs(self) -> Iterator[tuple[str, str]]:
        for left, rights in self.by_left.items():
            if isinstance(rights, str):
                yield left, rights
            else:
                for right in rights:
                    yield left, right
