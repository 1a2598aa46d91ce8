"""The indexed store in-process: keyset pages from the index equal a brute-force SQL-ordered scan, before and
after mutations (edits move records, inserts and deletes keep the index consistent); the opportunity products of
each opportunity, from the parent index, equal a scan of the whole table across every kind of mutation."""

import orjson
import pytest

from act_emulator.corruption import clean, served_record
from act_emulator.database import Database
from act_emulator.dotnet_time import format_ticks, parse_ticks
from act_emulator.odata import parse_query
from act_emulator.sqlorder import guid_sort_key
from act_emulator.tables import TABLES

COUNTS = {name: 0 for name in TABLES} | {"contacts": 1500, "activity_types": 12, "users": 5, "companies": 20}


@pytest.fixture(scope="module")
def store():
    return Database(seed=7, counts=COUNTS)


def page(store, table, **options):
    query = parse_query([("$" + k, v) for k, v in options.items()], TABLES[table].definition, TABLES[table].id_type)
    return orjson.loads(bytes(store.tables[table].query(query, query.top)))


def truth(store, table):
    records = list(store.tables[table].records())
    cursor = TABLES[table].cursor_field
    return sorted(records, key=lambda r: (parse_ticks(r[cursor]), guid_sort_key(r["id"])))


def keyset_walk(store, table, upper, size):
    cursor = TABLES[table].cursor_field
    out = page(store, table, filter=f"{cursor} le {upper}", orderby=f"{cursor} asc,id asc", top=str(size))
    seen = list(out)
    while len(out) == size:
        last = out[-1]
        t, k = last[cursor], last["id"]
        out = page(
            store,
            table,
            filter=f"({cursor} gt {t} or ({cursor} eq {t} and id gt {k})) and {cursor} le {upper}",
            orderby=f"{cursor} asc,id asc",
            top=str(size),
        )
        seen += out
    return seen


def test_keyset_walk_equals_sql_order(store):
    expected = truth(store, "contacts")
    # the generator makes ties (bulk imports); the walk must cross them without loss or repeats
    assert len({r["edited"] for r in expected}) < len(expected)
    walked = keyset_walk(store, "contacts", "2099-01-01T00:00:00Z", 97)
    assert [r["id"] for r in walked] == [r["id"] for r in expected]


def test_index_and_scan_agree(store):
    expected = truth(store, "contacts")
    mid = expected[700]
    t, k = mid["edited"], mid["id"]
    hot = page(
        store,
        "contacts",
        filter=f"(edited gt {t} or (edited eq {t} and id gt {k})) and edited le 2099-01-01",
        orderby="edited asc,id asc",
        top="50",
    )
    scanned = page(
        store,
        "contacts",
        filter=f"(edited gt {t} or (edited eq {t} and id gt '{k}')) and "
        "edited le 2099-01-01 and not (firstName eq 'no such name')",
        orderby="edited,id",
        top="50",
    )
    assert hot == scanned == expected[701:751]
    first = page(store, "contacts", filter=f"edited ge {t} and edited le {t}", orderby="edited asc,id asc")
    assert first == [r for r in expected if r["edited"] == t]
    desc = page(store, "contacts", orderby="edited desc,id desc", top="3", skip="2")
    assert desc == expected[::-1][2:5]


def test_cursorless_table_by_id(store):
    users = sorted(store.tables["users"].records(), key=lambda r: guid_sort_key(r["id"]))
    assert page(store, "users", filter=f"id gt {users[1]['id']}", orderby="id") == users[2:]
    types = page(store, "activity_types", filter="id gt 3", orderby="id asc", top="4")
    assert [r["id"] for r in types] == [4, 5, 6, 7]


def test_json_array_chunks():
    from act_emulator.store import JsonArray

    for parts in ([], [b"1"], [b"1", b"22", b"333"], [b'"' + b"x" * 10 + b'"'] * 50):
        page = JsonArray(parts)
        for size in (1, 7, 1000):
            body = b"".join(page.chunks(size))
            assert body == bytes(page) and len(body) == page.length
            assert orjson.loads(body) == [orjson.loads(p) for p in parts]


def test_mutations_keep_index_consistent():
    store = Database(seed=3, counts=COUNTS)
    before = truth(store, "contacts")
    top_before = parse_ticks(before[-1]["edited"])
    edited = store.mutate("contacts", edit=5, same_timestamp=True)
    inserted = store.mutate("contacts", insert=3)
    deleted = store.mutate("contacts", delete=2)
    after = truth(store, "contacts")
    assert len(after) == len(before) + 3 - 2
    assert [r["id"] for r in keyset_walk(store, "contacts", "2099-01-01", 10)] == [r["id"] for r in after]
    by_id = {r["id"]: r for r in after}
    stamps = {by_id[i]["edited"] for i in edited.edited if i in by_id}
    assert len(stamps) == 1 and parse_ticks(stamps.pop()) > top_before
    new_ticks = [parse_ticks(by_id[i]["edited"]) for i in inserted.inserted]
    assert new_ticks == sorted(new_ticks) and len(set(new_ticks)) == 3
    assert set(deleted.deleted).isdisjoint(by_id)
    assert store.snapshot("contacts")["deleted_ids"] == [i.lower() for i in deleted.deleted]
    # an edit moves the record to the end of the cursor order
    assert after[-4]["id"] in edited.edited or after[-1]["id"] in inserted.inserted
    assert format_ticks(parse_ticks(after[-1]["edited"])) == after[-1]["edited"]


