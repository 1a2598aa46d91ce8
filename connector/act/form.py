"""The Fivetran setup form and its connection tests.

The form has one field per configuration key, built from `config.CONFIG_KEYS` (label, description, placeholder,
widget, secret). The setup tests check, in order, that the server answers, that the credentials and database name
are accepted, and that every selected table can be read, each failure saying what to fix.
"""

from __future__ import annotations

from typing import Any

from fivetran_connector_sdk import ConfigurationForm, Test, form_field

from .api_paths import detect_generation, path_for
from .auth import AuthenticationError
from .client import ActApiError, ActClient
from .config import CONFIG_KEYS, ConfigKey, ConfigurationError, parse_configuration
from .tables import SPECS_BY_NAME, TableSpec

TextField, DropdownField, ToggleField = form_field.TextField, form_field.DropdownField, form_field.ToggleField
TestResult = Any  # the SDK's Test.success() / Test.failure(message) (the SDK ships no type information)


def form_field_for(key: ConfigKey) -> form_field.FormField:
    """The setup-form field that shows `key`."""
    if key.widget == "dropdown":
        options = [
            form_field.DropdownFieldParam(choice.value, choice.label, choice.description) for choice in key.choices
        ]
        return DropdownField(key.name, key.label, required=key.required, fields=options, description=key.description)
    if key.widget == "toggle":
        return ToggleField(key.name, key.label, required=key.required, description=key.description)
    return TextField(
        key.name,
        key.label,
        TextField.password if key.secret else TextField.plain_text,
        required=key.required,
        placeholder=key.form_placeholder,
        description=key.description,
    )


def configuration_form() -> Any:
    form = ConfigurationForm()
    for key in CONFIG_KEYS:
        form.add_field(form_field_for(key))
    form.add_test(label="The Act! server answers", func=test_server_answers)
    form.add_test(label="The credentials and database name are accepted", func=test_credentials)
    form.add_test(label="Each selected table can be read", func=test_tables_readable)
    return form


def _client(configuration: dict[str, Any]) -> tuple[ActClient | None, TestResult | None]:
    """A client for a valid configuration, or a failure naming the configuration problem."""
    try:
        return ActClient(parse_configuration(configuration)), None
    except ConfigurationError as error:
        return None, Test.failure(f"Configuration: {error}")


def _selected_specs(configuration: dict[str, Any]) -> tuple[list[TableSpec], str]:
    config = parse_configuration(configuration)
    return [SPECS_BY_NAME[t] for t in config.tables if t in SPECS_BY_NAME], config.api_generation


def test_server_answers(configuration: dict[str, Any]) -> TestResult:
    client, failure = _client(configuration)
    if client is None:
        return failure
    try:
        status = client.ping()
    except Exception as error:
        return Test.failure(
            f"No answer from {client.base_url} ({type(error).__name__}): check protocol, host name, "
            f"port and api_path, and that the server is reachable from Fivetran"
        )
    finally:
        client.close()
    if status == 404:
        return Test.failure(f"{client.base_url} answers but has no /authorize: check 'api_path' (e.g. /act.web.api)")
    return Test.success()


def test_credentials(configuration: dict[str, Any]) -> TestResult:
    client, failure = _client(configuration)
    if client is None:
        return failure
    try:
        client.authenticate()
    except AuthenticationError as error:
        return Test.failure(str(error))
    except ActApiError as error:
        return Test.failure(f"Could not sign in: {error}")
    finally:
        client.close()
    return Test.success()


def test_tables_readable(configuration: dict[str, Any]) -> TestResult:
    client, failure = _client(configuration)
    if client is None:
        return failure
    try:
        client.authenticate()
        specs, configured_generation = _selected_specs(configuration)
        generation = detect_generation(client, specs, configured_generation).name
        for spec in specs:
            if spec.parent_table:
                continue
            try:
                client.get_collection(path_for(spec, generation), {"$top": "1"})
            except ActApiError as error:
                return Test.failure(f"Table '{spec.name}' cannot be read: {error}")
    except (AuthenticationError, ActApiError) as error:
        return Test.failure(str(error))
    finally:
        client.close()
    return Test.success()
