"""Fivetran Connector SDK entry point for the Act! CRM Web API connector.

The parts live in `act/`: config (validation) → client and auth (tokens, retries, pacing) → tables (one entry
per Act! collection) → sync_engine (keyset paging, state, checkpoints) → records (flattening, types). This file
only wires them to the SDK.
"""
import os

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log

from act.client import ActApiError, ActClient
from act.config import ConfigurationError, parse_configuration
from act.custom_fields import read_custom_field_types
from act.form import configuration_form
from act.schema import declared_schema
from act.tables import SPECS_BY_NAME
from act.update import run_update


def schema(configuration: dict):
    """Every selected table with its typed columns. Custom-field types are read from the server when it can be
    reached; if not, the sync still runs and those columns get inferred types."""
    config = parse_configuration(configuration)
    custom_types: dict = {}
    record_types = {SPECS_BY_NAME[t].record_type for t in config.tables if t in SPECS_BY_NAME and SPECS_BY_NAME[t].record_type}
    if record_types:
        client = ActClient(config, retry_base_seconds=_retry_base())
        try:
            client.authenticate()
            by_type = {record_type: read_custom_field_types(client, record_type) for record_type in sorted(record_types)}
            custom_types = {t: by_type[SPECS_BY_NAME[t].record_type] for t in config.tables
                            if t in SPECS_BY_NAME and SPECS_BY_NAME[t].record_type}
        except (ActApiError, RuntimeError) as error:
            log.warning(f"custom field types could not be read ({type(error).__name__}: {error}); "
                        f"custom fields land with inferred types")
        finally:
            client.close()
    return declared_schema(config.tables, custom_types)


def _retry_base():
    """Seconds of the first retry backoff; the tests shorten it (ACT_RETRY_BASE_SECONDS)."""
    return float(os.environ.get("ACT_RETRY_BASE_SECONDS", "1.0"))


def update(configuration: dict, state: dict):
    run_update(configuration, state, retry_base_seconds=_retry_base())


connector = Connector(update=update, schema=schema, configuration_form=configuration_form)

if __name__ == "__main__":
    connector.debug()
