"""The two table registries agree with each other and with the Act! Web API's Swagger file.

The connector's registry (connector/act/tables.py TABLE_SPECS) and the emulator's (act_emulator/tables.py TABLES)
stay separate on purpose: the emulator is the tests' truth and must not follow the connector. So this checks that
they name the same tables with the same models, paths, id types, record types, parents and cursor fields, that the
Swagger file (act_emulator/spec/swagger.json) serves each path as an array of that model with that id and cursor,
and that connector/act/act_models.json is what scripts/generate_models.py makes from the connector's registry.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

import pytest

from act.tables import TABLE_SPECS, TableSpec
from act_emulator.tables import TABLES as EMULATED

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "act.web.api.models."
ID_TYPES = {"guid": "string", "int": "integer"}


@cache
def swagger() -> dict:
    return json.loads((ROOT / "act_emulator" / "spec" / "swagger.json").read_text(encoding="utf-8"))


def _collection_model(path: str) -> str | None:
    """The model a GET of `path` returns an array of, per the Swagger file (None if it is not such a path)."""
    get = swagger()["paths"].get(path, {}).get("get", {})
    schema = get.get("responses", {}).get("200", {}).get("schema", {})
    if schema.get("type") != "array":
        return None
    return schema.get("items", {}).get("$ref", "").rsplit("/", 1)[-1].removeprefix(PREFIX) or None


def _properties(model: str) -> dict:
    return swagger()["definitions"][PREFIX + model].get("properties", {})


# -- the two registries agree --------------------------------------------------------------------------------------
# Disagreements found when this test was written: each is a strict xfail until the registries are made to agree,
# then its entry goes (an XPASS fails the run, so a settled disagreement cannot stay listed).
KNOWN_DISAGREEMENTS: dict[tuple[str, str], str] = {}


def _connector_view(spec: TableSpec) -> dict:
    return {
        "model": spec.model,
        "path": spec.path,
        "legacy_path": spec.legacy_path or spec.path,
        "cursor_field": spec.cursor_field,
        "id_type": spec.id_type,
        "record_type": spec.record_type,
        "parent": spec.parent_table,
    }


def _emulator_view(name: str) -> dict:
    table = EMULATED[name]
    return {
        "model": table.model,
        "path": table.current_path,
        "legacy_path": table.legacy_path,
        "cursor_field": table.cursor_field,
        "id_type": table.id_type,
        "record_type": table.record_type,
        "parent": table.parent,
    }


def test_both_registries_name_the_same_tables():
    assert [spec.name for spec in TABLE_SPECS] == list(EMULATED)


# A child collection (read again whole with each parent that changed) has no cursor of its own in the connector,
# whatever stamp its records carry: its cursor is not compared.
FACETS = [
    (spec.name, facet)
    for spec in TABLE_SPECS
    for facet in _connector_view(spec)
    if not (facet == "cursor_field" and spec.parent_table)
]


@pytest.mark.parametrize(
    ("table", "facet"),
    [
        pytest.param(
            table,
            facet,
            marks=pytest.mark.xfail(reason=KNOWN_DISAGREEMENTS[table, facet], strict=True)
            if (table, facet) in KNOWN_DISAGREEMENTS
            else (),
        )
        for table, facet in FACETS
    ],
    ids=[f"{table}.{facet}" for table, facet in FACETS],
)
def test_the_connector_and_the_emulator_agree(table, facet):
    spec = next(spec for spec in TABLE_SPECS if spec.name == table)
    if table not in EMULATED:
        pytest.fail(f"the emulator has no table {table!r}")
    assert _connector_view(spec)[facet] == _emulator_view(table)[facet]


# -- each registry agrees with the Swagger file ------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(spec, marks=pytest.mark.xfail(reason=KNOWN_DISAGREEMENTS[spec.name, "path"], strict=True))
        if (spec.name, "path") in KNOWN_DISAGREEMENTS
        else spec
        for spec in TABLE_SPECS
    ],
    ids=lambda spec: spec.name,
)
def test_the_swagger_file_serves_each_connector_table_as_declared(spec):
    assert _collection_model(spec.path) == spec.model, f"GET {spec.path} is not an array of {spec.model}"
    properties = _properties(spec.model)
    assert properties["id"]["type"] == ID_TYPES[spec.id_type]
    for timestamp in (spec.cursor_field, spec.created_field):
        if timestamp is not None:
            assert properties[timestamp].get("format") == "date-time", timestamp
    for link in spec.links:
        array = properties[link.array_field]
        assert array["type"] == "array"
        assert array["items"]["$ref"].removeprefix("#/definitions/" + PREFIX) == link.model


@pytest.mark.parametrize("table", EMULATED.values(), ids=lambda table: table.name)
def test_the_swagger_file_serves_each_emulator_table_as_declared(table):
    assert _collection_model(table.current_path) == table.model
    properties = _properties(table.model)
    assert properties["id"]["type"] == ID_TYPES[table.id_type]
    if table.cursor_field is not None:
        assert properties[table.cursor_field].get("format") == "date-time"
    if table.parent is not None:
        parent = EMULATED[table.parent]
        assert table.current_path.startswith(parent.current_path + "/{")


# -- the connector's models come from its registry ---------------------------------------------------------------
def _generate_models():
    spec = importlib.util.spec_from_file_location("generate_models", ROOT / "scripts" / "generate_models.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_models_takes_its_table_models_from_the_connector_registry():
    roots = _generate_models().root_models()
    for spec in TABLE_SPECS:
        assert spec.model in roots
        assert all(link.model in roots for link in spec.links)


def test_act_models_json_is_what_generate_models_writes():
    script = _generate_models()
    assert (ROOT / "connector" / "act" / "act_models.json").read_text(encoding="utf-8") == script.render(
        script.build_models()
    ), "connector/act/act_models.json is stale: run python3 scripts/generate_models.py"
