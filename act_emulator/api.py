"""The Act! Web API endpoints: /authorize, the collections, single records, product lines, associated-* lists (group
membership, company associations) and field metadata.

Paths match case-insensitively, as on IIS (`/api/Products` == `/api/products`); which activity paths exist depends
on the API generation (`legacy`: /api/activities and /api/activity-types, `current`: /api/tasks and /api/task-types).
Errors look like ASP.NET Web API's: a JSON object with a `Message`.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from . import pacing
from .auth import AuthError
from .emulator import Emulator
from .odata import INVALID_QUERY, ODataError, parse_query
from .relations import RELATIONS
from .routes import RECORD_TYPES
from .store import JsonArray, normalise_id
from .tables import TABLES

JSON = "application/json; charset=utf-8"


CHUNK = 256 * 1024


class JSONResponse(Response):
    """A JSON body with Content-Length, handed to the server in 256 KiB pieces: asyncio's transport buffers one big
    write in a bytearray it shifts after every socket send (quadratic on a 25 MB page); small pieces with flow
    control keep that buffer small."""

    media_type = JSON

    async def __call__(self, scope, receive, send) -> None:
        body = self.body
        if len(body) <= CHUNK:
            return await super().__call__(scope, receive, send)
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        view = memoryview(body)
        for offset in range(0, len(body), CHUNK):
            await send(
                {
                    "type": "http.response.body",
                    "body": view[offset : offset + CHUNK],
                    "more_body": offset + CHUNK < len(body),
                }
            )


class PageResponse(Response):
    """A collection page (store.JsonArray) streamed in chunks with its exact Content-Length."""

    media_type = JSON

    def __init__(self, page: JsonArray):
        self.page = page
        super().__init__(b"", 200)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.raw_headers.append((b"content-length", str(page.length).encode()))

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if scope.get("method") == "HEAD":
            return await send({"type": "http.response.body", "body": b"", "more_body": False})
        for chunk in self.page.chunks(CHUNK):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    if isinstance(body, JsonArray):
        return PageResponse(body)
    return JSONResponse(body if isinstance(body, bytes) else orjson.dumps(body), status_code=status, headers=headers)


def error(status: int, message: str, **extra) -> Response:
    return json_response({"Message": message, **extra}, status)


def not_found(request: Request) -> Response:
    return error(404, f"No HTTP resource was found that matches the request URI '{request.url}'.")


async def endpoint(request: Request) -> Response:
    """Every request under the API prefix lands here (the outer ASGI layer already applied faults and limits)."""
    emulator: Emulator = request.app.state.emulator
    route = emulator.routes.resolve(request.path_params.get("rest", ""))
    if route is None:
        return not_found(request)
    if request.method not in ("GET", "HEAD"):
        return error(405, f"The requested resource does not support http method '{request.method}'.")
    kind, table_name, argument = route
    if kind == "authorize":
        return authorize(emulator, request)
    try:
        emulator.auth.check(request.headers.get("authorization"))
    except AuthError as exc:
        return unauthorized(exc)
    if kind == "metadata":
        return metadata(emulator, request, argument)
    if kind == "associated":
        return await associated(emulator, request, table_name, *argument)
    table = TABLES[table_name]
    data = emulator.database.tables[table_name]
    if kind == "single":
        try:
            blob = data.get_blob(normalise_id(table, argument))
        except ValueError:
            return error(
                400, "The request is invalid.", MessageDetail=f"The value '{argument}' is not a valid identifier."
            )
        if blob is None:
            return error(404, f"The {table.model.split('.')[-1]} with id '{argument}' was not found.")
        return json_response(blob)
    parent = None
    if kind == "children":
        try:
            parent = normalise_id(TABLES["opportunities"], argument)
        except ValueError:
            return error(
                400, "The request is invalid.", MessageDetail=f"The value '{argument}' is not a valid identifier."
            )
        if parent not in emulator.database.tables["opportunities"].key_of:  # deleted, hidden or never there
            return error(404, f"The Opportunity with id '{argument}' was not found.")
    return await served_page(emulator, request, table_name, parent_id=parent)


async def served_page(emulator: Emulator, request: Request, table_name: str, **scope) -> Response:
    """A page of `table_name` (within `scope`: a parent's children or an owner's associated records) answering the
    request's OData, cut at the page cap (`--max-page-size`) and sent at the serving pace (`--serve-rate`)."""
    table = TABLES[table_name]
    try:
        query = parse_query(request.query_params.multi_items(), table.definition, table.id_type)
    except ODataError as exc:
        return bad_query(exc)
    limit = query.top
    cap = emulator.settings.max_page_size
    if cap:
        limit = cap if limit is None else min(limit, cap)
    answer = emulator.database.tables[table_name].query(query, limit, **scope)
    await pacing.hold(answer, emulator.settings.serve_rate)
    return json_response(answer)


async def associated(emulator: Emulator, request: Request, relation: str, owner_table: str, argument: str) -> Response:
    """/api/groups/{groupId}/associated-contacts, /api/companies/{companyId}/associated-contacts and
    /api/contacts/{contactId}/associated-companies: the linked records, full, with OData and the page cap applied
    as to a collection; 404 when the owner is not served (deleted, hidden or never there)."""
    spec = RELATIONS[relation]
    served_table = spec.right if owner_table == spec.left else spec.left
    owner_data = emulator.database.tables[owner_table]
    try:
        owner = normalise_id(owner_data.table, argument)
    except ValueError:
        return error(400, "The request is invalid.", MessageDetail=f"The value '{argument}' is not a valid identifier.")
    if owner not in owner_data.key_of:
        return error(404, f"The {owner_data.table.model.split('.')[-1]} with id '{argument}' was not found.")
    members = emulator.database.associated(relation, owner_table, owner)
    return await served_page(emulator, request, served_table, members=members)


def bad_query(exc: ODataError) -> Response:
    return error(
        400, INVALID_QUERY + str(exc), ExceptionMessage=str(exc), ExceptionType="Microsoft.OData.ODataException"
    )


def unauthorized(exc: AuthError) -> Response:
    return json_response({"Message": str(exc)}, 401, {"WWW-Authenticate": exc.challenge})


def authorize(emulator: Emulator, request: Request) -> Response:
    try:
        token = emulator.auth.authorize(request.headers.get("authorization"), request.headers.get("act-database-name"))
    except AuthError as exc:
        return unauthorized(exc)
    emulator.stats.tokens_issued += 1
    return json_response(orjson.dumps(token))


def metadata(emulator: Emulator, request: Request, record_type: str) -> Response:
    canonical = RECORD_TYPES.get(record_type.lower())
    if canonical is None:
        return error(
            400,
            f"The record type '{record_type}' is not valid.",
            MessageDetail="Expected one of Contact, Company, Group, Opportunity, Product.",
        )
    columns = emulator.database.field_columns(canonical)
    try:
        query = parse_query(request.query_params.multi_items(), "act.web.api.models.MetaData.Schema.Column")
    except ODataError as exc:
        return bad_query(exc)
    items = [column for column in columns if query.matches(column)]
    query.sort(items)
    items = items[query.skip :] if query.top is None else items[query.skip : query.skip + query.top]
    return json_response([query.project(column) for column in items])
