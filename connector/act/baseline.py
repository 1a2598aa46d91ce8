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
from typing import Any

from .id_sketch import LINK_KEY_BYTES, IdSketch, id_to_key, key_to_id, key_to_link, link_to_key
from .tables import LinkSpec
from .timestamps import parse_timestamp


def _created_by(value: object, cutoff: datetime | None) -> bool:
    """Whether a record counts as created by the cut-off (no cut-off, or an unreadable stamp: it does)."""
    if cutoff is None or not isinstance(value, str):
        return True
    try:
        return parse_timestamp(value) <= cutoff
    except ValueError:
        return True


class Baseline:
    """The sketches of one walk; `unkeyable` counts ids a sketch cannot hold (not GUIDs), whose deletes only a full
    re-read can find."""

    def __init__(self, cutoff: str | None, created_field: str | None, links: list[LinkSpec]) -> None:
        self.cutoff = cutoff
        self._cutoff = parse_timestamp(cutoff) if cutoff else None
        self._created_field = created_field
        self.links = links
        self.ids = IdSketch()
        self.link_ids = {link.table: IdSketch(key_bytes=LINK_KEY_BYTES) for link in links}
        self.count = 0
        self.unkeyable = 0

    def add(self, record: dict[str, Any]) -> None:
        key = id_to_key(record.get("id"))
        if key is None:
            self.unkeyable += 1
            return
        self.count += 1
        if self._created_field and not _created_by(record.get(self._created_field), self._cutoff):
            return
        self.ids.add(key)
        for link in self.links:
            items = record.get(link.array_field)
            if not isinstance(items, list):
                continue
            for item in items:
                pair = link_to_key(record["id"], item.get("id")) if isinstance(item, dict) else None
                if pair is None:
                    self.unkeyable += 1
                else:
                    self.link_ids[link.table].add(pair)

    def add_page(self, page: list[Any]) -> None:
        for record in page:
            if isinstance(record, dict):
                self.add(record)

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
