"""The control API under /_emulator/ (only with --control): lets tests see the truth and change the world.

Snapshot the data (tables and the group_contacts / company_contacts relations), mutate it, change links, group
members and company associations, hide records, corrupt records, reset it, read stats, change settings,
script faults, list or expire tokens and add, rename, delete or retype custom fields, all as JSON. Handlers only
check the JSON and call the database (database.py), which does the work. `/_emulator/` cannot clash with Act!'s own paths, which all live
under the API prefix.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .corruption import KINDS as CORRUPTION_KINDS
from .emulator import Emulator
from .relations import RELATIONS
from .routes import RECORD_TYPES
from .settings import parse_records
from .tables import TABLES

PREFIX = "/_emulator"


def _json(body, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _bad(message: str, status: int = 400) -> Response:
    return _json({"error": message}, status)


async def _body(request: Request):
    raw = await request.body()
    if not raw.strip():
        return {}
    return orjson.loads(raw)


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


def apply_mutation(emulator: Emulator, body: dict) -> dict:
    """Run one mutate request (also used by `mutate` plan entries); returns the changed ids."""
    known = {
        "table",
        "edit",
        "insert",
        "delete",
        "same_timestamp",
        "ids",
        "edited_offset_seconds",
        "parent",
        "touch_parent",
    }
    if set(body) - known:
        raise ValueError(f"unknown mutate key(s) {sorted(set(body) - known)}")
    offset = body.get("edited_offset_seconds")
    result = emulator.database.mutate(
        _table(body),
        int(body.get("edit", 0)),
        int(body.get("insert", 0)),
        int(body.get("delete", 0)),
        bool(body.get("same_timestamp", False)),
        body.get("ids"),
        None if offset is None else float(offset),
        body.get("parent"),
        bool(body.get("touch_parent", False)),
    )
    return {"edited": result.edited, "inserted": result.inserted, "deleted": result.deleted}


def _table(body: dict) -> str:
    """The body's `table`, which must be one the emulator serves."""
    table = body.get("table")
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    return table


def _checked(body: dict, allowed: set, call: str) -> dict:
    unknown = set(body) - allowed
    if unknown:
        raise ValueError(f"unknown {call} key(s) {sorted(unknown)}; known: {', '.join(sorted(allowed))}")
    return body


def _ids(body: dict) -> list | None:
    ids = body.get("ids")
    if ids is not None and not isinstance(ids, list):
        raise ValueError("ids must be a list")
    return ids


def _guarded(handler):
    async def wrapper(request: Request) -> Response:
        try:
            return await handler(request)
        except (ValueError, TypeError, KeyError, orjson.JSONDecodeError) as exc:
            return _bad(str(exc))

    return wrapper


@_guarded
async def snapshot(request: Request) -> Response:
    table = request.path_params["table"]
    if table not in TABLES and table not in RELATIONS:
        return _bad(f"unknown table {table!r}", 404)
    fields = request.query_params.get("fields")
    names = [name.strip() for name in fields.split(",") if name.strip()] if fields else None
    return _json(_emulator(request).database.snapshot(table, names))


@_guarded
async def mutate(request: Request) -> Response:
    return _json(apply_mutation(_emulator(request), await _body(request)))


@_guarded
async def corrupt(request: Request) -> Response:
    body = await _body(request)
    unknown = set(body) - {"table", "kind", "count", "ids"}
    if unknown:
        raise ValueError(f"unknown corrupt key(s) {sorted(unknown)}")
    table = body.get("table")
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    kind = body.get("kind")
    if kind not in CORRUPTION_KINDS:
        raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(CORRUPTION_KINDS)}")
    ids = body.get("ids")
    if ids is not None and not isinstance(ids, list):
        raise ValueError("ids must be a list")
    result = _emulator(request).database.corrupt(table, kind, int(body.get("count", 0)), ids)
    return _json({"table": table, "kind": kind, **result})


@_guarded
async def reset(request: Request) -> Response:
    body = await _body(request)
    records = body.get("records")
    if isinstance(records, str):
        records = parse_records(records)
    elif records is not None:
        records = parse_records(",".join(f"{k}={v}" for k, v in records.items()))
    emulator = _emulator(request)
    emulator.reset(body.get("seed"), records)
    return _json({"seed": emulator.settings.seed, "counts": emulator.database.counts_now()})


@_guarded
async def stats(request: Request) -> Response:
    return _json(_emulator(request).stats.view())


@_guarded
async def config(request: Request) -> Response:
    emulator = _emulator(request)
    if request.method == "POST":
        emulator.configure(await _body(request))
    return _json(emulator.settings.runtime_view())


@_guarded
async def plan(request: Request) -> Response:
    plans = _emulator(request).plans
    if request.method == "DELETE":
        plans.clear()
    elif request.method == "POST":
        body = await _body(request)
        entries = body if isinstance(body, list) else body.get("plan", [body])
        for entry in entries:
            if entry.get("mutate") is not None and entry["mutate"].get("table") not in TABLES:
                raise ValueError(f"unknown table in mutate plan: {entry['mutate'].get('table')!r}")
        plans.add(entries)
    return _json({"plan": [entry.view() for entry in plans.entries]})


@_guarded
async def expire_tokens(request: Request) -> Response:
    _emulator(request).auth.expire_all()
    return _json({"expired": True})


