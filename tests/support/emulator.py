"""Start the Act! emulator as a real subprocess and drive it: what connector and emulator tests build on.

    with start_emulator(records="small", max_page_size=500) as emu:
        token = emu.token()                      # GET /authorize with the demo credentials
        emu.control.mutate("contacts", edit=3)   # POST /_emulator/mutate
        emu.control.plan([{"match": "/api/contacts", "fault": "503"}])

`start_emulator(**flags)` turns keyword arguments into CLI flags (`max_page_size=500` -> `--max-page-size 500`,
`records={"contacts": 10}` -> `--records contacts=10`, `control=True` -> `--control`); `--port 0 --control` are
always passed. The process prints its base URL on one line; `RunningEmulator` reads it and exposes the parts.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

REPO = Path(__file__).resolve().parents[2]
DEFAULTS = {"username": "demo", "password": "Act!Demo2026", "database": "ActDemo"}


def _flags(flags: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for name, value in flags.items():
        option = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(option)
        elif isinstance(value, dict):
            args += [option, ",".join(f"{k}={v}" for k, v in value.items())]
        elif isinstance(value, (list, tuple)):
            args += [option, ",".join(str(v) for v in value)]
        else:
            args += [option, str(value)]
    return args


class EmulatorControl:
    """Client of the /_emulator/ control API (requires the emulator to run with --control)."""

    def __init__(self, root_url: str, session: requests.Session | None = None, verify: Any = True):
        self.root = root_url.rstrip("/") + "/_emulator"
        self.session = session or requests.Session()
        self.verify = verify  # passed per call: REQUESTS_CA_BUNDLE would override a session setting

    def _call(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        response = self.session.request(
            method, self.root + path, json=json, params=params, timeout=120, verify=self.verify
        )
        if response.status_code >= 400:
            raise RuntimeError(f"control {method} {path} -> {response.status_code}: {response.text}")
        return response.json()

    def snapshot(self, table: str, fields: list[str] | None = None) -> dict:
        """{"table", "cursor_field", "records": [...], "deleted_ids": [...], "corrupted": {id: kind},
        "served_without_id": [...]}: the truth now. For the relations `group_contacts` / `company_contacts`:
        records are {"group_id", "contact_id"} / {"company_id", "contact_id"} pairs the API serves now,
        `cursor_field` None, `keys` the two key names, `deleted_ids` always [] (a pair not listed is not live)."""
        params = {"fields": ",".join(fields)} if fields else None
        return self._call("GET", f"/snapshot/{table}", params=params)

    def mutate(
        self,
        table: str,
        edit: int = 0,
        insert: int = 0,
        delete: int = 0,
        same_timestamp: bool = False,
        ids: list | None = None,
        edited_offset_seconds: float | None = None,
        parent: str | None = None,
        touch_parent: bool = False,
    ) -> dict:
        """Edit/insert/delete now; returns {"edited": [ids], "inserted": [ids], "deleted": [ids]}.

        `edited_offset_seconds` back-dates the stamps of the edits and inserts (e.g. -7200: content changes, the
        cursor is two hours old). `parent` (opportunity_products only) picks the product lines of that opportunity
        and puts inserts on it; `touch_parent` moves that opportunity's `edited` too (default: it stays)."""
        body = {"table": table, "edit": edit, "insert": insert, "delete": delete, "same_timestamp": same_timestamp}
        if ids:
            body["ids"] = list(ids)
        if edited_offset_seconds is not None:
            body["edited_offset_seconds"] = edited_offset_seconds
        if parent is not None:
            body["parent"] = parent
        if touch_parent:
            body["touch_parent"] = True
        return self._call("POST", "/mutate", json=body)

    def link(
        self, table: str, record_id, array: str, add: list | None = None, remove: list | None = None, touch: bool = True
    ) -> dict:
        """Add/remove items of a record's embedded link array (opportunities: contacts, companies, groups;
        activities, notes, histories: also opportunities); `touch` moves the record's `edited`.
        Returns {"id", "array", "ids": [linked ids now], "edited"}."""
        body = {"table": table, "id": record_id, "array": array, "add": list(add or []), "remove": list(remove or [])}
        return self._call("POST", "/links", json=dict(body, touch=touch))

    def unlink(self, table: str, record_id, array: str, ids: list, touch: bool = True) -> dict:
        """Remove linked ids from a record's embedded array (see `link`)."""
        return self.link(table, record_id, array, remove=ids, touch=touch)

    def group_members(self, group_id, add: list | None = None, remove: list | None = None) -> dict:
        """Add contacts to a group and remove others; no `edited` moves (the group's `contacts` count follows).
        Returns {"group_id", "contact_ids": [members now], "added": [ids], "removed": [ids]}."""
        body = {"group_id": group_id, "add": list(add or []), "remove": list(remove or [])}
        return self._call("POST", "/group-members", json=body)

    def company_contacts(
        self,
        company_id,
        add: list | None = None,
        remove: list | None = None,
        touch_contact: bool = True,
        touch_company: bool = True,
    ) -> dict:
        """Associate contacts with a company and dissociate others; `touch_contact` / `touch_company` move the
        changed contacts' / the company's `edited`. Returns {"company_id", "contact_ids": [associated now],
        "added": [ids], "removed": [ids], "edited": company stamp now, "contacts_edited": {contact id: stamp}}."""
        body = {
            "company_id": company_id,
            "add": list(add or []),
            "remove": list(remove or []),
            "touch_contact": touch_contact,
            "touch_company": touch_company,
        }
        return self._call("POST", "/company-contacts", json=body)

    def hide(self, table: str, ids: list | None = None, count: int = 0) -> list:
        """Stop serving records (private records) without deleting them; snapshot lists them as deleted.
        Returns the ids hidden."""
        body: dict = {"table": table, "count": count}
        if ids:
            body["ids"] = list(ids)
        return self._call("POST", "/hide", json=body)["hidden"]

    def unhide(self, table: str, ids: list | None = None) -> list:
        """Serve hidden records again, stamps unchanged (all hidden ones when `ids` is None); returns their ids."""
        body: dict = {"table": table}
        if ids is not None:
            body["ids"] = list(ids)
        return self._call("POST", "/unhide", json=body)["unhidden"]

    def corrupt(self, table: str, kind: str, count: int = 1, ids: list | None = None) -> dict:
        """Serve `ids` (or `count` seeded-chosen records) corrupted from now on, cursor stamped now; kind is one of
        missing-id, missing-cursor, extra-field, wrong-type, non-utf8, huge-text.
        Returns {"table", "kind", "corrupted": [ids], "fields": [properties spoiled]}."""
        body: dict = {"table": table, "kind": kind, "count": count}
        if ids:
            body["ids"] = list(ids)
        return self._call("POST", "/corrupt", json=body)

    def reset(self, seed: int | None = None, records: dict | str | None = None) -> dict:
        """Regenerate the data (same seed unless given) and clear stats, plans, deleted and hidden ids, corruptions
        and run-time custom field changes; settings (id_format, offsets...) stay."""
        body: dict = {}
        if seed is not None:
            body["seed"] = seed
        if records is not None:
            body["records"] = records
        return self._call("POST", "/reset", json=body)

    def stats(self) -> dict:
        return self._call("GET", "/stats")

    def config(self, **changes) -> dict:
        """Change settings at run time (max_page_size, rate_limit, retry_after, fault_rate, fault_kinds,
        slow_seconds, token_ttl, api, date_offset_seconds, created_offset_seconds, id_format); with no arguments
        returns the current ones."""
        return self._call("POST", "/config", json=changes) if changes else self._call("GET", "/config")

    def plan(self, entries: list[dict]) -> dict:
        """Add scripted events: {"match", "skip", "times", "fault"} or {"match", "skip", "mutate": {...}}."""
        return self._call("POST", "/plan", json=entries)

    def clear_plan(self) -> dict:
        return self._call("DELETE", "/plan")

    def expire_tokens(self) -> dict:
        return self._call("POST", "/expire-tokens")

    def tokens(self) -> list[str]:
        """The JWTs /authorize issued so far, oldest first (the most recent 1,000): for scanning logs for leaks."""
        return self._call("GET", "/tokens")["tokens"]

    def add_custom_field(self, record_type: str, name: str, type: str = "Character") -> dict:
        """Add a custom field definition; returns its MetaData.Schema.Column."""
        return self._call("POST", "/custom-fields", json={"record_type": record_type, "name": name, "type": type})

    def rename_custom_field(self, record_type: str, name: str, new_name: str) -> dict:
        """Rename a field (same metadata id; records' customFields keys follow; no `edited` moves); returns its
        new Column."""
        body = {"record_type": record_type, "name": name, "new_name": new_name}
        return self._call("POST", "/custom-fields/rename", json=body)

    def delete_custom_field(self, record_type: str, name: str) -> dict:
        """Delete a field from the metadata and every record (no `edited` moves); returns the Column it had."""
        return self._call("POST", "/custom-fields/delete", json={"record_type": record_type, "name": name})

    def retype_custom_field(self, record_type: str, name: str, type: str) -> dict:
        """Change a field's type; values converted (or drawn anew); no `edited` moves; returns its new Column."""
        body = {"record_type": record_type, "name": name, "type": type}
        return self._call("POST", "/custom-fields/retype", json=body)


