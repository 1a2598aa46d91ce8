"""The many-to-many relation index (relations.py) and how the database keeps it: both sides in step, deletes and
inserts, the sizes generated data has; and that the associated-* paths are the Swagger spec's."""

import json
from pathlib import Path

import pytest

from act_emulator.database import Database
from act_emulator.relations import ASSOCIATED, RELATIONS, Relation
from act_emulator.settings import RECORD_PRESETS

SPEC = Path(__file__).resolve().parents[2] / "act_emulator" / "spec" / "swagger.json"


def test_a_relation_is_indexed_both_ways():
    relation = Relation(RELATIONS["company_contacts"])
    assert relation.add("c1", "p1") and relation.add("c1", "p2") and relation.add("c2", "p1")
    assert not relation.add("c1", "p1") and len(relation) == 3
    assert sorted(relation.linked("companies", "c1")) == ["p1", "p2"]
    assert sorted(relation.linked("contacts", "p1")) == ["c1", "c2"]
    assert relation.linked("contacts", "p2") == ("c1",)
    assert relation.discard("c1", "p1") and not relation.discard("c1", "p1")
    assert relation.linked("contacts", "p1") == ("c2",) and relation.linked("companies", "c1") == ("p2",)
    assert relation.drop("contacts", ["p2", "nobody"]) == {"c1"}
    assert sorted(relation.pairs()) == [("c2", "p1")] and len(relation) == 1
    with pytest.raises(ValueError):
        relation.linked("groups", "g1")


def test_associated_paths_are_in_the_spec():
    spec = json.loads(SPEC.read_text())
    singular = {"groups": "groupId", "companies": "companyId", "contacts": "contactId"}
    for (owner, segment), (relation, _) in ASSOCIATED.items():
        path = f"/api/{owner}/{{{singular[owner]}}}/{segment}"
        assert "get" in spec["paths"][path], path
        assert relation in RELATIONS


@pytest.fixture(scope="module")
def database():
    return Database(7, RECORD_PRESETS["small"])


def test_generated_sizes_at_small(database):
    groups = database.relations["group_contacts"]
    companies = database.relations["company_contacts"]
    sizes = [len(groups.linked("groups", g)) for g in database.tables["groups"].key_of]
    assert 200 <= len(groups) <= 3 * 200 and max(sizes) > 20
    assert 0 < len(groups.by_right) < len(database.tables["contacts"])  # some contacts in no group
    assert any(not isinstance(v, str) for v in groups.by_right.values())  # some in several
    assert len(companies) >= 0.6 * len(database.tables["contacts"])
    assert any(not isinstance(v, str) for v in companies.by_right.values())


def test_deletes_and_inserts_keep_the_relations(database):
    groups, companies = database.relations["group_contacts"], database.relations["company_contacts"]
    contact = next(c for c, v in groups.by_right.items() if not isinstance(v, str))
    member_of = groups.linked("contacts", contact)
    database.mutate("contacts", delete=1, ids=[contact])
    assert groups.linked("contacts", contact) == () and companies.linked("contacts", contact) == ()
    for group in member_of:
        record = database.tables["groups"].get_record(group)
        assert record["contacts"] == len(groups.linked("groups", group))
    company = next(iter(companies.by_left))
    database.mutate("companies", delete=1, ids=[company])
    assert companies.linked("companies", company) == ()
    inserted = database.mutate("contacts", insert=20)
    for contact in inserted.inserted:
        primary = database.tables["contacts"].get_record(contact)["companyID"]
        expected = (primary,) if primary and primary in database.tables["companies"].key_of else ()
        assert companies.linked("contacts", contact) == expected
