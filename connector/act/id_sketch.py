"""A fixed-size sketch of a set of record ids that can list the difference between two such sets.

It is an invertible Bloom lookup table (Goodrich & Mitzenmacher): each id is XOR-ed into three cells along with a
checksum and a count. Subtracting the sketch of today's ids from the sketch saved at the last reconciliation leaves
only the ids that differ, which "peeling" recovers exactly, as long as there are fewer of them than about two
thirds of the cells. This is how deletes are found while the state stays a few KB for a table of any size.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import uuid

CELLS = 150  # decodes up to ~100 ids of difference per delete check, per table
HASHES = 3
ID_BITS = 136  # a GUID's 128 bits and, above them, how the server writes it (case, braces)
KEY_BYTES = 17  # one id; a link (parent id, linked id) is 34
LINK_KEY_BYTES = 34
HASHED_CELLS = CELLS - CELLS % HASHES
_GUID_MASK = (1 << 128) - 1
_UPPER, _BRACED = 1, 2
_HEAD = struct.Struct("<iQ")  # count, checksum; the key's bytes follow


_DIGEST = struct.Struct("<IIIQ")  # three cell choices, then the checksum
_blake2b = hashlib.blake2b  # looked up once: `_hashes` runs for every record a walk reads


def hash_key(key: int) -> tuple[list[int], int]:
    """What `IdSketch.add` computes for a key in a sketch of HASHED_CELLS cells, to add it to several at once."""
    return _hashes(key, HASHED_CELLS)


def _hashes(key: int, cells: int) -> tuple[list[int], int]:
    """The id's HASHES cells (one in each third of the table, so never twice in one cell) and its checksum."""
    first, second, third, check = _DIGEST.unpack(_blake2b(key.to_bytes(40, "little"), digest_size=20).digest())
    part = cells // HASHES
    return [first % part, part + second % part, 2 * part + third % part], check


_CANONICAL_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def id_to_key(record_id: object) -> int | None:
    """A GUID id as a number that also records how the server wrote it (lower or upper case, braced or not), so
    that a delete names the row by exactly the key it was upserted with. None for anything else (mixed case, not
    a GUID): such a table's deletes cannot be listed from a sketch, and it is read whole instead."""
    if type(record_id) is not str:
        return None
    if _CANONICAL_GUID.fullmatch(record_id):  # how Act! writes ids: the key is the GUID's number alone
        return int(record_id.replace("-", ""), 16)
    braced = len(record_id) == 38 and record_id[0] == "{" and record_id[-1] == "}"
    text = record_id[1:-1] if braced else record_id
    lower = text.lower()
    if not _CANONICAL_GUID.fullmatch(lower) or (text != lower and text != text.upper()):
        return None
    return int(lower.replace("-", ""), 16) | (((_UPPER if text != lower else 0) | (_BRACED if braced else 0)) << 128)


def key_to_id(key: int) -> str:
    """The id exactly as the server wrote it."""
    text = str(uuid.UUID(int=key & _GUID_MASK))
    form = key >> 128
    if form & _UPPER:
        text = text.upper()
    return "{" + text + "}" if form & _BRACED else text


def link_to_key(parent_id: object, linked_id: object) -> int | None:
    """A (parent, linked record) pair of GUIDs as one key."""
    parent, linked = id_to_key(parent_id), id_to_key(linked_id)
    return None if parent is None or linked is None else parent << ID_BITS | linked


def key_to_link(key: int) -> tuple[str, str]:
    return key_to_id(key >> ID_BITS), key_to_id(key & ((1 << ID_BITS) - 1))


class IdSketch:
    def __init__(self, cells: int = CELLS, key_bytes: int = KEY_BYTES) -> None:
        self.key_bytes = key_bytes
        self.cells = cells - cells % HASHES
        self.count = [0] * self.cells
        self.keys = [0] * self.cells
        self.sums = [0] * self.cells

    def add(self, key: int, sign: int = 1, hashed: tuple[list[int], int] | None = None) -> None:
        """Adds `key`; `hashed` is its `hash_key()` when the caller already has it (used only by a sketch of
        HASHED_CELLS cells: one of another size, loaded from an older state, hashes for itself)."""
        cells, check = hashed if hashed and self.cells == HASHED_CELLS else _hashes(key, self.cells)
        for cell in cells:
            self.count[cell] += sign
            self.keys[cell] ^= key
            self.sums[cell] ^= check

    def subtract(self, other: IdSketch) -> IdSketch:
        diff = IdSketch(self.cells, self.key_bytes)
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
        """Text for the state: the key width, then each cell's count, checksum and key."""
        packed = bytes([self.key_bytes]) + b"".join(
            _HEAD.pack(c, s) + k.to_bytes(self.key_bytes, "little") for c, k, s in zip(self.count, self.keys, self.sums)
        )
        return base64.b64encode(packed).decode("ascii")

    @classmethod
    def loads(cls, text: str) -> IdSketch:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        key_bytes = raw[0] if raw else 0
        size = _HEAD.size + key_bytes
        body = raw[1:]
        if key_bytes not in (KEY_BYTES, LINK_KEY_BYTES) or len(body) % size or len(body) // size % HASHES:
            raise ValueError("not an id sketch")
        sketch = cls(len(body) // size, key_bytes)
        for i in range(sketch.cells):
            c, s = _HEAD.unpack_from(body, i * size)
            start = i * size + _HEAD.size
            sketch.count[i], sketch.sums[i] = c, s
            sketch.keys[i] = int.from_bytes(body[start : start + key_bytes], "little")
        return sketch
