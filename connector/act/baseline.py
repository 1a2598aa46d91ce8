"""What a walk of a table's ids leaves for the next delete check: fixed-size sketches (id_sketch.py) of the ids,
and of the (parent, linked) pairs of each link table, of the records created by a cut-off stamp.

Both sides of a comparison use the same cut-off: the saved walk kept the records created by its cut-off, and the
next walk sketches again exactly the records created by that same cut-off (and, for the walk after it, by its own
new one). So a record created near a walk's end, even with a `created` stamp from a clock running ahead, is on
both sides or on neither, and never looks deleted. What differs is then only what was deleted (or came back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .id_sketch import LINK_KEY_BYTES, IdSketch, hash_key, id_to_key, key_to_id, key_to_link, link_to_key
from .tables import LinkSpec
from .timestamps import parse_utc_naive
from .typed_records import RECORD_TYPES, Record

if TYPE_CHECKING:
    from collections.abc import Iterable


def _created_stamp(value: object) -> datetime | None:
    """A record's creation stamp, or None when it has none or it is unreadable (it then counts as created by any
    cut-off)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_utc_naive(value)
    except ValueError:
        return None


class Baseline:
    """The sketches of one walk; `unkeyable` counts ids a sketch cannot hold (not GUIDs), whose deletes only a full
    re-read can find."""

    def __init__(self, cutoff: str | None, created_field: str | None, links: list[LinkSpec]) -> None:
        self.cutoff = cutoff
        self._cutoff = parse_utc_naive(cutoff) if cutoff else None  # naive UTC, as stamps are read
        self._created_field = created_field
        self.links = links
        self.ids = IdSketch()
        self.link_ids = {link.table: IdSketch(key_bytes=LINK_KEY_BYTES) for link in links}
        self.count = 0
        self.unkeyable = 0

    def dumps(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff,
            "ids": self.ids.dumps(),
            "links": {table: sketch.dumps() for table, sketch in self.link_ids.items()},
            "count": self.count,
            "unkeyable": self.unkeyable,
        }

    @classmethod
    def loads(cls, saved: dict[str, Any], created_field: str | None, links: list[LinkSpec]) -> Baseline:
        """A saved walk; link tables it did not sketch are left out (they are not compared)."""
        kept = [link for link in links if link.table in (saved.get("links") or {})]
        baseline = cls(saved.get("cutoff"), created_field, kept)
        baseline.ids = IdSketch.loads(saved["ids"])
        baseline.link_ids = {link.table: IdSketch.loads(saved["links"][link.table]) for link in kept}
        baseline.count = int(saved.get("count", 0))
        baseline.unkeyable = int(saved.get("unkeyable", 0))
        return baseline


def sketch_records(records: Iterable[Any], baselines: list[Baseline]) -> None:
    """Adds records to each of `baselines` (a delete check keeps two, one per cut-off), reading, parsing and hashing
    each record's id, creation stamp and links once whatever their number."""
    if not baselines:
        return
    created_field = baselines[0]._created_field
    tables = {link.table: link for baseline in baselines for link in baseline.links}
    for record in records:
        if not isinstance(record, RECORD_TYPES):
            continue
        key = id_to_key(record.get("id"))
        if key is None:
            for baseline in baselines:
                baseline.unkeyable += 1
            continue
        hashed = hash_key(key)
        stamp = _created_stamp(record.get(created_field)) if created_field else None
        pairs = {table: _link_keys(record, link) for table, link in tables.items()} if tables else {}
        for baseline in baselines:
            baseline.count += 1
            if stamp is not None and baseline._cutoff is not None and stamp > baseline._cutoff:
                continue  # created after the cut-off (a record without a readable stamp counts as before)
            baseline.ids.add(key, hashed=hashed)
            if not pairs:
                continue
            for link in baseline.links:
                keys, unkeyable = pairs[link.table]
                baseline.unkeyable += unkeyable
                sketch = baseline.link_ids[link.table]
                for pair, pair_hashed in keys:
                    sketch.add(pair, hashed=pair_hashed)


def _link_keys(record: Record, link: LinkSpec) -> tuple[list[tuple[int, tuple[list[int], int]]], int]:
    """The record's (parent, linked) keys for one link table with their hashes, and how many cannot be keyed."""
    items = record.get(link.array_field)
    if not isinstance(items, list):
        return [], 0
    keys, unkeyable = [], 0
    for item in items:
        pair = link_to_key(record["id"], item.get("id")) if isinstance(item, dict) else None
        if pair is None:
            unkeyable += 1
        else:
            keys.append((pair, hash_key(pair)))
    return keys, unkeyable


@dataclass
class Difference:
    """What the saved walk had and this one does not (deleted), and the reverse (back, or created back-dated)."""

    deleted: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    deleted_links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    parents_with_new_links: set[str] = field(default_factory=set)


def compare(saved: Baseline, current: Baseline) -> Difference | None:
    """The exact difference between two walks sketched with the same cut-off, or None when it is too large for
    the sketches to list (or some ids could not be sketched at all)."""
    if saved.unkeyable or current.unkeyable:
        return None
    peeled = saved.ids.subtract(current.ids).peel()
    if peeled is None:
        return None
    difference = Difference(
        deleted=sorted(key_to_id(k) for k in peeled[0]), returned=sorted(key_to_id(k) for k in peeled[1])
    )
    for table, sketch in saved.link_ids.items():
        if table not in current.link_ids:
            continue
        pairs = sketch.subtract(current.link_ids[table]).peel()
        if pairs is None:
            return None
        difference.deleted_links[table] = sorted(key_to_link(k) for k in pairs[0])
        difference.parents_with_new_links.update(key_to_link(k)[0] for k in pairs[1])
    return difference
