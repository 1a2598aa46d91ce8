"""The indexed store in-process: keyset pages from the index equal a brute-force SQL-ordered scan, before and
after mutations (edits move records, inserts and deletes keep the index consistent)."""
import orjson
import pytest

from act_emulator.dotnet_time import format_ticks, parse_ticks
from act_emulator.odata import parse_query
from act_emulator.sqlorder import guid_sort_key
from act_emulator.store import Store
from act_emulator.tables import TABLES

COUNTS = {name: 0 for name in TABLES} | {"contacts": 1500, "activity_types": 12, "users": 5, "companies": 20}


@pytest.fixture(scope="module")
def store():
    return Store(seed=7, counts=COUNTS)


def page(store, table, **options):
    query = parse_query([("$" + k, v) for k, v in options.items()], TABLES[table].definition,
                        TABLES[table].id_type)
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
        out = page(store, table, filter=f"({cursor} gt {t} or ({cursor} eq {t} and id gt {k})) and {cursor} le {upper}",
                   orderby=f"{cursor} asc,id asc", top=str(size))
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
    hot = page(store, "contacts", filter=f"(edited gt {t} or (edited eq {t} and id gt {k})) and edited le 2099-01-01",
               orderby="edited asc,id asc", top="50")
    scanned = page(store, "contacts", filter=f"(edited gt {t} or (edited eq {t} and id gt '{k}')) and "
                   "edited le 2099-01-01 and not (firstName eq 'no such name')", orderby="edited,id", top="50")
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
    store = Store(seed=3, counts=COUNTS)
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
