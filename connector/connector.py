"""Fivetran Connector SDK entry point for the Act! CRM Web API connector.

The parts live in `act/`: config (the keys, validation) → client and auth (tokens, retries, pacing) → tables (one
entry per Act! collection) → sync_engine (keyset paging, state, checkpoints) → records (flattening, types). This
file only wires them to the SDK.
"""

from fivetran_connector_sdk import Connector

from act.form import configuration_form
from act.schema import schema_for_configuration as schema
from act.update import run_update as update

connector = Connector(update=update, schema=schema, configuration_form=configuration_form)

if __name__ == "__main__":
    connector.debug()
