"""Malformed configurations fail before any network call, with one clear message that names the key and says how
to fix it, and never echo the password.

Every configuration points at a live emulator (whose real password is the distinctive one below, so a request
would succeed): the emulator's request counter proves that nothing was sent. Most cases call the connector's
`update()` and `schema()` in-process (they raise before any SDK operation); a few go through the SDK's runner to
show what a user of `fivetran debug` sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_debug, load_connector_module, make_project

PASSWORD = "Pw-9f!Zebra-Quartz-7731"
REMOVE = object()


def _load_connector():
    return load_connector_module("act_connector_entry_under_test")


@dataclass
class Case:
    id: str
    changes: dict
    says: list = field(default_factory=list)  # fragments of the one message: the key, the problem, the fix

    def apply(self, config: dict) -> dict:
        result = dict(config)
        for key, value in self.changes.items():
            if value is REMOVE:
                result.pop(key, None)
            else:
                result[key] = value
        return result


HOST_FIX = "without a scheme, credentials or path: put http/https in 'protocol' and the path in 'api_path'"
NOT_TEXT = "must be a string (Fivetran passes every configuration value as text)"
CASES = [
    *[
        Case(
            f"missing {key}",
            {key: REMOVE},
            [f"Missing required configuration key '{key}': add it", "configuration.example.json"],
        )
        for key in ("protocol", "hostname", "api_path", "username", "password", "database_name")
    ],
    Case("empty hostname", {"hostname": ""}, ["'hostname' is empty: set it"]),
    Case("blank username", {"username": "   "}, ["'username' is empty: set it"]),
    Case("empty password", {"password": ""}, ["'password' is empty: set it"]),
    Case("empty database_name", {"database_name": ""}, ["'database_name' is empty: set it"]),
    Case("port not a number", {"port": "eighty"}, ["configuration key 'port'", "whole number between 1 and 65535"]),
    Case("port zero", {"port": "0"}, ["configuration key 'port'", "between 1 and 65535"]),
    Case("port above 65535", {"port": "70000"}, ["configuration key 'port'", "between 1 and 65535"]),
    Case("port negative", {"port": "-1"}, ["configuration key 'port'", "between 1 and 65535"]),
    Case("port with a fraction", {"port": "80.5"}, ["configuration key 'port'", "whole number"]),
    Case(
        "batch_size not a number",
        {"batch_size": "abc"},
        ["'batch_size' must be a whole number", "set it to the page size, e.g. 10000"],
    ),
    Case("batch_size zero", {"batch_size": "0"}, ["'batch_size' must be between 1 and 100000", "e.g. 10000"]),
    Case("batch_size too large", {"batch_size": "1000000"}, ["'batch_size' must be between 1 and 100000"]),
    Case("batch_size with a fraction", {"batch_size": "12.5"}, ["'batch_size' must be a whole number"]),
    Case(
        "negative rate_limit_pause",
        {"rate_limit_pause": "-0.5"},
        ["'rate_limit_pause' must be between 0 and 60", "set it to the seconds between requests, e.g. 0.25"],
    ),
    Case("rate_limit_pause not a number", {"rate_limit_pause": "fast"}, ["'rate_limit_pause' must be a number"]),
    Case("rate_limit_pause nan", {"rate_limit_pause": "nan"}, ["'rate_limit_pause' must be between 0 and 60"]),
    Case("protocol ftp", {"protocol": "ftp"}, ["'protocol' must be http or https"]),
    Case("protocol written as a URL scheme", {"protocol": "http://"}, ["'protocol' must be http or https"]),
    Case("hostname with a scheme", {"hostname": "http://act.example.com"}, ["'hostname'", HOST_FIX]),
    Case("hostname with a path", {"hostname": "act.example.com/act.web.api"}, ["'hostname'", HOST_FIX]),
    Case("hostname with credentials", {"hostname": f"demo:{PASSWORD}@act.example.com"}, ["'hostname'", HOST_FIX]),
    Case(
        "hostname with a port",
        {"hostname": "act.example.com:8080"},
        ["'hostname' must not contain a port: put the port number in 'port'"],
    ),
    Case("hostname with spaces", {"hostname": "act example com"}, ["'hostname' is not a valid host name"]),
    Case(
        "api_path without a leading slash",
        {"api_path": "act.web.api"},
        ["'api_path' must start with '/', e.g. /act.web.api"],
    ),
    Case(
        "api_path with a query",
        {"api_path": "/act.web.api?x=1"},
        ["'api_path' must be a plain URL path such as /act.web.api"],
    ),
    Case(
        "api_path as a full URL", {"api_path": "http://act.example.com/act.web.api"}, ["'api_path' must start with '/'"]
    ),
    Case(
        "start date not a date",
        {"default_start_date": "yesterday"},
        ["'default_start_date' must be an ISO 8601 timestamp such as 1900-01-01T00:00:00Z"],
    ),
    Case(
        "start date impossible",
        {"default_start_date": "2024-13-45T00:00:00Z"},
        ["'default_start_date' must be an ISO 8601 timestamp"],
    ),
    Case(
        "start date in the future",
        {"default_start_date": "2999-01-01T00:00:00Z"},
        ["'default_start_date' is in the future", "use a past date"],
    ),
    Case(
        "unknown key close to a real one",
        {"batchsize": "100"},
        ["Unknown configuration key 'batchsize': remove it or rename it", "did you mean 'batch_size'?"],
    ),
    Case("unknown key", {"api_key": "abc"}, ["Unknown configuration key 'api_key'", "valid keys are:"]),
    Case("port as a JSON number", {"port": 8080}, [f"'port' {NOT_TEXT}", "write it in quotes"]),
    Case("batch_size as null", {"batch_size": None}, [f"'batch_size' {NOT_TEXT}"]),
    Case("verify_tls as a JSON boolean", {"verify_tls": True}, [f"'verify_tls' {NOT_TEXT}"]),
    Case("password as a JSON number", {"password": 73319157}, [f"'password' {NOT_TEXT}", "write it in quotes"]),
    Case("unknown table", {"tables": "contacts,widgets"}, ["'tables' names an unknown table 'widgets'", "choose from"]),
    Case(
        "misspelt table",
        {"tables": "contact"},
        ["'tables' names an unknown table 'contact'", "did you mean 'contacts'?"],
    ),
    Case("tables naming nothing", {"tables": " , "}, ["'tables' names no table"]),
    Case(
        "link table without its parent",
        {"tables": "opportunity_contacts"},
        ["'tables' selects 'opportunity_contacts' without 'opportunities'", "add it"],
    ),
    Case("request_timeout zero", {"request_timeout": "0"}, ["'request_timeout' must be between 1 and 3600"]),
    Case("negative max_retries", {"max_retries": "-1"}, ["'max_retries' must be between 0 and 50", "e.g. 5"]),
    Case("verify_tls not a boolean", {"verify_tls": "maybe"}, ["'verify_tls' must be true or false"]),
    Case(
        "ca_bundle not PEM",
        {"ca_bundle": f"not a certificate {PASSWORD}"},
        ["'ca_bundle' must hold the PEM text", "-----BEGIN CERTIFICATE-----"],
    ),
    Case("parallel_tables too many", {"parallel_tables": "100"}, ["'parallel_tables' must be between 1 and 16"]),
    Case("api_generation unknown", {"api_generation": "newest"}, ["'api_generation' must be auto, current"]),
    Case(
        "cursor_overlap_seconds with a unit",
        {"cursor_overlap_seconds": "5m"},
        ["'cursor_overlap_seconds' must be a whole number"],
    ),
    Case(
        "negative delete_reconciliation_hours",
        {"delete_reconciliation_hours": "-1"},
        ["'delete_reconciliation_hours' must be between 0 and 8760"],
    ),
    Case(
        "full_resync_hours beyond a year",
        {"full_resync_hours": "9000"},
        ["'full_resync_hours' must be between 0 and 8760", "e.g. 168 (0 turns them off)"],
    ),
]
RUNNER_CASES = ["batch_size not a number", "hostname with a scheme", "start date in the future", "missing password"]


@pytest.fixture(scope="module")
def live():
    """An emulator that would accept the configuration (same password): any request would show in its stats."""
    with start_emulator(records="none", password=PASSWORD) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def connector_module():
    from fivetran_connector_sdk import Logging

    level = Logging.LOG_LEVEL
    Logging.LOG_LEVEL = Logging.Level.FINE  # as the runner sets it; unset, the SDK's logging cannot log at all
    yield _load_connector()
    Logging.LOG_LEVEL = level


def test_there_are_at_least_thirty_distinct_malformed_configurations():
    assert len({case.id for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_malformed_configuration_fails_before_any_request_with_one_clear_message(
    case, live, connector_module, capsys
):
    configuration = case.apply(connector_config(live))
    before = live.control.stats()["requests_total"]
    with pytest.raises(Exception) as raised:
        connector_module.update(configuration, {})
    message = str(raised.value)
    assert type(raised.value).__name__ == "SyncFailed"
    assert message.startswith("Invalid configuration: ")
    for fragment in case.says:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "\n" not in message  # one message, not a list of problems or a dump
    logged = capsys.readouterr()
    assert (logged.out + logged.err).count(message.split(": ", 1)[1]) == 1  # logged once, as SEVERE
    assert PASSWORD not in message and PASSWORD not in logged.out + logged.err

    with pytest.raises(Exception) as from_schema:  # schema() is called first by the runner: same message
        connector_module.schema(configuration)
    assert type(from_schema.value).__name__ == "ConfigurationError"
    assert str(from_schema.value) == message.split(": ", 1)[1]
    assert PASSWORD not in repr(from_schema.value)
    assert live.control.stats()["requests_total"] == before == 0, "a malformed configuration reached the server"


@pytest.mark.parametrize("case_id", RUNNER_CASES)
def test_the_runner_reports_the_configuration_problem_and_syncs_nothing(case_id, live, tmp_path):
    case = next(case for case in CASES if case.id == case_id)
    project = make_project(tmp_path)
    result = fivetran_debug(project, case.apply(connector_config(live)))
    assert not result.succeeded and result.returncode != 0
    assert "SYNC FAILED" in result.output
    error_line = next(line for line in result.output.splitlines() if "Error: failed while executing" in line)
    for fragment in case.says:
        assert fragment in error_line, f"{fragment!r} not in {error_line!r}"
    crash_reports = list((project / "crash-reports").glob("*.log"))
    for text in [result.output] + [report.read_text(errors="replace") for report in crash_reports]:
        assert PASSWORD not in text
    assert not (project / "files" / "state.json").exists()
    assert live.control.stats()["requests_total"] == 0, "a malformed configuration reached the server"


def test_a_valid_configuration_does_reach_the_server_so_the_request_count_means_something(connector_module):
    with start_emulator(records="none", password=PASSWORD) as emulator:
        connector_module.schema(connector_config(emulator))
        assert emulator.control.stats()["requests_total"] >= 2  # /authorize and the custom-field metadata
