"""The Act! collections the connector replicates, declared as data: one entry per collection.

Adding a collection is an entry here (and, if its model is new, a line in scripts/generate_models.py). The sync
engine, the schema and the flattening read everything they need from these entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LinkSpec:
    """A link table derived from an embedded array of a parent record (e.g. an opportunity's `contacts`).

    The API has no collection for these links: they exist only inside the parent, so they are synced with it."""

    table: str  # e.g. "opportunity_contacts"
    array_field: str  # the parent's embedded array, e.g. "contacts"
    parent_key: str  # column naming the parent, e.g. "opportunity_id"
    child_key: str  # column naming the linked record, e.g. "contact_id"
    model: str  # Swagger model of the embedded items (its other properties become columns)


@dataclass(frozen=True)
class TableSpec:
    name: str  # destination table name
    model: str  # Swagger definition the records follow (columns and types come from it)
    path: str  # path on current Act! servers
    legacy_path: str | None  # path on older servers (original design), where it differs
    cursor_field: str | None  # last-edited timestamp; None = the API has none, so a full sync each time
    id_type: str = "guid"  # "guid" (string ids) or "int"
    record_type: str | None = None  # Act! record type whose custom fields it carries (metadata endpoint)
    default_enabled: bool = True
    parent_table: str | None = None  # served per parent record: {parent id} in the path
    created_field: str | None = "created"  # creation timestamp (reconciliation ignores ids created since)
    links: tuple[LinkSpec, ...] = field(default=())

    @property
    def incremental(self) -> bool:
        return self.cursor_field is not None

    @property
    def reconcilable(self) -> bool:
        """Deletes are found for incremental top-level tables with GUID ids (full tables are small: see sync_engine)."""
        return self.incremental and self.id_type == "guid" and self.parent_table is None


def _links(parent: str, parent_key: str, *arrays: tuple[str, str, str]) -> tuple[LinkSpec, ...]:
    return tuple(
        LinkSpec(f"{parent}_{plural}", plural, parent_key, child_key, model) for plural, child_key, model in arrays
    )


_OPPORTUNITY_LINKS = _links(
    "opportunity",
    "opportunity_id",
    ("contacts", "contact_id", "Contacts.EmbeddedContact"),
    ("companies", "company_id", "Companies.EmbeddedCompany"),
    ("groups", "group_id", "Groups.EmbeddedGroup"),
)
_ACTIVITY_LINKS = _links(
    "activity",
    "activity_id",
    ("contacts", "contact_id", "Activities.EmbededActivityContact"),
    ("companies", "company_id", "Companies.EmbeddedCompany"),
    ("groups", "group_id", "Groups.EmbeddedGroup"),
    ("opportunities", "opportunity_id", "Opportunities.EmbeddedOpportunity"),
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    # The original six tables, on by default.
    TableSpec("contacts", "Contacts.Contact", "/api/contacts", None, "edited", record_type="Contact"),
    TableSpec("companies", "Companies.Company", "/api/companies", None, "edited", record_type="Company"),
    TableSpec(
        "opportunities",
        "Opportunities.Opportunity",
        "/api/opportunities",
        None,
        "edited",
        record_type="Opportunity",
        links=_OPPORTUNITY_LINKS,
    ),
    TableSpec(
        "activities", "Activities.ActivityOccurrence", "/api/tasks", "/api/activities", "edited", links=_ACTIVITY_LINKS
    ),
    TableSpec(
        "activity_types",
        "TaskTypes.TaskType",
        "/api/task-types",
        "/api/activity-types",
        None,
        id_type="int",
        created_field=None,
    ),
    TableSpec("products", "Products.Product", "/api/Products", None, "editDate", created_field="createDate"),
    # Beyond the original design: off unless selected.
    TableSpec("groups", "Groups.Group", "/api/groups", None, "edited", record_type="Group", default_enabled=False),
    TableSpec("notes", "Notes.Note", "/api/notes", None, "edited", default_enabled=False),
    TableSpec("histories", "Histories.History", "/api/History", None, "edited", default_enabled=False),
    TableSpec("users", "Users.UserInfo", "/api/users", None, None, default_enabled=False, created_field=None),
    TableSpec(
        "opportunity_products",
        "Opportunities.OpportunityProduct",
        "/api/opportunities/{parent_id}/products",
        None,
        None,
        record_type="Product",
        default_enabled=False,
        parent_table="opportunities",
    ),
)

SPECS_BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLE_SPECS}
LINK_TABLES: dict[str, tuple[TableSpec, LinkSpec]] = {
    link.table: (spec, link) for spec in TABLE_SPECS for link in spec.links
}
DEFAULT_TABLES: tuple[str, ...] = tuple(spec.name for spec in TABLE_SPECS if spec.default_enabled)
