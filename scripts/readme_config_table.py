"""The README's configuration table, generated from the connector's one list of keys (connector/act/config.py
CONFIG_KEYS), between the markers `<!-- config-table:start -->` and `<!-- config-table:end -->`.

    python3 scripts/readme_config_table.py           # prints the table
    python3 scripts/readme_config_table.py --check   # exit 1 if README.md's table differs
    python3 scripts/readme_config_table.py --write   # rewrites README.md's table

tests/unit/test_readme_config_table.py fails when the README's table disagrees with the keys.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def config_keys() -> tuple:
    """connector/act/config.py's CONFIG_KEYS (the `act` package imported from connector/)."""
    connector = str(ROOT / "connector")
    if connector not in sys.path:
        sys.path.insert(0, connector)
    from act.config import CONFIG_KEYS

    return CONFIG_KEYS


def render_table() -> str:
    """The markdown table: key, default (or "required"), meaning."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    for key in config_keys():
        if key.shown_default is not None:
            default = key.shown_default
        elif key.required:
            default = "required"
        else:
            default = f"`{key.default}`"
        meaning = key.description.replace("|", "\\|")
        if key.secret:
            meaning += " Secret: masked in the setup form, never shown in a message."
        lines.append(f"| `{key.name}` | {default} | {meaning} |")
    return "\n".join(lines)


def readme_table(text: str) -> str:
    """What stands between the markers in `text` (stripped)."""
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def with_table(text: str, table: str) -> str:
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{table}\n{END}{after}"


def main(arguments: list[str]) -> int:
    table = render_table()
    if "--write" in arguments:
        text = README.read_text(encoding="utf-8")
        README.write_text(with_table(text, table), encoding="utf-8")
        print(f"wrote the configuration table ({table.count(chr(10)) - 1} keys) into {README.name}")
        return 0
    if "--check" in arguments:
        if readme_table(README.read_text(encoding="utf-8")) != table:
            print("README.md's configuration table differs: run python3 scripts/readme_config_table.py --write")
            return 1
        return 0
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