@_guarded
async def tokens(request: Request) -> Response:
    auth = _emulator(request).auth
    return _json({"tokens": list(auth.tokens), "issued": auth.issued})


def _record_type(body: dict) -> str:
    record_type = RECORD_TYPES.get(str(body.get("record_type", "")).lower())
    if record_type is None or not body.get("name"):
        raise ValueError("needs record_type (Contact, Company, Group, Opportunity, Product) and name")
    return record_type


@_guarded
async def custom_fields(request: Request) -> Response:
    body = _checked(await _body(request), {"record_type", "name", "type"}, "custom-fields")
    database = _emulator(request).database
    return _json(database.add_custom_field(_record_type(body), str(body["name"]), str(body.get("type", "Character"))))


@_guarded
async def rename_custom_field(request: Request) -> Response:
    body = _checked(await _body(request), {"record_type", "name", "new_name"}, "rename")
    if not body.get("new_name"):
        raise ValueError("rename needs new_name")
    database = _emulator(request).database
    return _json(database.rename_custom_field(_record_type(body), str(body["name"]), str(body["new_name"])))


@_guarded
async def delete_custom_field(request: Request) -> Response:
    body = _checked(await _body(request), {"record_type", "name"}, "delete")
    return _json(_emulator(request).database.delete_custom_field(_record_type(body), str(body["name"])))


@_guarded
async def retype_custom_field(request: Request) -> Response:
    body = _checked(await _body(request), {"record_type", "name", "type"}, "retype")
    if not body.get("type"):
        raise ValueError("retype needs type")
    database = _emulator(request).database
    return _json(database.retype_custom_field(_record_type(body), str(body["name"]), str(body["type"])))


@_guarded
async def links(request: Request) -> Response:
    body = _checked(await _body(request), {"table", "id", "array", "add", "remove", "touch"}, "links")
    for key in ("add", "remove"):
        if not isinstance(body.get(key, []), list):
            raise ValueError(f"{key} must be a list of ids")
    if body.get("id") is None or not body.get("array"):
        raise ValueError("links needs id and array")
    database = _emulator(request).database
    result = database.link(
        _table(body), body["id"], str(body["array"]), body.get("add"), body.get("remove"), bool(body.get("touch", True))
    )
    return _json(result)


def _id_list(body: dict, key: str) -> list:
    value = body.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list of ids")
    return value


@_guarded
async def group_members(request: Request) -> Response:
    body = _checked(await _body(request), {"group_id", "add", "remove"}, "group-members")
    if body.get("group_id") is None:
        raise ValueError("group-members needs group_id")
    database = _emulator(request).database
    return _json(database.group_members(body["group_id"], _id_list(body, "add"), _id_list(body, "remove")))


@_guarded
async def company_contacts(request: Request) -> Response:
    allowed = {"company_id", "add", "remove", "touch_contact", "touch_company"}
    body = _checked(await _body(request), allowed, "company-contacts")
    if body.get("company_id") is None:
        raise ValueError("company-contacts needs company_id")
    result = _emulator(request).database.company_contacts(
        body["company_id"],
        _id_list(body, "add"),
        _id_list(body, "remove"),
        bool(body.get("touch_contact", True)),
        bool(body.get("touch_company", True)),
    )
    return _json(result)


@_guarded
async def hide(request: Request) -> Response:
    body = _checked(await _body(request), {"table", "ids", "count"}, "hide")
    return _json({"hidden": _emulator(request).database.hide(_table(body), _ids(body), int(body.get("count", 0)))})


@_guarded
async def unhide(request: Request) -> Response:
    body = _checked(await _body(request), {"table", "ids"}, "unhide")
    return _json({"unhidden": _emulator(request).database.unhide(_table(body), _ids(body))})


def routes() -> list[Route]:
    return [
        Route(PREFIX + "/snapshot/{table}", snapshot, methods=["GET"]),
        Route(PREFIX + "/mutate", mutate, methods=["POST"]),
        Route(PREFIX + "/corrupt", corrupt, methods=["POST"]),
        Route(PREFIX + "/reset", reset, methods=["POST"]),
        Route(PREFIX + "/stats", stats, methods=["GET"]),
        Route(PREFIX + "/config", config, methods=["GET", "POST"]),
        Route(PREFIX + "/plan", plan, methods=["GET", "POST", "DELETE"]),
        Route(PREFIX + "/expire-tokens", expire_tokens, methods=["POST"]),
        Route(PREFIX + "/tokens", tokens, methods=["GET"]),
        Route(PREFIX + "/custom-fields", custom_fields, methods=["POST"]),
        Route(PREFIX + "/custom-fields/rename", rename_custom_field, methods=["POST"]),
        Route(PREFIX + "/custom-fields/delete", delete_custom_field, methods=["POST"]),
        Route(PREFIX + "/custom-fields/retype", retype_custom_field, methods=["POST"]),
        Route(PREFIX + "/links", links, methods=["POST"]),
        Route(PREFIX + "/group-members", group_members, methods=["POST"]),
        Route(PREFIX + "/company-contacts", company_contacts, methods=["POST"]),
        Route(PREFIX + "/hide", hide, methods=["POST"]),
        Route(PREFIX + "/unhide", unhide, methods=["POST"]),
    ]
