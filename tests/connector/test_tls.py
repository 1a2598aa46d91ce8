"""HTTPS with a certificate from a private CA (as most on-premises Act! servers have): without that CA the sync
fails at once with a message that says to paste it into 'ca_bundle'; with it, the sync lands every record."""

from __future__ import annotations

import pytest
import trustme

from tests.connector.conftest import SMALL, Syncer
from tests.support.emulator import start_emulator
from tests.support.fivetran_run import connector_config, fivetran_debug, make_project


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    paths = {"ca": directory / "ca.pem", "cert": directory / "server.pem", "key": directory / "server.key"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    server.private_key_pem.write_to_path(str(paths["key"]))
    with open(paths["cert"], "wb") as handle:
        for blob in server.cert_chain_pems:
            handle.write(blob.bytes())
    return {**paths, "ca_pem": paths["ca"].read_text(), "other_ca_pem": trustme.CA().cert_pem.bytes().decode()}


@pytest.fixture(scope="module")
def https_emulator(pki):
    with start_emulator(
        records=SMALL, tls_cert=str(pki["cert"]), tls_key=str(pki["key"]), tls_ca=str(pki["ca"])
    ) as emulator:
        assert emulator.base_url.startswith("https://127.0.0.1:")
        yield emulator


def _error_line(output: str) -> str:
    return next(line for line in output.splitlines() if "Error: failed while executing" in line)


@pytest.mark.parametrize("ca_bundle", ["", "other_ca_pem"], ids=["no ca_bundle", "a different CA in ca_bundle"])
def test_an_untrusted_certificate_fails_the_sync_with_a_message_pointing_to_ca_bundle(
    https_emulator, pki, tmp_path, ca_bundle
):
    project = make_project(tmp_path)
    config = connector_config(https_emulator, max_retries=3)  # retrying a certificate problem cannot help anyway
    if ca_bundle:
        config["ca_bundle"] = pki[ca_bundle]
    before = https_emulator.control.stats()["requests_total"]
    result = fivetran_debug(project, config, state={})
    assert not result.succeeded and "SYNC FAILED" in result.output
    error = _error_line(result.output)
    assert "ca_bundle" in error, error
    assert "certificate" in error.lower(), error
    assert https_emulator.control.stats()["requests_total"] == before  # no request got through the handshake
    assert "checkpoint recorded" not in result.output


def test_with_the_private_ca_in_ca_bundle_the_https_sync_lands_every_record(https_emulator, pki, tmp_path):
    https_emulator.control.reset()
    syncer = Syncer(make_project(tmp_path), https_emulator, ca_bundle=pki["ca_pem"])
    assert syncer.config["protocol"] == "https"
    syncer.sync()
    syncer.assert_clean("TLS: private CA pasted into ca_bundle")
    assert https_emulator.control.stats()["by_status"].get("200", 0) > 6
