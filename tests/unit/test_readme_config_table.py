"""The README's configuration table and the setup form are derived from the one list of keys (act/config.py
CONFIG_KEYS): this fails when either disagrees with it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from act.config import CONFIG_KEYS
from act.form import configuration_form

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("readme_config_table", ROOT / "scripts" / "readme_config_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_configuration_table_is_the_one_generated_from_the_keys():
    script = _script()
    in_readme = script.readme_table((ROOT / "README.md").read_text(encoding="utf-8"))
    assert in_readme == script.render_table(), (
        "README.md's configuration table disagrees with connector/act/config.py: "
        "run python3 scripts/readme_config_table.py --write"
    )


def test_the_table_has_one_row_per_key_in_order():
    rows = _script().render_table().splitlines()[2:]
    assert [row.split("|")[1].strip().strip("`") for row in rows] == [key.name for key in CONFIG_KEYS]


def test_the_setup_form_has_one_field_per_key_as_declared():
    from fivetran_connector_sdk_cli.form_field import PASSWORD, PLAIN_TEXT

    fields = {field.name: field for field in configuration_form().to_response().fields}
    assert list(fields) == [key.name for key in CONFIG_KEYS]
    for key in CONFIG_KEYS:
        field = fields[key.name]
        assert (field.label, field.description, bool(field.required)) == (key.label, key.description, key.required)
        if key.widget == "dropdown":
            assert [option.value for option in field.dropdown_options] == [choice.value for choice in key.choices]
        elif key.widget == "toggle":
            assert field.toggle
        else:
            assert field.text_field == (PASSWORD if key.secret else PLAIN_TEXT)
            assert field.placeholder == key.form_placeholder