class RunningEmulator:
    """A started emulator process: `.base_url` (…/act.web.api), `.host`, `.port`, credentials, `.control`."""

    def __init__(self, process: subprocess.Popen, base_url: str, flags: dict, verify: Any = True):
        self.process = process
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.root_url = f"{parts.scheme}://{parts.netloc}"
        self.api_path = parts.path
        self.username = flags.get("username", DEFAULTS["username"])
        self.password = flags.get("password", DEFAULTS["password"])
        self.database = flags.get("database", DEFAULTS["database"])
        self.verify = verify  # for HTTPS: the CA file given as tls_ca, else False
        self.control = EmulatorControl(self.root_url, verify=self.verify)

    def basic_auth_header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()

    def api_get(self):
        """A GET function on one keep-alive session with a Bearer token: `get("/api/contacts", **odata)`; the
        function's `.session` is the session."""
        session = requests.Session()
        session.verify = self.verify
        session.headers["Authorization"] = "Bearer " + self.token()

        def get(path: str, **params):
            return session.get(self.base_url + path, params=params, timeout=30)

        get.session = session
        return get

    def token(self) -> str:
        """A fresh JWT from GET /authorize with this emulator's credentials."""
        response = requests.get(
            self.base_url + "/authorize",
            timeout=30,
            verify=self.verify,
            headers={"Authorization": self.basic_auth_header(), "Act-Database-Name": self.database},
        )
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.control.session.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_emulator(startup_timeout: float = 120.0, tls_ca: str | None = None, **flags) -> RunningEmulator:
    """Start `python -m act_emulator --port 0 --control <flags>` and wait for its URL line.

    With `tls_cert`/`tls_key` the helpers verify HTTPS against `tls_ca` (a CA file) or not at all."""
    flags = {"port": 0, "control": True, **flags}
    cmd = [sys.executable, "-m", "act_emulator"] + _flags(flags)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(startup_timeout)
    if not lines or not lines[0].strip():
        process.kill()
        process.wait(timeout=10)
        stderr = process.stderr.read()
        raise RuntimeError(f"emulator did not start: {' '.join(cmd)}\n{stderr}")
    # keep draining stderr so a chatty server never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    verify: Any = True
    if flags.get("tls_cert"):
        verify = str(tls_ca) if tls_ca else False
    return RunningEmulator(process, lines[0].strip(), flags, verify)
