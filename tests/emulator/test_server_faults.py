"""The awkward parts over HTTP: scripted fault plans of every kind, random faults, 429 with each Retry-After form,
page-size caps, and the scripted mutation that lands between two pages."""

import email.utils

import pytest
import requests

from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emu():
    with start_emulator(records="small") as running:
        yield running


@pytest.fixture()
def api(emu):
    emu.control.clear_plan()
    emu.control.config(max_page_size=None, rate_limit=0, fault_rate=0, retry_after="seconds", slow_seconds=30)
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + emu.token()

    def get(path="/api/contacts", timeout=10, **params):
        return session.get(emu.base_url + path, params=params, timeout=timeout)

    yield get
    emu.control.clear_plan()
    emu.control.config(max_page_size=None, rate_limit=0, fault_rate=0, retry_after="seconds", slow_seconds=30)


def test_plan_skip_times_then_normal(emu, api):
    emu.control.plan([{"match": "/API/Contacts", "skip": 1, "times": 2, "fault": "503"}])
    assert [api(**{"$top": "1"}).status_code for _ in range(4)] == [200, 503, 503, 200]
    assert api("/api/companies").status_code == 200


@pytest.mark.parametrize(
    "fault,status", [("500", 500), ("502", 502), ("503", 503), ("504", 504), ("401", 401), ("429", 429)]
)
def test_plan_status_faults(emu, api, fault, status):
    emu.control.plan([{"match": "/api/contacts", "fault": fault}])
    response = api()
    assert response.status_code == status
    assert "Message" in response.json()
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 429:
        assert response.headers["Retry-After"] == "1"
    assert api().status_code == 200


def test_not_array_malformed_truncate(emu, api):
    emu.control.plan(
        [
            {"match": "/api/contacts", "fault": "not-array"},
            {"match": "/api/contacts", "fault": "malformed"},
            {"match": "/api/contacts", "fault": "truncate"},
        ]
    )
    response = api()
    assert response.status_code == 200 and isinstance(response.json(), dict)
    for _ in range(2):
        response = api()
        assert response.status_code == 200
        with pytest.raises(ValueError):
            response.json()
    assert isinstance(api().json(), list)


def test_reset_is_a_connection_error(emu, api):
    emu.control.plan([{"match": "/api/contacts", "fault": "reset"}])
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        api().content
    assert api().status_code == 200
    assert emu.control.stats()["faults"]["reset"] == 1


def test_slow_past_client_timeout(emu, api):
    emu.control.config(slow_seconds=1.5)
    emu.control.plan([{"match": "/api/contacts", "fault": "slow"}])
    with pytest.raises(requests.exceptions.ReadTimeout):
        api(timeout=0.3)
    assert api().status_code == 200


def test_authorize_fault(emu, api):
    emu.control.plan([{"match": "/authorize", "fault": "503"}])
    with pytest.raises(requests.HTTPError):
        emu.token()
    assert emu.token().startswith("eyJ")


def test_random_faults_seeded(emu, api):
    emu.control.config(fault_rate=1.0, fault_kinds=["502", "504"])
    statuses = {api().status_code for _ in range(12)}
    assert statuses <= {502, 504} and statuses
    assert emu.token()  # /authorize is not an /api/ call: no random faults there
    emu.control.config(fault_rate=0)
    assert api().status_code == 200


@pytest.mark.parametrize("form", ["seconds", "http-date", "none"])
def test_rate_limit_429_retry_after(emu, api, form):
    emu.control.config(rate_limit=0.01, retry_after=form)  # burst 1, then one request per 100 s
    assert api().status_code == 200
    response = api()
    assert response.status_code == 429
    value = response.headers.get("Retry-After")
    if form == "seconds":
        assert 90 <= int(value) <= 100
    elif form == "http-date":
        assert email.utils.parsedate_to_datetime(value).year >= 2026
    else:
        assert value is None
    assert emu.control.stats()["rate_limited"] >= 1


def test_max_page_size_caps_top_and_missing_top(emu, api):
    emu.control.config(max_page_size=7)
    assert len(api(**{"$top": "100"}).json()) == 7
    assert len(api().json()) == 7
    assert len(api(**{"$top": "3"}).json()) == 3
    emu.control.config(max_page_size=None)
    assert len(api().json()) == 200


def test_mutation_plan_lands_between_pages(emu, api):
    before = len(api().json())
    emu.control.plan([{"match": "/api/contacts", "skip": 1, "mutate": {"table": "contacts", "insert": 2}}])
    assert len(api().json()) == before
    assert len(api().json()) == before + 2
    assert len(api().json()) == before + 2
    assert emu.control.stats()["by_path"]["contacts"] >= 3


def test_empty_page_in_the_middle_of_a_walk(emu, api):
    emu.control.config(max_page_size=50)
    emu.control.plan([{"match": "/api/contacts", "skip": 2, "times": 1, "fault": "empty"}])
    pages = [api(**{"$orderby": "id asc", "$skip": str(50 * n)}) for n in range(4)]
    assert [p.status_code for p in pages] == [200] * 4
    assert [len(p.json()) for p in pages] == [50, 50, 0, 50]
    assert pages[2].content == b"[]" and pages[2].headers["Content-Type"].startswith("application/json")
    assert len(api(**{"$orderby": "id asc", "$skip": "100"}).json()) == 50  # the same page again is full
    assert emu.control.stats()["faults"]["empty"] == 1


@pytest.mark.parametrize("fault,status", [("500", 500), ("404", 404), ("503", 503)])
def test_metadata_can_fail(emu, api, fault, status):
    emu.control.plan([{"match": "/api/metadata/", "fault": fault}])
    response = api("/api/metadata/Contact/fields")
    assert response.status_code == status and "Message" in response.json()
    assert api("/api/metadata/Contact/fields").status_code == 200


def test_empty_and_404_are_random_fault_kinds_too(emu, api):
    emu.control.config(fault_rate=1, fault_kinds="empty")
    assert api().json() == []
    emu.control.config(fault_kinds="404")
    assert api().status_code == 404
