"""Fivetran Connector SDK entry point for the Act! CRM Web API connector.

The parts live in `act/`: config (validation) → client and auth (tokens, retries, pacing) → tables (one entry
per Act! collection) → sync_engine (keyset paging, state, checkpoints) → records (flattening, types). This file
only wires them to the SDK.
"""

import os

from fivetran_connector_sdk import Connector

from act.form import configuration_form
from act.schema import schema_for_configuration
from act.update import run_update


def _retry_base() -> float:
    """Seconds of the first retry backoff; the tests shorten it (ACT_RETRY_BASE_SECONDS)."""
    return float(os.environ.get("ACT_RETRY_BASE_SECONDS", "1.0"))


def schema(configuration: dict):
    return schema_for_configuration(configuration, _retry_base())


def update(configuration: dict, state: dict):
    run_update(configuration, state, retry_base_seconds=_retry_base())


connector = Connector(update=update, schema=schema, configuration_form=configuration_form)

if __name__ == "__main__":
    connector.debug()
