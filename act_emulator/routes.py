"""Which Act! paths exist and what each serves: collections, single records, an opportunity's product lines,
associated-* lists (a group's contacts, a company's contacts, a contact's companies), field metadata and
/authorize.

Paths match case-insensitively, as on IIS; which activity paths exist depends on the API generation (`legacy`:
/api/activities and /api/activity-types, `current`: /api/tasks and /api/task-types, or `both`).
"""

from __future__ import annotations

from .relations import ASSOCIATED
from .tables import TABLES

# /api/metadata/{recordType}/fields: the record types with custom fields, any case in the path
RECORD_TYPES = {
    "contact": "Contact",
    "company": "Company",
    "group": "Group",
    "opportunity": "Opportunity",
    "product": "Product",
}


class ApiRoutes:
    """Which paths exist for the selected API generation, and what each one serves."""

    def __init__(self, generation: str):
        self.set_generation(generation)

    def set_generation(self, generation: str) -> None:
        self.generation = generation
        self.collections: dict[str, str] = {}
        for table in TABLES.values():
            if table.parent:
                continue
            paths = {
                "legacy": [table.legacy_path],
                "current": [table.current_path],
                "both": [table.legacy_path, table.current_path],
            }[generation]
            for path in paths:
                self.collections[path.lower()] = table.name
        self.children = "/api/opportunities" in self.collections

    def resolve(self, rest: str) -> tuple[str, str | None, str | None] | None:
        """(kind, table, argument) for the path after the API prefix, e.g. 'api/contacts/<id>'; None if unknown."""
        parts = [part for part in rest.split("/") if part]
        lower = [part.lower() for part in parts]
        if lower == ["authorize"]:
            return ("authorize", None, None)
        if len(parts) < 2 or lower[0] != "api":
            return None
        table = self.collections.get("/api/" + lower[1])
        if table is not None:
            if len(parts) == 2:
                return ("collection", table, None)
            if len(parts) == 3:
                return ("single", table, parts[2])
            if len(parts) == 4 and table == "opportunities" and lower[3] == "products":
                return ("children", "opportunity_products", parts[2])
            if len(parts) == 4 and (table, lower[3]) in ASSOCIATED:
                # (kind, the relation, (owner table, owner id)): the relation names the stats bucket
                return ("associated", ASSOCIATED[(table, lower[3])][0], (table, parts[2]))
        if len(parts) == 4 and lower[1] == "metadata" and lower[3] == "fields":
            return ("metadata", None, parts[2])
        return None

    def family(self, rest: str) -> str:
        """The stats bucket of a path: its table name, 'authorize', 'metadata' or 'other'."""
        route = self.resolve(rest)
        if route is None:
            return "other"
        return route[1] or route[0]
