"""The README's entity diagram, generated from the connector's table specs: `python3 scripts/entity_diagram.py`.

Prints a Mermaid `erDiagram` of every table the connector can write (connector/act/tables.py: TABLE_SPECS, their
link tables and child tables, the association tables) with its keys, and how the tables join. `--write` puts it into README.md between the
`<!-- entity-diagram:start -->` and `<!-- entity-diagram:end -->` markers; `--check` exits 1 if the README's copy
is not current (tests/dbt/test_entity_diagram.py does the same). A table added to the specs appears by itself.

Where the joins come from:
- a link table joins its parent on `parent_key` and the linked table on `child_key` (the table its embedded array
  is named after: an opportunity's `contacts` array holds contacts);
- an association table (`group_contacts`) joins the two tables its keys name;
- a child table (`parent_table`) and any other table join a table whose key they carry: a column named after the
  table in the singular (`company_id` -> companies, `activity_type_id` -> activity_types);
- Act! names references to users by their role (`record_manager_id`, `scheduled_for_id`), and to a record of the
  same table as `parent_id` (a company's division, a subgroup): those are listed below.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- entity-diagram:start -->", "<!-- entity-diagram:end -->"

# Key columns that do not follow the `<table in the singular>_id` rule: column -> table ("" = the same table).
ROLE_KEYS = {"record_manager_id": "users", "scheduled_for_id": "users", "parent_id": ""}
MERMAID_TYPES = {"UTC_DATETIME": "timestamp", "NAIVE_DATETIME": "timestamp", "LONG": "long", "INT": "int"}


def _singular(table: str) -> str:
    if table.endswith("ies"):
        return table[:-3] + "y"
    return table[:-1] if table.endswith("s") else table


def _load_specs():
    connector = str(ROOT / "connector")
    if connector not in sys.path:
        sys.path.insert(0, connector)
    from act import tables
    from act.naming import column_name
    from act.schema import declared_schema

    declared = {entry["table"]: entry for entry in declared_schema(tables.ALL_TABLES, {})}
    return tables, declared, column_name


class ErDiagram:
    """A Mermaid erDiagram being built: entities with their key columns, and the joins between them."""

    def __init__(self, declared: dict[str, dict]) -> None:
        self.declared = declared  # table -> declared_schema entry (its columns and their Fivetran types)
        self.entities: dict[str, dict[str, tuple[str, list[str], str]]] = {}  # table -> column -> (type, keys, note)
        self.joins: list[str] = []

    def column(self, table: str, name: str, key: str = "", comment: str = "", kind: str | None = None) -> None:
        """Adds a column, or a key kind (PK, FK) or a comment to one already there."""
        kind = kind or self.declared[table]["columns"].get(name, "STRING")
        mermaid_type, keys, old_comment = self.entities.setdefault(table, {}).get(
            name, (MERMAID_TYPES.get(kind, kind.lower()), [], "")
        )
        keys = keys if not key or key in keys else [*keys, key]
        self.entities[table][name] = (mermaid_type, keys, comment or old_comment)

    def join(self, parent: str, child: str, via: str, optional: bool = False) -> None:
        """`child` holds `via`, the key of a `parent` record: one parent, any number of children."""
        self.joins.append(f'    {parent} {"|o" if optional else "||"}--o{{ {child} : "{via}"')

    def mermaid(self) -> str:
        lines = ["```mermaid", "erDiagram"]
        for table, columns in self.entities.items():
            lines.append(f"    {table} {{")
            for name, (mermaid_type, keys, comment) in columns.items():
                parts = [mermaid_type, name, ", ".join(keys), f'"{comment}"' if comment else ""]
                lines.append("        " + " ".join(part for part in parts if part))
            lines.append("    }")
        return "\n".join([*lines, *self.joins, "```"])


def render() -> str:
    """The diagram as a fenced Mermaid block (what goes between the README's markers)."""
    tables, declared, column_name = _load_specs()
    diagram = ErDiagram(declared)
    key_tables = {f"{_singular(spec.name)}_id": spec.name for spec in tables.TABLE_SPECS}
    key_tables.update({name: table for name, table in ROLE_KEYS.items() if not table or table in key_tables.values()})

    # Entities first, in the specs' order: collections, link tables, association tables, each with its primary key.
    for spec in tables.TABLE_SPECS:
        for key in declared[spec.name]["primary_key"]:
            diagram.column(spec.name, key, "PK")
    for table, (_, link) in tables.LINK_TABLES.items():
        diagram.column(table, link.parent_key, "PK")
        diagram.column(table, link.child_key, "PK")
    for table in tables.ASSOCIATION_TABLES:
        for key in tables.association_key(table):
            diagram.column(table, key, "PK")

    for spec in tables.TABLE_SPECS:
        if spec.parent_table:
            parent_key = f"{_singular(spec.parent_table)}_id"
            diagram.column(spec.name, parent_key, "FK", f"child of {spec.parent_table}")
            diagram.join(spec.parent_table, spec.name, parent_key)
        for name in declared[spec.name]["columns"]:
            target = key_tables.get(name)
            if target is None or name in diagram.entities[spec.name] or target == spec.parent_table:
                continue
            diagram.column(spec.name, name, "FK")
            diagram.join(target or spec.name, spec.name, name, optional=True)
        if spec.cursor_field:
            diagram.column(spec.name, column_name(spec.cursor_field), comment="cursor", kind="UTC_DATETIME")
        if spec.record_type:
            diagram.column(spec.name, "custom_fields_NAME", comment="one per Act! custom field", kind="ANY")
    for table, (parent, link) in tables.LINK_TABLES.items():
        diagram.column(table, link.parent_key, "FK")
        diagram.column(table, link.child_key, "FK", f"{link.array_field} embedded in {parent.name}")
        diagram.join(parent.name, table, link.parent_key)
        diagram.join(link.array_field, table, link.child_key)
    for table, sides in tables.ASSOCIATION_TABLES.items():
        parent_key, child_key = tables.association_key(table)
        path = next(side.path for side in sides if side.in_full_pass)
        diagram.column(table, parent_key, "FK")
        diagram.column(table, child_key, "FK", f"association: {path}")
        diagram.join(key_tables[parent_key], table, parent_key)
        diagram.join(key_tables[child_key], table, child_key)
    return diagram.mermaid()


def readme_diagram(text: str) -> str | None:
    """What the README holds between the markers (None if they are missing)."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def write_readme(diagram: str) -> None:
    text = README.read_text()
    if readme_diagram(text) is None:
        sys.exit(f"README.md has no {START} ... {END} markers: add them where the diagram goes")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    README.write_text(f"{before}{START}\n{diagram}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="update README.md between the markers")
    group.add_argument("--check", action="store_true", help="exit 1 if README.md's diagram is not current")
    args = parser.parse_args()
    diagram = render()
    if args.write:
        write_readme(diagram)
        print(f"README.md: entity diagram updated ({diagram.count(' : ')} joins)")
    elif args.check:
        if readme_diagram(README.read_text()) != diagram:
            sys.exit("README.md's entity diagram is not current: run python3 scripts/entity_diagram.py --write")
        print("README.md's entity diagram is current")
    else:
        print(diagram)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from venv_bootstrap import ensure_venv

    ensure_venv()
    main()
