"""The Act! collections the emulator serves, as data: one entry per collection.

Names are the connector's table names, so that `--records contacts=N,...`, the control API and the tests speak
one language. Models are the Swagger definitions the records follow exactly; paths are per API generation:
older Act! servers serve activities at `/api/activities` and their types at
`/api/activity-types`, current ones at `/api/tasks` and `/api/task-types`.
"""

from __future__ import annotations

from dataclasses import dataclass

MODEL_PREFIX = "act.web.api.models."


@dataclass(frozen=True)
class EmulatedTable:
    name: str  # the connector's table name
    model: str  # Swagger definition the records follow
    current_path: str  # path on current Act! (the spec)
    legacy_path: str  # path on older servers; the same as current_path where nothing changed
    cursor_field: str | None  # last-edited timestamp property, None where the model has none
    id_type: str = "guid"  # "guid" (string id) or "int" (task types)
    record_type: str | None = None  # Act! record type for /api/metadata/{recordType}/fields, where it has custom fields
    parent: str | None = None  # served per parent record: /api/opportunities/{id}/products
    default_count: int = 0  # records generated when --records does not name the table

    @property
    def definition(self) -> str:
        return MODEL_PREFIX + self.model


TABLES: dict[str, EmulatedTable] = {
    t.name: t
    for t in [
        EmulatedTable(
            "contacts",
            "Contacts.Contact",
            "/api/contacts",
            "/api/contacts",
            "edited",
            record_type="Contact",
            default_count=20_000,
        ),
        EmulatedTable(
            "companies",
            "Companies.Company",
            "/api/companies",
            "/api/companies",
            "edited",
            record_type="Company",
            default_count=5_000,
        ),
        EmulatedTable(
            "opportunities",
            "Opportunities.Opportunity",
            "/api/opportunities",
            "/api/opportunities",
            "edited",
            record_type="Opportunity",
            default_count=8_000,
        ),
        EmulatedTable(
            "activities",
            "Activities.ActivityOccurrence",
            "/api/tasks",
            "/api/activities",
            "edited",
            default_count=25_000,
        ),
        EmulatedTable(
            "activity_types",
            "TaskTypes.TaskType",
            "/api/task-types",
            "/api/activity-types",
            None,
            id_type="int",
            default_count=12,
        ),
        EmulatedTable(
            "products", "Products.Product", "/api/Products", "/api/Products", "editDate", default_count=2_000
        ),
        # Beyond the original six tables.
        EmulatedTable(
            "groups", "Groups.Group", "/api/groups", "/api/groups", "edited", record_type="Group", default_count=300
        ),
        EmulatedTable("notes", "Notes.Note", "/api/notes", "/api/notes", "edited", default_count=3_000),
        EmulatedTable("histories", "Histories.History", "/api/History", "/api/History", "edited", default_count=3_000),
        EmulatedTable("users", "Users.UserInfo", "/api/users", "/api/users", None, default_count=15),
        EmulatedTable(
            "opportunity_products",
            "Opportunities.OpportunityProduct",
            "/api/opportunities/{opportunityId}/products",
            "/api/opportunities/{opportunityId}/products",
            "edited",
            record_type="Product",
            parent="opportunities",
        ),
    ]
}

API_GENERATIONS = ("legacy", "current", "both")
