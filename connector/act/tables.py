"""The Act! collections the connector replicates, declared as data: one entry per collection.

Adding a collection is an entry here (and, if its model is new, a line in scripts/generate_models.py): the sync
engine, the schema and the flattening read everything they need from these entries. docs/adding-a-table.md lists
every other place a new collection touches.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class LinkSpec:
    """A link table derived from an embedded array of a parent record (e.g. an opportunity's `contacts`).

    The API has no collection for these links: they exist only inside the parent, so they are synced with it."""

    table: str  # e.g. "opportunity_contacts"
    array_field: str  # the parent's embedded array, e.g. "contacts"
    parent_key: str  # column naming the parent, e.g. "opportunity_id"
    child_key: str  # column naming the linked record, e.g. "contact_id"
    model: str  # Swagger model of the embedded items (its other properties become columns)


@dataclass(frozen=True, kw_only=True)
class AssociationSpec:
    """One side of a many-to-many relation the API serves per record (`/api/groups/{id}/associated-contacts`
    answers the group's member contacts): the relation lands as key pairs in `table`.

    Which side's changes move a stamp decides how it stays exact: `stamped=False` (group membership moves no
    stamp) reads the parent whole on every sync; otherwise the associations of the parents a pass writes are read
    again, and `in_full_pass` says whether this side is the one a full re-read of its parent reads for every
    record (one side suffices, and it should be the one with fewer records)."""

    table: str  # e.g. "group_contacts"
    path: str  # per parent record, e.g. "/api/groups/{groupId}/associated-contacts" (as the Swagger names it)
    parent_key: str  # column naming the parent record, e.g. "group_id"
    child_key: str  # column naming the associated record, e.g. "contact_id"
    stamped: bool = True  # a change moves the parent's `edited`
    in_full_pass: bool = True  # read for every parent when the parent is read whole


@dataclass(frozen=True, kw_only=True)
class TableSpec:
    name: str  # destination table name
    model: str  # Swagger definition the records follow (columns and types come from it)
    path: str  # path on current Act! servers
    legacy_path: str | None = None  # path on older Act! servers, where it differs
    cursor_field: str | None = None  # last-edited timestamp; None = the API has none: read whole on every sync
    id_type: str = "guid"  # "guid" (string ids) or "int"
    record_type: str | None = None  # Act! record type whose custom fields it carries (metadata endpoint)
    default_enabled: bool = False
    parent_table: str | None = None  # served per parent record: the path's one {placeholder} is the parent's id
    created_field: str | None = "created"  # creation timestamp (delete checks compare ids created before a cut-off)
    links: tuple[LinkSpec, ...] = field(default=())
    associations: tuple[AssociationSpec, ...] = field(default=())

    @property
    def incremental(self) -> bool:
        return self.cursor_field is not None

    @property
    def reconcilable(self) -> bool:
        """Delete checks (id walks compared through sketches) run for incremental top-level tables with GUID ids;
        every table, these included, is also read whole under a deferred truncate at its full re-reads."""
        return self.incremental and self.id_type == "guid" and self.parent_table is None


def _links(parent: str, parent_key: str, *arrays: tuple[str, str, str]) -> tuple[LinkSpec, ...]:
    return tuple(
        LinkSpec(
            table=f"{parent}_{plural}", array_field=plural, parent_key=parent_key, child_key=child_key, model=model
        )
        for plural, child_key, model in arrays
    )


_OPPORTUNITY_LINKS = _links(
    "opportunity",
    "opportunity_id",
    ("contacts", "contact_id", "Contacts.EmbeddedContact"),
    ("companies", "company_id", "Companies.EmbeddedCompany"),
    ("groups", "group_id", "Groups.EmbeddedGroup"),
)
_RECORD_LINKS = (
    ("contacts", "contact_id", "Contacts.EmbeddedContact"),
    ("companies", "company_id", "Companies.EmbeddedCompany"),
    ("groups", "group_id", "Groups.EmbeddedGroup"),
    ("opportunities", "opportunity_id", "Opportunities.EmbeddedOpportunity"),
)
_ACTIVITY_LINKS = _links(
    "activity",
    "activity_id",
    ("contacts", "contact_id", "Activities.EmbededActivityContact"),
    ("companies", "company_id", "Companies.EmbeddedCompany"),
    ("groups", "group_id", "Groups.EmbeddedGroup"),
    ("opportunities", "opportunity_id", "Opportunities.EmbeddedOpportunity"),
)

_GROUP_MEMBERS = AssociationSpec(
    table="group_contacts",
    path="/api/groups/{groupId}/associated-contacts",
    parent_key="group_id",
    child_key="contact_id",
    stamped=False,
)
_COMPANY_CONTACTS = AssociationSpec(
    table="company_contacts",
    path="/api/companies/{companyId}/associated-contacts",
    parent_key="company_id",
    child_key="contact_id",
)
_CONTACT_COMPANIES = AssociationSpec(
    table="company_contacts",
    path="/api/contacts/{contactId}/associated-companies",
    parent_key="contact_id",
    child_key="company_id",
    in_full_pass=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    # The six core tables, on by default.
    TableSpec(name="contacts", model="Contacts.Contact", path="/api/contacts", cursor_field="edited",
              record_type="Contact", default_enabled=True, associations=(_CONTACT_COMPANIES,)),
    TableSpec(name="companies", model="Companies.Company", path="/api/companies", cursor_field="edited",
              record_type="Company", default_enabled=True, associations=(_COMPANY_CONTACTS,)),
    TableSpec(name="opportunities", model="Opportunities.Opportunity", path="/api/opportunities",
              cursor_field="edited", record_type="Opportunity", default_enabled=True, links=_OPPORTUNITY_LINKS),
    TableSpec(name="activities", model="Activities.ActivityOccurrence", path="/api/tasks",
              legacy_path="/api/activities", cursor_field="edited", default_enabled=True, links=_ACTIVITY_LINKS),
    TableSpec(name="activity_types", model="TaskTypes.TaskType", path="/api/task-types",
              legacy_path="/api/activity-types", id_type="int", created_field=None, default_enabled=True),
    TableSpec(name="products", model="Products.Product", path="/api/Products", cursor_field="editDate",
              created_field="createDate", default_enabled=True),
    # Off unless selected in `tables`.
    TableSpec(name="groups", model="Groups.Group", path="/api/groups", cursor_field="edited", record_type="Group",
              associations=(_GROUP_MEMBERS,)),
    TableSpec(name="notes", model="Notes.Note", path="/api/notes", cursor_field="edited",
              links=_links("note", "note_id", *_RECORD_LINKS)),
    TableSpec(name="histories", model="Histories.History", path="/api/History", cursor_field="edited",
              links=_links("history", "history_id", *_RECORD_LINKS)),
    TableSpec(name="users", model="Users.UserInfo", path="/api/users", created_field=None),
    TableSpec(name="opportunity_products", model="Opportunities.OpportunityProduct",
              path="/api/opportunities/{opportunityId}/products", record_type="Product", parent_table="opportunities"),
)  # fmt: skip

SPECS_BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLE_SPECS}
LINK_TABLES: dict[str, tuple[TableSpec, LinkSpec]] = {
    link.table: (spec, link) for spec in TABLE_SPECS for link in spec.links
}
_PLACEHOLDER = re.compile(r"\{\w+\}")
ASSOCIATION_TABLES: dict[str, tuple[AssociationSpec, ...]] = {}
for _spec in TABLE_SPECS:
    for _side in _spec.associations:
        ASSOCIATION_TABLES[_side.table] = (*ASSOCIATION_TABLES.get(_side.table, ()), _side)
DEFAULT_TABLES: tuple[str, ...] = tuple(spec.name for spec in TABLE_SPECS if spec.default_enabled)
ALL_TABLES: tuple[str, ...] = (*SPECS_BY_NAME, *LINK_TABLES, *ASSOCIATION_TABLES)


def path_for_parent(template: str, parent_id: object) -> str:
    """A per-parent path with the parent's id in its one placeholder (named as in the Swagger file)."""
    return _PLACEHOLDER.sub(str(parent_id), template, count=1)


def association_key(table: str) -> tuple[str, str]:
    """An association table's primary key, as the side read in full re-reads names it."""
    side = next(side for side in ASSOCIATION_TABLES[table] if side.in_full_pass)
    return side.parent_key, side.child_key


def parent_of(table: str) -> str | None:
    """The table that must be selected with `table` because `table` is read with it (None for a top-level one)."""
    if table in LINK_TABLES:
        return LINK_TABLES[table][0].name
    if table in ASSOCIATION_TABLES:
        return next(
            spec.name for spec in TABLE_SPECS for side in spec.associations if side.table == table and side.in_full_pass
        )
    spec = SPECS_BY_NAME.get(table)
    return spec.parent_table if spec else None


def dependent_tables(spec: TableSpec, selected: Collection[str]) -> list[str]:
    """The selected tables a full re-read of `spec` reads whole with it (and so truncates, deferred): its child
    collections, link tables, and the associations read from its side."""
    children = [child.name for child in TABLE_SPECS if child.parent_table == spec.name and child.name in selected]
    links = [link.table for link in spec.links if link.table in selected]
    sides = [side.table for side in spec.associations if side.in_full_pass and side.table in selected]
    return children + links + sides
