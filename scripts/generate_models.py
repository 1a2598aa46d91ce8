"""Writes connector/act/act_models.json: the Swagger definitions the connector reads, trimmed to what it needs.

The connector declares its columns and plans its flattening from the real Act! Web API models, not from a
hand-copied list. The Swagger file is not deployed to Fivetran, so this script copies the definitions it
needs (and those they reference) into the deployable folder. The models are those the connector's table registry
(connector/act/tables.py) names, so adding a table there is enough. Run it again when the spec or the table list
changes (tests/test_registries.py fails until you do):

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
# Models the connector reads besides its tables' (and the models those reference): the custom-field metadata.
EXTRA_MODELS = ["MetaData.Schema.Column"]


def root_models() -> list[str]:
    """Every model the connector's table registry (connector/act/tables.py TABLE_SPECS) names, then EXTRA_MODELS:
    the table list lives there only."""
    connector = str(ROOT / "connector")
    if connector not in sys.path:
        sys.path.insert(0, connector)
    from act.tables import TABLE_SPECS

    names = [spec.model for spec in TABLE_SPECS] + [link.model for spec in TABLE_SPECS for link in spec.links]
    return list(dict.fromkeys(names + EXTRA_MODELS))


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


def build_models(spec_path: Path = DEFAULT_SPEC) -> dict[str, dict]:
    """The trimmed definitions of root_models() and of every model they reference, sorted by name."""
    definitions = json.loads(spec_path.read_text(encoding="utf-8"))["definitions"]
    models: dict[str, dict] = {}
    pending = root_models()
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
    return dict(sorted(models.items()))


def render(models: dict[str, dict]) -> str:
    return json.dumps(models, indent=1, sort_keys=False) + "\n"


def main() -> None:
    spec_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPEC
    models = build_models(spec_path)
    OUTPUT.write_text(render(models), encoding="utf-8")
    print(f"wrote {len(models)} models to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
