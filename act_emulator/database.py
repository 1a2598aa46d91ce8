"""The emulated Act! database: its tables, the clock that stamps changes, and every way the control API changes it.

Mutations (edits, inserts, deletes, back-dated changes, product lines with or without their opportunity), embedded
link changes, group membership and company associations (relations.py), private (hidden) records, bad records,
custom field schema changes, and the form GUID ids are served in. Each table's index and query engine is
`store.TableData`: this module decides what changes, that one keeps the index right.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from . import corruption, custom_fields, idformat
from . import generator as generator_module
from .clock import Clock
from .corruption import ServedBlob
from .dotnet_time import TICKS_PER_SECOND, format_ticks
from .generator import id_for
from .relations import RELATIONS, Relation
from .sqlorder import guid_sort_key
from .store import TableData, normalise_id
from .tables import TABLES, EmulatedTable

LINK_ARRAYS = {  # parent table -> embedded arrays of links, each named after the table it links to
    "opportunities": ("contacts", "companies", "groups"),
    "activities": ("contacts", "companies", "groups", "opportunities"),
    "notes": ("contacts", "companies", "groups", "opportunities"),
    "histories": ("contacts", "companies", "groups", "opportunities"),
}


def _link_item(parent_table: str, array: str, linked: dict) -> dict:
    """The embedded item a parent carries for a linked record, as the generator writes them."""
    if array == "contacts" and parent_table == "activities":
        return {
            "id": linked["id"],
            "displayName": linked.get("fullName"),
            "emailAddress": linked.get("emailAddress"),
            "isInvited": False,
        }
    if array == "contacts":
        return {
            "id": linked["id"],
            "displayName": linked.get("fullName"),
            "company": linked.get("company"),
            "isInvited": False,
        }
    return {"id": linked["id"], "name": linked.get("name")}


def _custom_value(data_type: str, rng: random.Random):
    """A value for a custom field added (or retyped) at run time."""
    if data_type in ("Date", "AnnualEvent", "DateTime"):
        ticks = generator_module.GENERATED_UNTIL_TICKS - rng.randrange(3650) * 864_000_000_000
        return format_ticks(ticks)
    if data_type == "Number":
        return rng.randint(1, 1000)
    if data_type in ("Decimal", "Currency"):
        return round(rng.uniform(1, 10_000), 2)
    if data_type == "YesNo":
        return rng.random() < 0.5
    return rng.choice(["Gold", "Silver", "Bronze", "Platinum", "Zoë's pick"])


def _offset_ticks(seconds) -> int:
    return round(float(seconds) * TICKS_PER_SECOND)


@dataclass
class Mutation:
    edited: list = field(default_factory=list)
    inserted: list = field(default_factory=list)
    deleted: list = field(default_factory=list)


class Database:
    """Every table of one emulated Act! database, its generator, and the clock that stamps changes."""

    def __init__(self, seed: int, counts: dict[str, int], id_format: str = "lower"):
        self.clock = Clock()
        self.id_format = idformat.check(id_format)
        self.created_offset_ticks = 0  # inserted records' `created` = data clock + this (a skewed server clock)
        self.reset(seed, counts)

    def reset(self, seed: int, counts: dict[str, int]) -> None:
        self.seed = seed
        self.counts = {name: counts.get(name, table.default_count) for name, table in TABLES.items()}
        self.generator = generator_module.RecordGenerator(seed, dict(self.counts))
        self.tables: dict[str, TableData] = {}
        self.custom_fields: dict[str, list[tuple[str, str]]] = {}  # added at run time
        self.mutations = 0
        self.relations = {name: Relation(table) for name, table in RELATIONS.items()}
        associations: list[tuple[str, str]] = []
        for name, table in TABLES.items():
            data = TableData(table, self.id_format)
            records = self.generator.generate(name)
            data.load(self._associating(records, associations) if name == "contacts" else records)
            self.tables[name] = data
        self.relations["company_contacts"].load(associations)
        self.relations["group_contacts"].load(
            (id_for("groups", g, seed), id_for("contacts", k, seed))
            for g, members in enumerate(self.generator.group_memberships())
            for k in members
        )
        floor = max([generator_module.GENERATED_UNTIL_TICKS] + [t.max_cursor() for t in self.tables.values()])
        self.clock.raise_floor(floor)

    def _associating(self, contacts, pairs: list):
        """The generated contacts, passed through while collecting their company associations (one pass over a
        million contacts instead of two)."""
        associations = self.generator.company_associations
        for record in contacts:
            yield record
            contact = record["id"]
            pairs.extend((company, contact) for company in associations(record))

    def set_id_format(self, id_format: str) -> None:
        """Write every GUID the API serves in `id_format` (lower, upper, braced) from now on."""
        self.id_format = idformat.check(id_format)
        for data in self.tables.values():
            data.set_id_format(self.id_format)

    # metadata
    def field_columns(self, record_type: str) -> list[dict]:
        columns = list(self.generator.custom_field_columns(record_type))
        if self.id_format != "lower":
            columns = [orjson.loads(idformat.render(orjson.dumps(column), self.id_format)) for column in columns]
        return columns

    def add_custom_field(self, record_type: str, name: str, data_type: str) -> dict:
        """A new custom field definition (served by the metadata endpoint, created now); records of that type
        inserted or edited from now on carry a value for it."""
        if data_type not in custom_fields.DATA_TYPES:
            raise ValueError(f"unknown field type {data_type!r}; known: {', '.join(custom_fields.DATA_TYPES)}")
        if self.generator.find_custom_field(record_type, name) is not None:
            raise ValueError(f"{record_type} already has a custom field {name!r}")
        now = self.clock.now()
        field_def = custom_fields.CustomField(name, data_type, 0.0, created_ticks=now, edited_ticks=now)
        column = self.generator.add_custom_field(record_type, field_def)
        self.custom_fields.setdefault(record_type, []).append((name, data_type))
        return column

    def rename_custom_field(self, record_type: str, name: str, new_name: str) -> dict:
        """Rename a field as Act!'s Define Fields does: same metadata id, new name; every record's `customFields`
        key follows, and no record's `edited` moves (Act! changes the schema, not the records)."""
        if self.generator.find_custom_field(record_type, new_name) is not None:
            raise ValueError(f"{record_type} already has a custom field {new_name!r}")
        column = self.generator.rename_custom_field(record_type, name, new_name, self.clock.now())
        self._follow_runtime_field(record_type, name, new_name)

        def rename(record: dict) -> dict | None:
            values = record.get("customFields")
            if not isinstance(values, dict) or name not in values:
                return None
            record["customFields"] = {(new_name if key == name else key): value for key, value in values.items()}
            return record

        self._rewrite_record_type(record_type, rename)
        return column

    def delete_custom_field(self, record_type: str, name: str) -> dict:
        """Delete a field: gone from the metadata and from every record's `customFields`; `edited` unchanged."""
        column = self.generator.delete_custom_field(record_type, name)
        self._follow_runtime_field(record_type, name, None)

        def drop(record: dict) -> dict | None:
            values = record.get("customFields")
            if not isinstance(values, dict) or name not in values:
                return None
            record["customFields"] = {key: value for key, value in values.items() if key != name}
            return record

        self._rewrite_record_type(record_type, drop)
        return column

    def retype_custom_field(self, record_type: str, name: str, data_type: str) -> dict:
        """Change a field's type (metadata `type`, `dataType`, `columnType`); each record's value is converted
        where it can be (a Number becomes its text) and drawn afresh where it cannot; `edited` unchanged."""
        if data_type not in custom_fields.DATA_TYPES:
            raise ValueError(f"unknown field type {data_type!r}; known: {', '.join(custom_fields.DATA_TYPES)}")
        old_type, column = self.generator.retype_custom_field(record_type, name, data_type, self.clock.now())
        self.custom_fields[record_type] = [
            (n, data_type if n == name else t) for n, t in self.custom_fields.get(record_type, [])
        ]
        rng = random.Random(f"{self.seed}/{record_type}/{name}/retype/{data_type}")

        def convert(record: dict) -> dict | None:
            values = record.get("customFields")
            if not isinstance(values, dict) or values.get(name) is None:
                return None
            converted = custom_fields.convert(values[name], old_type, data_type)
            if converted is None:
                converted = _custom_value(data_type, rng)
            record["customFields"] = dict(values, **{name: converted})
            return record

        self._rewrite_record_type(record_type, convert)
        return column

    def _follow_runtime_field(self, record_type: str, name: str, new_name: str | None) -> None:
        """Keep the list of run-time fields (which edits fill in) in step with a rename or delete."""
        fields = self.custom_fields.get(record_type, [])
        self.custom_fields[record_type] = [
            (new_name if n == name else n, t) for n, t in fields if n != name or new_name is not None
        ]

    def _rewrite_record_type(self, record_type: str, change) -> None:
        canonical = record_type.lower()
        for name, table in TABLES.items():
            if (table.record_type or "").lower() == canonical:
                self.tables[name].rewrite(change)

    def _with_custom_values(self, table: EmulatedTable, record: dict, rng: random.Random) -> dict:
        added = self.custom_fields.get(table.record_type or "", [])
        if added and isinstance(record.get("customFields"), dict):
            values = dict(record["customFields"])
            for name, data_type in added:
                if values.get(name) is None:
                    values[name] = _custom_value(data_type, rng)
            record["customFields"] = values
        return record

    # mutations
    def _stamps(self, same_timestamp: bool, edited_offset_seconds) -> Callable[[], int]:
        """The cursor stamps of one mutation: the data clock (strictly increasing), or back-dated by
        `edited_offset_seconds` (as Act! synchronisation and imports keep the stamps records had elsewhere)."""
        if edited_offset_seconds is None:
            if same_timestamp:
                shared = self.clock.stamp()
                return lambda: shared
            return self.clock.stamp
        base = self.clock.now() + _offset_ticks(edited_offset_seconds)
        if same_timestamp:
            return lambda: base
        counter = iter(range(base, base + 10**12))
        return lambda: next(counter)

    def mutate(
        self,
        table_name: str,
        edit: int = 0,
        insert: int = 0,
        delete: int = 0,
        same_timestamp: bool = False,
        ids: list | None = None,
        edited_offset_seconds: float | None = None,
        parent: str | None = None,
        touch_parent: bool = False,
    ) -> Mutation:
        """Edit, insert and delete records now; ids to edit/delete are `ids` or a seeded choice (among the product
        lines of `parent` when given, where inserts also go). `touch_parent` moves the parent opportunity's
        `edited` when its product lines change; deleting an opportunity deletes its product lines."""
        table = TABLES[table_name]
        data = self.tables[table_name]
        if (parent is not None or touch_parent) and data.parents is None:
            raise ValueError(f"table {table_name} has no parent records (parent/touch_parent)")
        parent_norm = self._parent_norm(table, parent) if parent is not None else None
        self.mutations += 1
        rng = random.Random(f"{self.seed}/{table_name}/{self.mutations}")
        stamp = self._stamps(same_timestamp, edited_offset_seconds)
        dated_by = 0 if edited_offset_seconds is None else _offset_ticks(edited_offset_seconds)
        result = Mutation()
        chosen = [normalise_id(table, i) for i in ids] if ids else []
        if not chosen and (edit or delete):
            pool = sorted(data.parents.of(parent_norm)) if parent_norm is not None else list(data.key_of)
            chosen = rng.sample(pool, min(len(pool), edit + delete))
        if ids and not delete:
            to_edit, to_delete = chosen, []
        elif ids and not edit:
            to_edit, to_delete = [], chosen
        else:
            to_edit, to_delete = chosen[:edit], chosen[edit : edit + delete]
        touched = {data.parents.parent_of.get(norm) for norm in to_edit + to_delete} if touch_parent else set()
        for norm in to_edit:
            current = data.get_record(norm)
            if current is None:
                continue
            record = self.generator.edited_record(table_name, current, stamp())
            data.put(self._with_custom_values(table, record, rng))
            result.edited.append(data.served_id(norm))
        for _ in range(insert):
            ticks = stamp()
            created = ticks - dated_by + self.created_offset_ticks  # the data clock's now + the created offset
            record = self.generator.new_record(table_name, ticks, created)
            if parent_norm is not None:
                record[data.parents.link] = parent_norm
            data.put(self._with_custom_values(table, record, rng))
            result.inserted.append(data.served_id(record["id"]))
            if table_name == "contacts":  # a new contact is associated with its company, as Act! links it
                company = record.get("companyID")
                if company and company.lower() in self.tables["companies"].key_of:
                    self.relations["company_contacts"].add(company.lower(), normalise_id(table, record["id"]))
            if touch_parent:
                touched.add(data.parents.parent_of.get(normalise_id(table, record["id"])))
        result.deleted = [data.served_id(norm) for norm in self._delete(table_name, to_delete)]
        for parent_id in sorted(p for p in touched if p is not None):
            self._restamp(table.parent, parent_id, self.clock.stamp())
        return result

    def _parent_norm(self, table: EmulatedTable, parent) -> str:
        norm = normalise_id(TABLES[table.parent], parent)
        if norm not in self.tables[table.parent].key_of:
            raise ValueError(f"no {table.parent} record with id {parent!r}")
        return norm

    def _delete(self, table_name: str, norms: list) -> list:
        """Delete records (hidden ones too), and the records served under them (an opportunity's product lines,
        as Act! deletes them with it). Returns the ids deleted from `table_name`."""
        data = self.tables[table_name]
        hidden_gone = [norm for norm in dict.fromkeys(norms) if data.hidden.pop(norm, None) is not None]
        for norm in hidden_gone:
            data.deleted_ids.append(norm)
            data.corrupted.pop(norm, None)
        deleted = data.remove_many(norms)
        for child_name, child in TABLES.items():
            if child.parent == table_name:
                child_data = self.tables[child_name]
                self._delete(child_name, [c for norm in deleted for c in sorted(child_data.parents.of(norm))])
        gone = deleted + hidden_gone
        for relation in self.relations.values():  # a deleted record leaves its groups and companies
            if table_name in (relation.table.left, relation.table.right) and gone:
                others = relation.drop(table_name, gone)
                if relation.table.name == "group_contacts" and table_name == "contacts":
                    for group in sorted(others):
                        self._count_members(group)
        return gone

    def _count_members(self, group_norm) -> None:
        """Set a group's `contacts` (its number of members) to the truth, its `edited` unchanged: the count is
        computed, not edited."""
        groups = self.tables["groups"]
        record = groups.get_record(group_norm)
        if record is None:  # deleted or hidden
            return
        count = len(self.relations["group_contacts"].linked("groups", group_norm))
        if record.get("contacts") != count:
            record["contacts"] = count
            groups.put(record)

    def _restamp(self, table_name: str, norm, ticks: int) -> None:
        """Set a record's last-edited stamp(s) to `ticks`, nothing else changing."""
        data = self.tables[table_name]
        record = data.get_record(norm)
        if record is None:
            return
        for name in corruption.cursor_fields(data.table):
            if name in record:
                record[name] = format_ticks(ticks)
        data.put(record)

    def link(
        self,
        table_name: str,
        record_id,
        array: str,
        add: list | None = None,
        remove: list | None = None,
        touch: bool = True,
    ) -> dict:
        """Add or remove items of a record's embedded link array (an opportunity's `contacts`...). `touch` says
        whether the record's `edited` moves (it does when a user links a contact in Act!; links changed by other
        means, e.g. deleting the linked record, may leave it). Returns {"id", "array", "ids": [linked ids now],
        "edited"}."""
        arrays = LINK_ARRAYS.get(table_name, ())
        if array not in arrays:
            raise ValueError(f"{table_name} has no link array {array!r}; arrays: {', '.join(arrays) or 'none'}")
        data = self.tables[table_name]
        norm = normalise_id(data.table, record_id)
        record = data.get_record(norm)
        if record is None:
            raise ValueError(f"no {table_name} record with id {record_id!r}")
        linked_table = self.tables[array]
        gone = {normalise_id(linked_table.table, i) for i in remove or []}
        items = [item for item in record.get(array) or [] if normalise_id(linked_table.table, item["id"]) not in gone]
        present = {normalise_id(linked_table.table, item["id"]) for item in items}
        for linked_id in add or []:
            linked_norm = normalise_id(linked_table.table, linked_id)
            linked = linked_table.get_record(linked_norm)
            if linked is None:
                raise ValueError(f"no {array} record with id {linked_id!r}")
            if linked_norm not in present:
                items.append(_link_item(table_name, array, dict(linked, id=linked_norm)))
                present.add(linked_norm)
        record[array] = items
        data.put(record)
        if touch:
            self._restamp(table_name, norm, self.clock.stamp())
        served = data.get_record(norm)
        return {
            "id": served["id"],
            "array": array,
            "ids": [item["id"] for item in served[array]],
            "edited": served.get(data.table.cursor_field),
        }

    # many-to-many relations: group membership, company associations
    def _relation_change(self, relation_name: str, owner_id, add: list | None, remove: list | None):
        """Check and apply adds/removes of one owner's pairs; nothing changes when an id is bad. Returns
        (owner norm, [added norms], [removed norms])."""
        relation = self.relations[relation_name]
        owner_data, member_data = self.tables[relation.table.left], self.tables[relation.table.right]
        owner = normalise_id(owner_data.table, owner_id)
        if owner not in owner_data.key_of and owner not in owner_data.hidden:
            raise ValueError(f"no {relation.table.left} record with id {owner_id!r}")
        to_add = [normalise_id(member_data.table, i) for i in add or []]
        missing = [i for i, n in zip(add or [], to_add) if n not in member_data.key_of and n not in member_data.hidden]
        if missing:
            raise ValueError(f"no {relation.table.right} record with id(s) {missing}")
        to_remove = [normalise_id(member_data.table, i) for i in remove or []]
        removed = [n for n in dict.fromkeys(to_remove) if relation.discard(owner, n)]
        added = [n for n in dict.fromkeys(to_add) if relation.add(owner, n)]
        return owner, added, removed

    def _members_view(self, relation_name: str, owner) -> list:
        """The owner's linked ids now, served form, in SQL Server id order (hidden ones too: the truth)."""
        relation = self.relations[relation_name]
        data = self.tables[relation.table.right]
        return [data.served_id(n) for n in sorted(relation.linked(relation.table.left, owner), key=guid_sort_key)]

    def group_members(self, group_id, add: list | None = None, remove: list | None = None) -> dict:
        """Add contacts to a group and remove others. No record's `edited` moves (membership is not part of the
        group's or the contact's record); the group's `contacts` count follows. Returns {"group_id",
        "contact_ids": [members now], "added": [ids], "removed": [ids]} (added/removed: those that changed)."""
        group, added, removed = self._relation_change("group_contacts", group_id, add, remove)
        if added or removed:
            self._count_members(group)
        contacts = self.tables["contacts"]
        return {
            "group_id": self.tables["groups"].served_id(group),
            "contact_ids": self._members_view("group_contacts", group),
            "added": [contacts.served_id(n) for n in added],
            "removed": [contacts.served_id(n) for n in removed],
        }

    def company_contacts(
        self,
        company_id,
        add: list | None = None,
        remove: list | None = None,
        touch_contact: bool = True,
        touch_company: bool = True,
    ) -> dict:
        """Associate contacts with a company and dissociate others (one many-to-many relation, served from both
        sides). `touch_contact` / `touch_company`: whether the changed contacts' / the company's `edited` moves (in
        Act! a record's associations are part of it; either may be switched off). Returns {"company_id",
        "contact_ids": [associated now], "added", "removed", "edited": the company's stamp now,
        "contacts_edited": {contact id: stamp now} for the contacts added or removed}."""
        company, added, removed = self._relation_change("company_contacts", company_id, add, remove)
        changed = added + removed
        if changed and touch_company:
            self._restamp("companies", company, self.clock.stamp())
        contacts = self.tables["contacts"]
        if touch_contact:
            for norm in changed:
                self._restamp("contacts", norm, self.clock.stamp())
        companies = self.tables["companies"]
        record = companies.get_record(company)
        contacts_edited = {}
        for norm in changed:
            contact = contacts.get_record(norm)
            contacts_edited[contacts.served_id(norm)] = contact.get("edited") if contact else None
        return {
            "company_id": companies.served_id(company),
            "contact_ids": self._members_view("company_contacts", company),
            "added": [contacts.served_id(n) for n in added],
            "removed": [contacts.served_id(n) for n in removed],
            "edited": record.get("edited") if record else None,
            "contacts_edited": contacts_edited,
        }

    def associated(self, relation_name: str, table_name: str, norm) -> tuple:
        """Ids linked to a record through a relation (for an associated-* list; hidden ones included, the store
        leaves them out)."""
        return self.relations[relation_name].linked(table_name, norm)

    def relation_snapshot(self, relation_name: str, fields: list[str] | None = None) -> dict:
        """The pairs the API serves now ({left_key, right_key} records, ids in the served form), ordered by
        the left id then the right id in SQL Server order. A pair with a hidden side is not served, so it is not
        listed; removed pairs are simply absent (`deleted_ids` stays empty: a pair has no id)."""
        relation = self.relations[relation_name]
        spec = relation.table
        left, right = self.tables[spec.left], self.tables[spec.right]
        pairs = sorted(
            ((a, b) for a, b in relation.pairs() if a in left.key_of and b in right.key_of),
            key=lambda pair: (guid_sort_key(pair[0]), guid_sort_key(pair[1])),
        )
        records = [{spec.left_key: left.served_id(a), spec.right_key: right.served_id(b)} for a, b in pairs]
        if fields:
            records = [{name: record.get(name) for name in fields} for record in records]
        return {
            "table": relation_name,
            "cursor_field": None,
            "keys": [spec.left_key, spec.right_key],
            "records": records,
            "deleted_ids": [],
            "hidden": [],
            "corrupted": {},
            "served_without_id": [],
        }

    def counts_now(self) -> dict:
        """Records served per table, and pairs per relation."""
        counts = {name: len(data) for name, data in self.tables.items()}
        counts.update({name: len(relation) for name, relation in self.relations.items()})
        return counts

    def hide(self, table_name: str, ids: list | None = None, count: int = 0) -> list:
        """Stop serving records without deleting them, as Act! hides private records from other users: they are
        not in collections, single GETs or child lists. `ids`, or `count` records of a seeded choice."""
        data = self.tables[table_name]
        self.mutations += 1
        if ids:
            chosen = [normalise_id(data.table, i) for i in ids]
            missing = [i for i, norm in zip(ids, chosen) if norm not in data.key_of and norm not in data.hidden]
            if missing:
                raise ValueError(f"no {table_name} record with id(s) {missing}")
        else:
            rng = random.Random(f"{self.seed}/{table_name}/hide/{self.mutations}")
            pool = list(data.key_of)
            chosen = rng.sample(pool, min(len(pool), int(count)))
        return [data.served_id(norm) for norm in chosen if data.hide(norm) or norm in data.hidden]

    def unhide(self, table_name: str, ids: list | None = None) -> list:
        """Serve hidden records again (all of them when `ids` is None), their stamps unchanged."""
        data = self.tables[table_name]
        chosen = [normalise_id(data.table, i) for i in ids] if ids is not None else list(data.hidden)
        return [data.served_id(norm) for norm in chosen if data.unhide(norm)]

    def corrupt(self, table_name: str, kind: str, count: int = 0, ids: list | None = None) -> dict:
        """Serve `ids` (or `count` records of a seeded choice among those not yet corrupted) corrupted by `kind` from
        now on, each with its cursor stamped now so an incremental sync picks it up.
        Returns {"corrupted": [ids], "fields": [the properties spoiled]}."""
        table = TABLES[table_name]
        data = self.tables[table_name]
        corruption.check(table, kind)
        self.mutations += 1
        if ids:
            chosen = [normalise_id(table, i) for i in ids]
            missing = [i for i, norm in zip(ids, chosen) if norm not in data.key_of]
            if missing:
                raise ValueError(f"no {table_name} record with id(s) {missing}")
        else:
            rng = random.Random(f"{self.seed}/{table_name}/corrupt/{self.mutations}")
            pool = [norm for norm in data.key_of if norm not in data.corrupted]  # a fresh record each time
            chosen = rng.sample(pool, min(len(pool), int(count)))
        done, fields = [], []
        for norm in chosen:
            record = data.get_record(norm)
            if table.cursor_field:
                stamp = format_ticks(self.clock.stamp())
                for name in corruption.cursor_fields(table):
                    if name in record:
                        record[name] = stamp
            fields = data.put(record, kind)
            done.append(record["id"])
        return {"corrupted": done, "fields": fields}

    def snapshot(self, table_name: str, fields: list[str] | None = None) -> dict:
        """The truth now, ids as served. Hidden records count as deleted (the API user cannot see them, so a
        warehouse should not show them live) and are also listed in `hidden`. Relations (group_contacts,
        company_contacts): see relation_snapshot."""
        if table_name in self.relations:
            return self.relation_snapshot(table_name, fields)
        data = self.tables[table_name]
        records = list(data.records())
        if fields:
            records = [{name: record.get(name) for name in fields} for record in records]
        corrupted = {orjson.loads(blob.clean)["id"]: blob.kind for blob in data.blobs if type(blob) is ServedBlob}
        hidden = [data.served_id(norm) for norm in data.hidden]
        return {
            "table": table_name,
            "cursor_field": data.table.cursor_field,
            "records": records,
            "deleted_ids": [data.served_id(norm) for norm in data.deleted_ids] + hidden,
            "hidden": hidden,
            "corrupted": corrupted,
            "served_without_id": [i for i, kind in corrupted.items() if kind == "missing-id"],
        }
