"""A fixed-size sketch of a set of record ids that can list the difference between two such sets.

It is an invertible Bloom lookup table (Goodrich & Mitzenmacher): each id is XOR-ed into three cells along with a
checksum and a count. Subtracting the sketch of today's ids from the sketch saved at the last reconciliation leaves
only the ids that differ, which "peeling" recovers exactly, as long as there are fewer of them than about two
thirds of the cells. This is how deletes are found while the state stays a few KB for a table of any size.
"""
from __future__ import annotations

import base64
import hashlib
import struct
import uuid

CELLS = 150          # decodes up to ~100 ids of difference per reconciliation, per table
HASHES = 3
_CELL = struct.Struct("<iQQQ")  # count, key (low 64, high 64 bits), checksum


def _hashes(key: int, cells: int) -> tuple[list[int], int]:
    """The id's HASHES cells (one in each third of the table, so never twice in one cell) and its checksum."""
    digest = hashlib.blake2b(key.to_bytes(16, "little"), digest_size=20).digest()
    part = cells // HASHES
    return ([i * part + int.from_bytes(digest[4 * i:4 * i + 4], "little") % part for i in range(HASHES)],
            int.from_bytes(digest[12:20], "little"))


def id_to_key(record_id) -> int | None:
    """A GUID as its 128-bit number; None for ids that are not GUIDs (those tables are not sketched)."""
    try:
        return uuid.UUID(str(record_id)).int
    except ValueError:
        return None


def key_to_id(key: int) -> str:
    return str(uuid.UUID(int=key))


class IdSketch:
    def __init__(self, cells: int = CELLS) -> None:
        self.cells = cells - cells % HASHES
        self.count = [0] * self.cells
        self.keys = [0] * self.cells
        self.sums = [0] * self.cells

    def add(self, key: int, sign: int = 1) -> None:
        cells, check = _hashes(key, self.cells)
        for cell in cells:
            self.count[cell] += sign
            self.keys[cell] ^= key
            self.sums[cell] ^= check

    def subtract(self, other: "IdSketch") -> "IdSketch":
        diff = IdSketch(self.cells)
        diff.count = [a - b for a, b in zip(self.count, other.count)]
        diff.keys = [a ^ b for a, b in zip(self.keys, other.keys)]
        diff.sums = [a ^ b for a, b in zip(self.sums, other.sums)]
        return diff

    def peel(self) -> tuple[set[int], set[int]] | None:
        """(keys only in self, keys only in the subtracted sketch), or None if the difference is too large to list."""
        only_self: set[int] = set()
        only_other: set[int] = set()
        count, keys, sums = list(self.count), list(self.keys), list(self.sums)
        pending = [i for i in range(self.cells) if count[i] in (1, -1)]
        while pending:
            cell = pending.pop()
            if count[cell] not in (1, -1):
                continue
            key, sign = keys[cell], count[cell]
            cells, check = _hashes(key, self.cells)
            if sums[cell] != check:
                continue
            (only_self if sign == 1 else only_other).add(key)
            for other in cells:
                count[other] -= sign
                keys[other] ^= key
                sums[other] ^= check
                if count[other] in (1, -1):
                    pending.append(other)
        if any(count) or any(keys) or any(sums):
            return None
        return only_self, only_other

    def dumps(self) -> str:
        packed = b"".join(_CELL.pack(c, k & (2**64 - 1), k >> 64, s) for c, k, s in zip(self.count, self.keys, self.sums))
        return base64.b64encode(packed).decode("ascii")

    @classmethod
    def loads(cls, text: str) -> "IdSketch":
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        if len(raw) % _CELL.size or len(raw) // _CELL.size % HASHES:
            raise ValueError("not an id sketch")
        sketch = cls(len(raw) // _CELL.size)
        for i in range(sketch.cells):
            c, low, high, s = _CELL.unpack_from(raw, i * _CELL.size)
            sketch.count[i], sketch.keys[i], sketch.sums[i] = c, low | (high << 64), s
        return sketch
