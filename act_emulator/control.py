"""The control API under /_emulator/ (only with --control): lets tests see the truth and change the world.

Snapshot the data, mutate it, corrupt records, reset it, read stats, change settings, script faults, list or
expire tokens and add custom fields, all as JSON. `/_emulator/` cannot clash with Act!'s own paths, which all live
under the API prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .corruption import KINDS as CORRUPTION_KINDS
from .settings import parse_records
from .tables import TABLES

if TYPE_CHECKING:
    from .app import Emulator

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
    known = {"table", "edit", "insert", "delete", "same_timestamp", "ids"}
    if set(body) - known:
        raise ValueError(f"unknown mutate key(s) {sorted(set(body) - known)}")
    table = body.get("table")
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLES)}")
    result = emulator.store.mutate(
        table,
        int(body.get("edit", 0)),
        int(body.get("insert", 0)),
        int(body.get("delete", 0)),
        bool(body.get("same_timestamp", False)),
        body.get("ids"),
    )
    return {"edited": result.edited, "inserted": result.inserted, "deleted": result.deleted}


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
    if table not in TABLES:
        return _bad(f"unknown table {table!r}", 404)
    fields = request.query_params.get("fields")
    names = [name.strip() for name in fields.split(",") if name.strip()] if fields else None
    return _json(_emulator(request).store.snapshot(table, names))


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
    result = _emulator(request).store.corrupt(table, kind, int(body.get("count", 0)), ids)
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
    return _json(
        {"seed": emulator.settings.seed, "counts": {name: len(data) for name, data in emulator.store.tables.items()}}
    )


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


@_guarded
async def custom_fields(request: Request) -> Response:
    body = await _body(request)
    from .api import RECORD_TYPES

    record_type = RECORD_TYPES.get(str(body.get("record_type", "")).lower())
    if record_type is None or not body.get("name"):
        raise ValueError("custom-fields needs record_type (Contact, Company, Group, Opportunity, Product) and name")
    column = _emulator(request).store.add_custom_field(
        record_type, str(body["name"]), str(body.get("type", "Character"))
    )
    return _json(column)


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
    ]
