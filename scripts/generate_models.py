"""Writes connector/act/act_models.json: the Swagger definitions the connector reads, trimmed to what it needs.

The connector declares its columns and plans its flattening from the real Act! Web API models, not from a
hand-copied list. It cannot read ../shared at run time on Fivetran, so this script copies the definitions it
needs (and those they reference) into the deployable folder. Run it again when the spec or the table list changes:

    python scripts/generate_models.py [path/to/swagger.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "act_emulator" / "spec" / "swagger.json"
OUTPUT = ROOT / "connector" / "act" / "act_models.json"
PREFIX = "act.web.api.models."
ROOT_MODELS = [
    "Contacts.Contact",
    "Companies.Company",
    "Opportunities.Opportunity",
    "Activities.ActivityOccurrence",
    "TaskTypes.TaskType",
    "Products.Product",
    "Groups.Group",
    "Notes.Note",
    "Histories.History",
    "Users.UserInfo",
    "Opportunities.OpportunityProduct",
    "MetaData.Schema.Column",
]


def _trim(prop: dict) -> dict:
    """Only what typing and flattening need: type, format, enum, $ref and array items."""
    out = {key: prop[key] for key in ("type", "format", "enum") if key in prop}
    if "$ref" in prop:
        out["$ref"] = prop["$ref"].rsplit("/", 1)[-1].removeprefix(PREFIX)
    if "items" in prop:
        out["items"] = _trim(prop["items"])
    if "additionalProperties" in prop:
        out["map"] = True
    return out


def main() -> None:
    spec_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPEC
    definitions = json.loads(spec_path.read_text(encoding="utf-8"))["definitions"]
    models: dict[str, dict] = {}
    pending = list(ROOT_MODELS)
    while pending:
        name = pending.pop()
        if name in models:
            continue
        properties = {key: _trim(value) for key, value in definitions[PREFIX + name].get("properties", {}).items()}
        models[name] = properties
        for prop in properties.values():
            for ref in (prop.get("$ref"), prop.get("items", {}).get("$ref")):
                if ref and ref not in models:
                    pending.append(ref)
    OUTPUT.write_text(json.dumps(dict(sorted(models.items())), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {len(models)} models to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
