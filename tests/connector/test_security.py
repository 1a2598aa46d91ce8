"""No secret leaks: after a sync that meets every kind of trouble (faults, a rejected token, a table failing for
good so that a crash report is written, and a run with a wrong password), logged at the most verbose level (DEBUG,
which includes the debug (FINE) line of every request), neither the password, nor the Basic credentials, nor any token
the emulator issued appears in the run's output, the saved state, the crash reports or the warehouse.

The scan looks for every token the emulator issued, exactly (GET /_emulator/tokens) and each of its three parts,
and also for what any token shares: the JWT header segment and any base64url run that decodes to JSON claims (it
would hold the username or "exp"), so that a token from elsewhere would be caught too.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.emulator import start_emulator
from tests.support.fivetran_run import CONNECTOR_DIR, connector_config, fivetran_debug, make_project
from tests.support.warehouse import SCHEMA, query, tables

USERNAME = "svc-fivetran-sync"
PASSWORD = "Sq!7-Orchid-Lantern-90210"
WRONG_PASSWORD = "Wr0ng!-Marmalade-Typhoon-4471"
RECORDS = {
    "contacts": 60,
    "companies": 25,
    "opportunities": 20,
    "activities": 40,
    "activity_types": 12,
    "products": 10,
    "groups": 0,
    "notes": 0,
    "histories": 0,
    "users": 0,
    "opportunity_products": 0,
}
BASE64URL_RUN = re.compile(r"[A-Za-z0-9_-]{20,}")


def _basic(password: str) -> str:
    return base64.b64encode(f"{USERNAME}:{password}".encode()).decode()


def _secrets(password: str, jwt_header: str) -> dict[str, str]:
    return {
        "password": password,
        "password (URL-encoded)": quote(password, safe=""),
        "Basic credentials": _basic(password),
        "JWT header segment": jwt_header,
    }


def _decodes_to_claims(run: str) -> bool:
    try:
        decoded = base64.urlsafe_b64decode(run + "=" * (-len(run) % 4))
    except (binascii.Error, ValueError):
        return False
    return b'"exp"' in decoded or USERNAME.encode() in decoded


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    found = [name for name, secret in secrets.items() if secret in text]
    for run in BASE64URL_RUN.findall(text):
        # a JWT's parts are separate runs; try each offset too, as a run may start inside a longer identifier
        if any(_decodes_to_claims(run[i:]) for i in range(4)):
            found.append(f"a base64url run decoding to token claims: {run[:12]}...")
    if re.search(r"Bearer\s+[A-Za-z0-9_-]{10,}", text):
        found.append("a Bearer header value")
    return found


def _warehouse_text(project: Path) -> str:
    parts = []
    for table in sorted(tables(project)):
        for row in query(project, f'SELECT * FROM {SCHEMA}."{table}"'):
            parts.append(" ".join(str(value) for value in row))
    return "\n".join(parts)


def _every_place(project: Path, outputs: list[str]) -> dict[str, str]:
    places = {f"run {i + 1} output": output for i, output in enumerate(outputs)}
    files = project / "files"
    places["files/state.json"] = (files / "state.json").read_text()
    reports = sorted((project / "crash-reports").glob("*.log"))
    for report in reports:
        places[f"crash report {report.name}"] = report.read_text(errors="replace")
    places["warehouse rows"] = _warehouse_text(project)
    for path in files.rglob("*"):  # the raw database (and WAL) bytes too, as text, for whatever is stored in clear
        if path.is_file() and path.name != "state.json":
            places[f"raw {path.relative_to(project)}"] = path.read_bytes().decode("latin-1")
    return places


def test_no_password_basic_credentials_or_token_leaks_from_a_faulty_failing_verbose_sync(tmp_path):
    with start_emulator(records=RECORDS, username=USERNAME, password=PASSWORD) as emulator:
        jwt_header = emulator.token().split(".")[0]
        control = emulator.control
        control.plan(
            [
                {"match": "/api/contacts", "skip": 1, "times": 2, "fault": "503"},
                {"match": "/api/companies", "skip": 0, "times": 1, "fault": "reset"},
                {"match": "/api/opportunities", "skip": 1, "times": 1, "fault": "401"},  # a rejected token
                {"match": "/api/tasks", "skip": 2, "times": 1, "fault": "malformed"},
                {"match": "/api/task-types", "skip": 0, "times": 1, "fault": "truncate"},
                {"match": "/api/contacts", "skip": 0, "times": 1, "fault": "429"},
                {"match": "/api/products", "skip": 0, "times": 1000, "fault": "500"},  # fails for good: crash report
            ]
        )
        project = make_project(tmp_path)
        config = connector_config(emulator, batch_size=10, max_retries=3)
        faulty = fivetran_debug(project, config, state={}, env={"ACT_TEST_LOG_LEVEL": "DEBUG"})
        assert not faulty.succeeded and "Sync failed for products" in faulty.output
        stats = control.stats()
        assert stats["faults"]["401"] == 1 and stats["faults"]["500"] >= 4 and stats["tokens_issued"] >= 4
        assert " DEBUG " in faulty.output and "GET /api/contacts?" in faulty.output  # every request was logged
        control.clear_plan()

        wrong = fivetran_debug(project, {**config, "password": WRONG_PASSWORD}, env={"ACT_TEST_LOG_LEVEL": "DEBUG"})
        assert not wrong.succeeded
        assert "Failed to authenticate: verify username, password and database name" in wrong.output
        assert faulty.crash_reports and wrong.crash_reports  # one report per failed run, both kept
        issued = control.tokens()
        assert len(issued) == control.stats()["tokens_issued"] >= 4  # fetched above, schema, update, after the 401

    secrets = {
        **_secrets(PASSWORD, jwt_header),
        **{f"wrong {name}": value for name, value in _secrets(WRONG_PASSWORD, jwt_header).items()},
    }
    for number, token in enumerate(issued):
        secrets[f"issued token {number}"] = token
        for part, segment in zip(("claims", "signature"), token.split(".")[1:]):
            secrets[f"issued token {number} {part}"] = segment
    places = _every_place(project, [faulty.output, wrong.output])
    assert places["warehouse rows"].count("\n") > 100  # the committed tables are there to be scanned
    leaks = {place: found for place, text in places.items() if (found := _leaks(text, secrets))}
    assert not leaks, leaks


def test_the_scan_would_see_a_token_and_the_credentials_if_they_were_there():
    token = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        + base64.urlsafe_b64encode(json.dumps({"sub": "someone", "exp": 1}).encode()).decode().rstrip("=")
        + ".c2lnbmF0dXJl"
    )
    secrets = _secrets(PASSWORD, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9")
    assert _leaks(f"state {token}", {}) and _leaks(f"Authorization: Basic {_basic(PASSWORD)}", secrets)
    assert _leaks(f"password={quote(PASSWORD, safe='')}", secrets)
    assert not _leaks("contacts: page 3, 30 rows; id 5f0c1d2e-0000-4000-8000-000000000001", secrets)


@pytest.fixture(scope="module")
def act():
    if str(CONNECTOR_DIR) not in sys.path:
        sys.path.insert(0, str(CONNECTOR_DIR))
    from act import auth, client, config

    return {"auth": auth, "client": client, "config": config}


def test_the_parsed_configuration_and_the_client_never_show_the_password(act):
    raw = {
        "protocol": "https",
        "hostname": "act.example.com",
        "port": "443",
        "api_path": "/act.web.api",
        "username": USERNAME,
        "password": PASSWORD,
        "database_name": "ActDemo",
    }
    config = act["config"].parse_configuration(raw)
    assert config.password == PASSWORD
    shown = [
        repr(config),
        str(config),
        f"{config}",
        f"{config!r}",
        "%s %r" % (config, config),
        repr([config]),
        repr({"config": config}),
    ]
    client = act["client"].ActClient(config)
    try:
        shown += [repr(client.auth), str(client.auth), repr(client.auth.token), repr(client.session.auth)]
    finally:
        client.close()
    for text in shown:
        assert PASSWORD not in text and _basic(PASSWORD) not in text, text
    assert "act.example.com" in repr(config)  # it still says which server