# ------------------------------------------------------------------- opportunity products: the per-parent index
CHILD_COUNTS = {name: 0 for name in TABLES} | {
    "opportunities": 25,
    "products": 20,
    "opportunity_products": 150,
    "users": 3,
}
CHILD_OPTIONS = [
    {},
    {"orderby": "edited desc,id desc", "top": "2"},
    {"filter": "quantity gt 5", "orderby": "name", "skip": "1"},
    {"select": "id,quantity", "orderby": "edited,id"},
    {"filter": "edited ge 2018-01-01 and edited le 2099-01-01", "orderby": "edited asc,id asc", "top": "3"},
]


def children(store, parent, **options):
    """GET /api/opportunities/{parent}/products as the endpoint answers it (from the parent index)."""
    table = TABLES["opportunity_products"]
    query = parse_query([("$" + k, v) for k, v in options.items()], table.definition, table.id_type)
    return orjson.loads(bytes(store.tables["opportunity_products"].query(query, query.top, parent.strip("{}").lower())))


def children_by_scan(store, parent, **options):
    """The same page from a scan of the whole table, the parent as an ordinary filter condition."""
    condition = f"opportunityID eq {parent}"
    options = dict(options, filter=f"{condition} and ({options['filter']})" if "filter" in options else condition)
    return page(store, "opportunity_products", **options)


def assert_children_right(store):
    """Every opportunity's children (and a deleted or unknown one's) are exactly the records linking to it, in index
    order; OData options apply to the child list the way they apply to the whole table."""
    data = store.tables["opportunity_products"]
    expected: dict = {}
    for blob in data.blobs:  # served form, grouped by the real parent
        expected.setdefault(orjson.loads(clean(blob))["opportunityID"].lower(), []).append(served_record(blob))
    parents = {r["id"] for r in store.tables["opportunities"].records()} | set(expected)
    parents.add("00000000-0000-4000-8000-000000000000")  # no such opportunity: no children
    for parent in parents:
        assert children(store, parent) == expected.get(parent.lower(), []), parent
    busiest = sorted(expected, key=lambda parent: -len(expected[parent]))[:4]
    for parent in busiest + ["00000000-0000-4000-8000-000000000000"]:
        for options in CHILD_OPTIONS:
            assert children(store, parent, **options) == children_by_scan(store, parent, **options), (parent, options)


def test_parent_index_follows_mutations():
    store = Database(seed=5, counts=CHILD_COUNTS)
    assert_children_right(store)
    assert max(len(children(store, r["id"])) for r in store.tables["opportunities"].records()) > 3
    store.mutate("opportunity_products", edit=30, insert=20, delete=15)
    assert_children_right(store)
    store.mutate("opportunities", edit=10, insert=3, delete=5)
    assert_children_right(store)
    data = store.tables["opportunity_products"]
    moved = next(data.records())  # an edit that moves a child to another opportunity
    target = next(r["id"] for r in store.tables["opportunities"].records() if r["id"] != moved["opportunityID"])
    data.put(dict(moved, opportunityID=target.upper()))
    assert moved["id"] in [r["id"] for r in children(store, target)]
    assert moved["id"] not in [r["id"] for r in children(store, moved["opportunityID"])]
    store.mutate("opportunity_products", delete=1, ids=[moved["id"]])
    store.corrupt("opportunity_products", "missing-id", 2)  # served without their id, still under their parent
    assert_children_right(store)
    store.reset(5, CHILD_COUNTS)
    assert_children_right(store)


def test_id_ordered_walk_matches_a_full_sort_and_follows_mutations():
    """`id gt K` ordered by id (the delete check's walk) is served from the id order, and answers exactly what
    sorting the whole table would, before and after edits, inserts and deletes."""
    store = Database(seed=5, counts={"contacts": 300})
    data = store.tables["contacts"]

    def walk(page_size: int) -> list[str]:
        seen, after = [], None
        while True:
            params = [("$orderby", "id asc"), ("$top", str(page_size)), ("$select", "id,created")]
            if after:
                params.append(("$filter", f"id gt {after}"))
            query = parse_query(params, data.table.definition, data.table.id_type)
            result = data.query(query, page_size)
            page = orjson.loads(result if isinstance(result, bytes) else bytes(result))
            if not page:
                return seen
            seen += [r["id"] for r in page]
            after = page[-1]["id"]

    def expected() -> list[str]:
        return sorted((r["id"] for r in data.records()), key=guid_sort_key)

    assert walk(37) == expected()
    store.mutate("contacts", edit=20, insert=15, delete=12)
    assert walk(50) == expected()


def test_mass_delete_hide_and_id_format_keep_the_index_consistent():
    """A mass delete (one pass over the index), hidden and unhidden records and a change of id form leave keyset
    walks, id walks and product lines equal to what sorting the records would give."""
    store = Database(seed=8, counts=dict(CHILD_COUNTS, contacts=400))
    data = store.tables["contacts"]
    deleted = store.mutate("contacts", delete=150).deleted
    assert len(deleted) == 150 and set(deleted).isdisjoint(r["id"] for r in data.records())
    hidden = store.hide("contacts", count=20)
    store.hide("opportunity_products", count=10)
    for _ in range(2):
        expected = truth(store, "contacts")
        assert len(expected) == 400 - 150 - 20
        assert [r["id"] for r in keyset_walk(store, "contacts", "2099-01-01", 33)] == [r["id"] for r in expected]
        by_id = page(store, "contacts", orderby="id asc")
        assert [r["id"] for r in by_id] == sorted((r["id"] for r in expected), key=guid_sort_key)
        assert_children_right(store)
        store.set_id_format("braced")
    assert all(r["id"].startswith("{") for r in data.records())
    assert store.unhide("contacts") == ["{" + i + "}" for i in hidden]
    store.set_id_format("lower")
    assert len(truth(store, "contacts")) == 250
    assert [r["id"] for r in keyset_walk(store, "contacts", "2099-01-01", 33)] == [
        r["id"] for r in truth(store, "contacts")
    ]
