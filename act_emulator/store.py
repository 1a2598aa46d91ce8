"""One table's records as the emulator serves them: pre-serialised JSON, indexed for the connector's keyset pages.

Each table keeps two parallel lists sorted by its index key - `(cursor ticks, SQL Server GUID key)` for tables with
a last-edited cursor, `(0, id key)` for the others - and the orjson bytes of each record. The connector's page
`(edited gt T or (edited eq T and id gt K)) and edited le U order by edited, id` is two bisects and one join of
bytes, so its cost does not grow with the position in the table. Any other query decodes and scans (fine on small
tables). Mutations move records in the index so it stays consistent. Child tables (opportunity products) also keep
parent id -> child ids, so /api/opportunities/{id}/products costs O(children), not a scan. A corrupted record
(control API) is a `ServedBlob`: the bad bytes it is served as, carrying the real record's bytes, which the index,
filters, snapshots and edits use (see corruption.py).
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator

import orjson

from . import corruption, idformat
from .corruption import ServedBlob, clean, served_record
from .dotnet_time import parse_ticks
from .odata import AndNode, CmpNode, OrNode, Query
from .parents import ParentIndex
from .sqlorder import MAX_GUID_KEY, MIN_GUID_KEY, guid_sort_key
from .tables import EmulatedTable

PARENT_LINK = {"opportunities": "opportunityID"}  # child record property naming its parent record
NO_CURSOR = -1  # index ticks of a record whose cursor is null (sorts first)


_DAY_TICKS: dict[str, int] = {}


def cursor_ticks(text: str) -> int:
    """parse_ticks, faster for the `yyyy-mm-ddThh:mm:ss[.f]Z` the store writes (loading a million records)."""
    if len(text) >= 20 and text[10] == "T" and text[-1] == "Z" and text[13] == ":" and text[16] == ":":
        day = _DAY_TICKS.get(text[:10])
        if day is None:
            day = _DAY_TICKS[text[:10]] = parse_ticks(text[:10])
        try:
            ticks = day + (int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])) * 10_000_000
            if len(text) > 20:
                if text[19] != "." or len(text) > 28:
                    raise ValueError
                ticks += int(text[20:-1].ljust(7, "0"))
            return ticks
        except ValueError:
            pass
    return parse_ticks(text)


def normalise_id(table: EmulatedTable, value) -> object:
    """The dictionary key of an id: lower-case GUID text, or an int. ValueError when it cannot be one."""
    if table.id_type == "int":
        return int(value)
    text = str(value).strip("{}").lower()
    guid_sort_key(text)
    return text


def serialise(record: dict) -> bytes:
    """orjson bytes of a record, copied to an exact-size object: orjson's own result keeps its over-allocated
    write buffer (~32 KiB for a 2.4 KB contact), which would multiply the memory of a million records."""
    return bytes(memoryview(orjson.dumps(record)))


class JsonArray:
    """A JSON array body still in pieces (each record's bytes): sent in chunks joined on the fly, so a 25 MB page
    is never copied into one buffer and its first bytes leave before the last are joined."""

    __slots__ = ("length", "parts")

    def __init__(self, parts: list):
        self.parts = parts
        self.length = 2 + sum(map(len, parts)) + max(0, len(parts) - 1)

    def chunks(self, size: int) -> Iterator[bytes]:
        parts, n = self.parts, len(self.parts)
        if not n:
            yield b"[]"
            return
        i, opener = 0, b"["
        while i < n:
            j, total = i, 0
            while j < n and total < size:
                total += len(parts[j]) + 1
                j += 1
            yield opener + b",".join(parts[i:j]) + (b"]" if j == n else b"")
            opener, i = b",", j

    def __bytes__(self) -> bytes:
        return b"[" + b",".join(self.parts) + b"]"


class TableData:
    """One table: sorted index keys, record bytes in the same order, and id -> key for updates."""

    def __init__(self, table: EmulatedTable, id_format: str = "lower"):
        self.table = table
        self.keys: list[tuple] = []
        self.blobs: list[bytes] = []
        self.key_of: dict[object, tuple] = {}
        self.id_order: list[tuple] = []  # (id key, norm id), sorted: the primary-key index a real server walks
        self.deleted_ids: list = []
        self.corrupted: dict[object, str] = {}  # norm id -> corruption kind, sticky across edits
        self.hidden: dict[object, bytes] = {}  # norm id -> bytes of a record kept but not served (private)
        self.id_format = id_format
        link = PARENT_LINK.get(table.parent or "")
        self.parents = ParentIndex(link) if link else None
        self.min_key = (NO_CURSOR, -float("inf")) if table.id_type == "int" else (NO_CURSOR, MIN_GUID_KEY)
        self.max_id = float("inf") if table.id_type == "int" else MAX_GUID_KEY
        self.min_id = -float("inf") if table.id_type == "int" else MIN_GUID_KEY

    def __len__(self) -> int:
        return len(self.keys)

    def id_key(self, value):
        return int(value) if self.table.id_type == "int" else guid_sort_key(str(value))

    def key_for(self, record: dict) -> tuple:
        id_key = self.id_key(record["id"])
        cursor = self.table.cursor_field
        if cursor is None:
            return (0, id_key)
        value = record.get(cursor)
        return (cursor_ticks(value) if value else NO_CURSOR, id_key)

    def load(self, records: Iterator[dict]) -> None:
        pairs = []
        ids = []
        is_int = self.table.id_type == "int"
        gc.disable()  # a million small objects: the cyclic GC would rescan them over and over
        try:
            for record in records:
                key = self.key_for(record)
                pairs.append((key, self.in_id_format(serialise(record))))
                norm = record["id"] if is_int else record["id"].lower()
                self.key_of[norm] = key
                ids.append((key[1], norm))
                if self.parents is not None:
                    self.parents.add(norm, record)
            pairs.sort(key=lambda pair: pair[0])
            ids.sort()
        finally:
            gc.enable()
        self.keys = [pair[0] for pair in pairs]
        self.blobs = [pair[1] for pair in pairs]
        self.id_order = ids

    def position(self, norm_id) -> int | None:
        key = self.key_of.get(norm_id)
        if key is None:
            return None
        return bisect_left(self.keys, key)

    def get_blob(self, norm_id) -> bytes | None:
        """The bytes served for a record (corrupted ones included); None when absent."""
        pos = self.position(norm_id)
        return None if pos is None else self.blobs[pos]

    def get_record(self, norm_id) -> dict | None:
        """The real record (its truth, even when it is served corrupted); None when absent."""
        blob = self.get_blob(norm_id)
        return None if blob is None else orjson.loads(clean(blob))

    def in_id_format(self, blob: bytes) -> bytes:
        """The bytes as served: GUIDs in the server's id format (records are built with lower-case ids)."""
        return blob if self.id_format == "lower" else idformat.render(blob, self.id_format)

    def blob_for(self, record: dict, kind: str | None) -> tuple[bytes, dict, list[str]]:
        """(the bytes to serve, the record's truth, the properties spoiled) for `record` corrupted by `kind` (or
        not, when None)."""
        if kind is None:
            return self.in_id_format(serialise(record)), record, []
        record, served, spoiled = corruption.apply(self.table, kind, record)
        blob = ServedBlob(self.in_id_format(served))
        blob.clean, blob.kind = self.in_id_format(serialise(record)), kind
        return blob, record, spoiled

    def put(self, record: dict, kind: str | None = None) -> list[str]:
        """Insert or replace a record; served corrupted by `kind`, or by the kind it already has (corruption
        sticks until the record is deleted). Returns the properties the corruption spoiled."""
        norm = normalise_id(self.table, record["id"])
        self.remove(norm, tombstone=False)
        kind = kind or self.corrupted.get(norm)
        blob, record, spoiled = self.blob_for(record, kind)
        if kind is not None:
            self.corrupted[norm] = kind
        self.insert_blob(norm, blob, record)
        return spoiled

    def insert_blob(self, norm, blob: bytes, record: dict) -> None:
        """Place a record's bytes in the index (at the key its real values give)."""
        key = self.key_for(record)
        pos = bisect_left(self.keys, key)
        self.keys.insert(pos, key)
        self.blobs.insert(pos, blob)
        insort(self.id_order, (key[1], norm))
        self.key_of[norm] = key
        if self.parents is not None:
            self.parents.add(norm, record)

    def remove(self, norm_id, tombstone: bool = True) -> bool:
        pos = self.position(norm_id)
        if pos is None:
            return False
        del self.keys[pos]
        del self.blobs[pos]
        del self.id_order[bisect_left(self.id_order, (self.key_of[norm_id][1], norm_id))]
        del self.key_of[norm_id]
        if self.parents is not None:
            self.parents.discard(norm_id)
        if tombstone:
            self.deleted_ids.append(norm_id)
            self.corrupted.pop(norm_id, None)
        return True

    def remove_many(self, norm_ids: list) -> list:
        """Delete many records in one pass over the index (a mass delete of thousands of records would otherwise
        shift the index lists once per record). Returns the ids that were present."""
        present = [norm for norm in dict.fromkeys(norm_ids) if norm in self.key_of]
        if len(present) <= 16:
            return [norm for norm in present if self.remove(norm)]
        gone_keys = {self.key_of[norm] for norm in present}
        gone = set(present)
        kept = [(key, blob) for key, blob in zip(self.keys, self.blobs) if key not in gone_keys]
        self.keys = [key for key, _ in kept]
        self.blobs = [blob for _, blob in kept]
        self.id_order = [pair for pair in self.id_order if pair[1] not in gone]
        for norm in present:
            del self.key_of[norm]
            if self.parents is not None:
                self.parents.discard(norm)
            self.corrupted.pop(norm, None)
        self.deleted_ids.extend(present)
        return present

    def hide(self, norm_id) -> bool:
        """Stop serving a record without deleting it (Act! private records: the API user may not see them)."""
        blob = self.get_blob(norm_id)
        if blob is None:
            return False
        self.remove(norm_id, tombstone=False)
        self.hidden[norm_id] = blob
        return True

    def unhide(self, norm_id) -> bool:
        """Serve a hidden record again, exactly as it was (its cursor stamp unchanged)."""
        blob = self.hidden.pop(norm_id, None)
        if blob is None:
            return False
        self.insert_blob(norm_id, blob, orjson.loads(clean(blob)))
        return True

    def rewrite(self, change) -> int:
        """Apply `change(record) -> record or None` to every record (hidden ones too) without moving any in the
        index: for schema changes that touch content but not the cursor. Returns how many changed."""
        changed = 0
        for pos, blob in enumerate(self.blobs):
            new = change(orjson.loads(clean(blob)))
            if new is not None:
                self.blobs[pos] = self.blob_for(new, getattr(blob, "kind", None))[0]
                changed += 1
        for norm, blob in self.hidden.items():
            new = change(orjson.loads(clean(blob)))
            if new is not None:
                self.hidden[norm] = self.blob_for(new, getattr(blob, "kind", None))[0]
                changed += 1
        return changed

    def set_id_format(self, id_format: str) -> None:
        """Serve every GUID in `id_format` from now on (re-rendering the stored bytes once)."""
        self.id_format = id_format

        def again(blob):
            if type(blob) is ServedBlob:
                new = ServedBlob(idformat.render(blob, id_format))
                new.clean, new.kind = idformat.render(blob.clean, id_format), blob.kind
                return new
            return idformat.render(blob, id_format)

        self.blobs = [again(blob) for blob in self.blobs]
        self.hidden = {norm: again(blob) for norm, blob in self.hidden.items()}

    def served_id(self, norm_id):
        """An id as the server writes it now."""
        return idformat.format_id(norm_id, self.id_format)

    def subset_blobs(self, norms, lo: int, hi: int) -> list:
        """Blobs of the records `norms` (those served: absent and hidden ones are skipped) within positions
        [lo, hi), in index order: O(len(norms) * log n)."""
        keys, key_of = self.keys, self.key_of
        positions = sorted(bisect_left(keys, key_of[norm]) for norm in norms if norm in key_of)
        return [self.blobs[pos] for pos in positions if lo <= pos < hi]

    def max_cursor(self) -> int:
        return max((key[0] for key in self.keys[-1:]), default=NO_CURSOR)

    # ----------------------------------------------------------------------------------------------- querying
    def index_range(self, query: Query) -> tuple[int, int, list]:
        """[lo, hi) positions the filter's index conditions allow, and the conditions left to evaluate."""
        lo, hi = 0, len(self.keys)
        residual: list = []
        node = query.filter
        conjuncts = [] if node is None else (node.children if isinstance(node, AndNode) else [node])
        for conjunct in conjuncts:
            bounds = self.bounds(conjunct)
            if bounds is None:
                residual.append(conjunct)
            else:
                lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
        return lo, max(lo, hi), residual

    def bounds(self, node) -> tuple[int, int] | None:
        """Positions for one index-shaped condition, None when it is not one."""
        cursor = self.table.cursor_field
        keys = self.keys
        n = len(keys)
        if isinstance(node, CmpNode) and node.keys is not None and len(node.keys) == 1:
            field_name, op, value = node.keys[0], node.op, node.value
            if cursor is not None and field_name == cursor and node.domain == "datetime":
                low, high = (value, self.min_id), (value, self.max_id)
            elif cursor is None and field_name == "id" and node.domain in ("guid", "number"):
                if node.domain == "number" and (self.table.id_type != "int" or not isinstance(value, int)):
                    return None
                low, high = (0, value), (0, value)
            else:
                return None
            floor = bisect_left(keys, (0, self.min_id))  # null cursors never satisfy a comparison
            if op == "gt":
                return bisect_right(keys, high), n
            if op == "ge":
                return bisect_left(keys, low), n
            if op == "lt":
                return floor, bisect_left(keys, low)
            if op == "le":
                return floor, bisect_right(keys, high)
            if op == "eq":
                return bisect_left(keys, low), bisect_right(keys, high)
            return None
        if cursor is not None and isinstance(node, OrNode) and len(node.children) == 2:
            return self.keyset_bounds(node.children)
        return None

    def keyset_bounds(self, children: list) -> tuple[int, int] | None:
        """`cursor gt T or (cursor eq T and id gt|ge K)` -> positions after (T, K)."""
        cursor = self.table.cursor_field
        for first, second in (children, children[::-1]):
            if not (
                isinstance(first, CmpNode)
                and first.op == "gt"
                and first.keys == (cursor,)
                and first.domain == "datetime"
            ):
                continue
            if not (isinstance(second, AndNode) and len(second.children) == 2):
                continue
            eq = next(
                (
                    c
                    for c in second.children
                    if isinstance(c, CmpNode) and c.op == "eq" and c.keys == (cursor,) and c.domain == "datetime"
                ),
                None,
            )
            after = next(
                (
                    c
                    for c in second.children
                    if isinstance(c, CmpNode) and c.op in ("gt", "ge") and c.keys == ("id",) and c.domain == "guid"
                ),
                None,
            )
            if eq is None or after is None or eq.value != first.value:
                continue
            key = (first.value, after.value)
            start = bisect_right(self.keys, key) if after.op == "gt" else bisect_left(self.keys, key)
            return start, len(self.keys)
        return None

    def index_order(self, query: Query) -> bool | None:
        """True/False when $orderby is the index order ascending/descending (or absent), None otherwise."""
        wanted = [("id",)] if self.table.cursor_field is None else [(self.table.cursor_field,), ("id",)]
        orders = query.orderby
        if not orders:
            return True
        keys = [order.keys for order in orders]
        if keys != wanted[: len(keys)] and not (len(keys) > len(wanted) and keys[: len(wanted)] == wanted):
            return None
        directions = {order.desc for order in orders[: len(wanted)]}
        if len(directions) != 1:
            return None
        return not directions.pop()

    def id_walk(self, query: Query, limit: int | None, members=None) -> JsonArray | bytes | None:
        """`[id gt|ge K] $orderby=id asc` on a table indexed by cursor, from the id order (as SQL Server walks its
        primary key) instead of a scan and sort per page; None when the query has another shape. `members`: walk
        only these records (an associated-* list), in their own id order."""
        orders = query.orderby
        if (
            self.table.cursor_field is None
            or query.skip
            or len(orders) != 1
            or orders[0].keys != ("id",)
            or orders[0].desc
        ):
            return None
        id_order = self.id_order
        if members is not None:
            key_of = self.key_of
            id_order = sorted((key_of[norm][1], norm) for norm in members if norm in key_of)
        node, start = query.filter, 0
        if node is not None:
            if not (
                isinstance(node, CmpNode) and node.keys == ("id",) and node.domain == "guid" and node.op in ("gt", "ge")
            ):
                return None
            bound = (node.value, chr(0x10FFFF)) if node.op == "gt" else (node.value, "")
            start = bisect_right(id_order, bound) if node.op == "gt" else bisect_left(id_order, bound)
        chosen = id_order[start:] if limit is None else id_order[start : start + limit]
        blobs = [self.get_blob(norm) for _, norm in chosen]
        if query.select is None:
            return JsonArray(blobs)
        return self.render([(orjson.loads(clean(blob)), blob) for blob in blobs], query)

    def query(self, query: Query, limit: int | None, parent_id=None, members=None) -> JsonArray | bytes:
        """The JSON array answering `query`; `limit` is the page cap (min of $top and --max-page-size).
        `parent_id`: only that parent's children (parent index); `members`: only these records (ids of an
        associated-* list, from a relation)."""
        if parent_id is None:
            walked = self.id_walk(query, limit, members)
            if walked is not None:
                return walked
        lo, hi, residual = self.index_range(query)
        blobs = self.blobs
        if parent_id is not None:  # only the parent's children, from the parent index
            members = self.parents.of(parent_id)
        if members is not None:
            blobs = self.subset_blobs(members, lo, hi)
            lo, hi = 0, len(blobs)
        ascending = self.index_order(query)
        skip = query.skip
        if ascending is not None and not residual and query.select is None:
            if ascending:
                start = min(lo + skip, hi)
                end = hi if limit is None else min(hi, start + limit)
                return JsonArray(blobs[start:end])
            end = max(hi - skip, lo)
            start = lo if limit is None else max(lo, end - limit)
            return JsonArray(blobs[start:end][::-1])
        if ascending is not None:
            positions = range(lo, hi) if ascending else range(hi - 1, lo - 1, -1)
            out = []
            wanted = None if limit is None else skip + limit
            for pos in positions:
                record = orjson.loads(clean(blobs[pos]))  # filters see the real values, as SQL Server would
                if all(node.eval(record) is True for node in residual):
                    out.append((record, blobs[pos]))
                    if wanted is not None and len(out) >= wanted:
                        break
            return self.render(out[skip:], query)
        items = []
        for pos in range(lo, hi):
            record = orjson.loads(clean(blobs[pos]))
            if all(node.eval(record) is True for node in residual):
                items.append((record, blobs[pos]))
        query.sort(items, lambda item: item[0])
        items = items[skip:] if limit is None else items[skip : skip + limit]
        return self.render(items, query)

    @staticmethod
    def render(items: list, query: Query) -> JsonArray | bytes:
        if query.select is None:
            return JsonArray([blob for _, blob in items])
        return orjson.dumps(
            [query.project(served_record(blob) if type(blob) is ServedBlob else record) for record, blob in items]
        )

    def records(self) -> Iterator[dict]:
        """The real records in index order (corrupted ones as they truly are)."""
        for blob in self.blobs:
            yield orjson.loads(clean(blob))
