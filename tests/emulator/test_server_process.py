"""The emulator as a process: CLI flags, the URL line, path generations as separate servers, HTTPS, and that
the control API is off unless asked for."""

import subprocess
import sys

import pytest
import requests

from act_emulator.tables import TABLES
from tests.support.emulator import start_emulator

FEW = {name: 0 for name in TABLES} | {"activities": 5, "activity_types": 12, "contacts": 30}
FLAGS = [
    "--host",
    "--port",
    "--api-path",
    "--username",
    "--password",
    "--database",
    "--seed",
    "--records",
    "--api",
    "--max-page-size",
    "--token-ttl",
    "--rate-limit",
    "--retry-after",
    "--fault-rate",
    "--fault-kinds",
    "--slow-seconds",
    "--fault-seed",
    "--date-offset-seconds",
    "--created-offset-seconds",
    "--id-format",
    "--control",
    "--tls-cert",
    "--tls-key",
    "--log-level",
]


def test_help_lists_every_flag():
    out = subprocess.run(
        [sys.executable, "-m", "act_emulator", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for flag in FLAGS:
        assert flag in out


def test_bad_flag_value_fails():
    result = subprocess.run(
        [sys.executable, "-m", "act_emulator", "--records", "nosuch=3"], capture_output=True, text=True
    )
    assert result.returncode != 0 and "--records" in result.stderr


@pytest.mark.parametrize(
    "generation,served,missing",
    [
        ("legacy", ["/api/activities", "/api/activity-types"], ["/api/tasks", "/api/task-types"]),
        ("current", ["/api/tasks", "/api/task-types"], ["/api/activities", "/api/activity-types"]),
    ],
)
def test_generations(generation, served, missing):
    with start_emulator(
        records=FEW,
        api=generation,
        control=False,
        max_page_size=3,
        api_path="/custom.api",
        username="u",
        password="p w",
        database="DB1",
    ) as emu:
        assert emu.base_url.endswith("/custom.api") and emu.port > 0
        token = emu.token()
        headers = {"Authorization": "Bearer " + token}
        for path in served:
            response = requests.get(emu.base_url + path, headers=headers, timeout=10)
            assert response.status_code == 200 and len(response.json()) == 3  # --max-page-size
        for path in missing:
            assert requests.get(emu.base_url + path, headers=headers, timeout=10).status_code == 404
        assert requests.get(emu.root_url + "/_emulator/stats", timeout=10).status_code == 404


def test_https(tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(cert_file)
    cert.private_key_pem.write_to_path(key_file)
    ca.cert_pem.write_to_path(ca_file)
    with start_emulator(records=FEW, tls_cert=cert_file, tls_key=key_file, tls_ca=ca_file) as emu:
        assert emu.base_url.startswith("https://")
        response = requests.get(
            emu.base_url + "/authorize",
            verify=str(ca_file),
            timeout=10,
            headers={"Authorization": emu.basic_auth_header(), "Act-Database-Name": emu.database},
        )
        assert response.status_code == 200
        token = response.json()
        contacts = requests.get(
            emu.base_url + "/api/contacts",
            verify=str(ca_file),
            timeout=10,
            headers={"Authorization": "Bearer " + token},
        )
        assert len(contacts.json()) == 30
        assert emu.token().startswith("eyJ")  # the helper verifies against tls_ca
        emu.control.plan([{"match": "/api/contacts", "fault": "reset"}])
        with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            requests.get(
                emu.base_url + "/api/contacts",
                verify=str(ca_file),
                timeout=10,
                headers={"Authorization": "Bearer " + token},
            ).content


def test_listening_socket_disables_nagle():
    """Accepted connections inherit TCP_NODELAY: without it a keep-alive response stalls ~40 ms (Nagle waiting
    for the client's delayed ACK)."""
    import socket

    from act_emulator.cli import _listen

    server = _listen("127.0.0.1", 0)
    try:
        client = socket.create_connection(server.getsockname(), timeout=5)
        accepted, _ = server.accept()
        with client, accepted:
            assert server.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.close()
