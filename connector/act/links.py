"""Link tables derived from the embedded arrays of a parent record (an opportunity's `contacts`, an activity's
`groups`, ...). The API has no collection for them, so each parent page also writes its links, keyed by
(parent id, linked id)."""

from __future__ import annotations

from fivetran_connector_sdk import Operations as op

from .naming import column_name
from .records import load_models, swagger_type
from .tables import LinkSpec
from .typed_records import Record


def link_columns(link: LinkSpec) -> dict[str, str]:
    """The link table's columns: the two keys, then the embedded model's other properties."""
    columns = {link.parent_key: "STRING", link.child_key: "STRING"}
    for key, prop in load_models()[link.model].items():
        if key != "id":
            columns[column_name(key)] = swagger_type(prop)
    return columns


class LinkEmitter:
    """Writes the links of each parent record it is given, for the selected link tables of that parent."""

    def __init__(self, links: list[LinkSpec]) -> None:
        self.specs = links
        self.links = [
            (link, [(key, column_name(key)) for key in load_models()[link.model] if key != "id"]) for link in links
        ]

    def emit(self, record: Record) -> None:
        parent_id = record["id"]
        for link, other_fields in self.links:
            items = record.get(link.array_field)
            if not isinstance(items, list):
                continue
            for item in items:
                if not isinstance(item, dict) or item.get("id") is None:
                    continue
                row = {link.parent_key: parent_id, link.child_key: item["id"]}
                for key, column in other_fields:
                    value = item.get(key)
                    if value is not None and not isinstance(value, (dict, list)):
                        row[column] = value
                op.upsert(link.table, row)
