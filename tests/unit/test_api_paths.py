"""Which generation of the Act! Web API a server speaks, found with the question a full pass of the probed table
starts with (its newest stamp), whose answer is kept for that pass: one request fewer before its first page."""

from __future__ import annotations

import pytest
from fivetran_connector_sdk import Logging

from act.api_paths import detect_generation
from act.client import ActApiError
from act.keyset import newest_stamp_query
from act.tables import SPECS_BY_NAME

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _quiet_sdk_log(monkeypatch):
    monkeypatch.setattr(Logging, "LOG_LEVEL", Logging.Level.WARNING)  # set by the SDK's runner in a real sync


NEWEST = [{"id": "6a6bcb33-1aca-4869-b1a0-7bbde6c5362d", "edited": "2026-11-30T10:00:00Z"}]


class _Server:
    """Answers collection GETs on the paths it has; 404 elsewhere (as ActClient reports it)."""

    def __init__(self, paths: set[str]) -> None:
        self.paths, self.asked = paths, []
        self.base_url = "https://act.example.com/act.web.api"

    def get_collection(self, path: str, params: dict) -> list:
        self.asked.append((path, params))
        if path not in self.paths:
            raise ActApiError(f"GET {path} failed with HTTP 404", 404)
        return NEWEST


SPECS = [SPECS_BY_NAME[name] for name in ("contacts", "activities", "activity_types")]


@pytest.mark.parametrize(("paths", "expected"), [({"/api/tasks"}, "current"), ({"/api/activities"}, "legacy")])
def test_the_generation_is_asked_with_the_newest_stamp_query_and_its_answer_kept(paths, expected):
    server = _Server(paths)
    generation = detect_generation(server, SPECS, "auto")  # type: ignore[arg-type]
    assert generation.name == expected
    assert generation.newest_stamps == {"activities": NEWEST}
    assert all(params == newest_stamp_query("edited") for _, params in server.asked)
    assert len(server.asked) == (1 if expected == "current" else 2)


def test_a_configured_generation_asks_nothing():
    server = _Server(set())
    generation = detect_generation(server, SPECS, "legacy")  # type: ignore[arg-type]
    assert (generation.name, generation.newest_stamps, server.asked) == ("legacy", {}, [])


def test_a_server_with_neither_path_fails_with_what_to_check():
    with pytest.raises(ActApiError, match="neither /api/tasks nor /api/activities"):
        detect_generation(_Server(set()), SPECS, "auto")  # type: ignore[arg-type]
