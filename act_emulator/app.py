"""The emulator assembled as an ASGI application: the gateway (faults, limits, Date) outside, Starlette routes to
the Act! API and, with --control, the control API inside."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import api, control
from .emulator import Emulator
from .gateway import Gateway

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _not_found(request: Request, exc) -> Response:
    return api.not_found(request)


def build_app(emulator: Emulator) -> Gateway:
    """The ASGI application serving `emulator`."""
    routes = [Route(emulator.settings.api_path + "/{rest:path}", api.endpoint, methods=ALL_METHODS)]
    if emulator.settings.control:
        routes += control.routes()
    inner = Starlette(routes=routes, exception_handlers={404: _not_found})
    inner.state.emulator = emulator
    return Gateway(emulator, inner)
