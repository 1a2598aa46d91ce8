"""The awkward parts of a real server, on purpose: seeded random faults and scripted, deterministic fault plans.

Random faults (`--fault-rate`, `--fault-kinds`, `--fault-seed`) hit `/api/` calls at a rate; plans (POST
/_emulator/plan) let a test say exactly which request fails how, or which request sees the data change under it.
The writers here speak raw ASGI because some faults are not HTTP responses at all: `reset` aborts the TCP
connection mid-body (RST), `truncate` sends a clean 200 whose body stops half way.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from dataclasses import asdict, dataclass, field

import orjson

from .settings import FAULT_KINDS, PLAN_FAULTS

JSON = b"application/json; charset=utf-8"
ERROR_BODIES = {
    500: {"Message": "An error has occurred."},
    502: {"Message": "Bad Gateway: the upstream Act! server did not answer properly."},
    503: {"Message": "The service is unavailable."},
    504: {"Message": "Gateway Timeout: the upstream Act! server did not answer in time."},
}


class RandomFaults:
    """Picks a fault for a fraction `rate` of calls, kinds uniformly, from a seeded generator (reproducible runs)."""

    def __init__(self, rate: float = 0.0, kinds=FAULT_KINDS, seed: int = 0):
        self.rng = random.Random(seed)
        self.configure(rate, kinds)

    def configure(self, rate: float | None = None, kinds=None) -> None:
        if rate is not None:
            if not 0.0 <= float(rate) <= 1.0:
                raise ValueError("fault_rate must be within 0..1")
            self.rate = float(rate)
        if kinds is not None:
            self.kinds = tuple(kinds)

    def pick(self) -> str | None:
        if self.rate <= 0 or not self.kinds:
            return None
        if self.rng.random() < self.rate:
            return self.rng.choice(self.kinds)
        return None


@dataclass
class PlanEntry:
    match: str
    skip: int = 0
    times: int = 1
    fault: str | None = None
    mutate: dict | None = None
    fired: int = field(default=0)

    @classmethod
    def from_dict(cls, data: dict) -> PlanEntry:
        unknown = set(data) - {"match", "skip", "times", "fault", "mutate"}
        if unknown or not isinstance(data.get("match"), str):
            raise ValueError(f"a plan entry needs 'match' and may have skip/times/fault/mutate; got {data}")
        fault = data.get("fault")
        if fault is not None:
            fault = str(fault).lower()
            if fault not in PLAN_FAULTS:
                raise ValueError(f"unknown fault {fault!r}; known: {', '.join(PLAN_FAULTS)}")
        if (fault is None) == (data.get("mutate") is None):
            raise ValueError("a plan entry has exactly one of 'fault' and 'mutate'")
        return cls(
            data["match"].lower(), int(data.get("skip", 0)), int(data.get("times", 1)), fault, data.get("mutate")
        )

    def view(self) -> dict:
        return asdict(self)


class Plans:
    """Scripted events, consumed in registration order: a request goes to the first unfinished entry whose `match`
    is a substring of its path; that entry lets `skip` such requests through, then fires `times` times."""

    def __init__(self):
        self.entries: list[PlanEntry] = []

    def add(self, entries: list[dict]) -> None:
        self.entries.extend(PlanEntry.from_dict(entry) for entry in entries)

    def clear(self) -> None:
        self.entries.clear()

    def take(self, path_lower: str) -> PlanEntry | None:
        for entry in self.entries:
            if entry.times <= 0 or entry.match not in path_lower:
                continue
            if entry.skip > 0:
                entry.skip -= 1
                return None
            entry.times -= 1
            entry.fired += 1
            return entry
        return None


# -------------------------------------------------------------------------------------------- fault writers


async def send_json(send, status: int, body, headers: list | None = None) -> None:
    payload = body if isinstance(body, bytes) else orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", JSON), (b"content-length", str(len(payload)).encode())] + (headers or []),
        }
    )
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def server_error(send, status: int) -> None:
    await send_json(send, status, ERROR_BODIES[status])


async def malformed(send) -> None:
    """200 with bytes that are not JSON (an HTML error page leaking through a proxy)."""
    await send_json(send, 200, b"<html><head><title>Runtime Error</title></head><body>Server Error in '/' Application.")


async def not_array(send) -> None:
    """200 with a JSON object where an array is expected (an OData v4 envelope)."""
    await send_json(send, 200, {"@odata.context": "$metadata#Collection", "value": []})


async def empty_page(send) -> None:
    """200 with `[]` where records exist: a spurious empty page (a proxy cache, a server timing out a query and
    answering nothing) that a client must not take for the end of a table."""
    await send_json(send, 200, b"[]")


async def not_found(send) -> None:
    """404 as ASP.NET Web API answers for a resource it does not know (e.g. metadata of a missing record type)."""
    await send_json(send, 404, {"Message": "No HTTP resource was found that matches the request URI."})


async def unauthorized(send) -> None:
    await send_json(
        send,
        401,
        {"Message": "Authorization has been denied for this request."},
        [(b"www-authenticate", b'Bearer realm="act.web.api", error="invalid_token"')],
    )


async def too_many_requests(send, retry_after: str | None) -> None:
    headers = [(b"retry-after", retry_after.encode())] if retry_after else []
    await send_json(send, 429, {"Message": "API calls quota exceeded! Please retry later."}, headers)


async def reset_connection(send) -> None:
    """Headers promising a long body, a few bytes of it, then a TCP reset. The client sees a connection error."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", JSON), (b"content-length", b"1048576")],
        }
    )
    await send({"type": "http.response.body", "body": b'[{"id":"', "more_body": True})
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("emulated connection reset")  # the server then closes the connection
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
    for _ in range(3):  # let the server notice the disconnect before the app returns
        await asyncio.sleep(0)


async def truncated(app, scope, receive, send) -> None:
    """The real response with its body cut in the middle; Content-Length matches the cut, so HTTP is clean."""
    start: dict = {}
    chunks: list[bytes] = []

    async def capture(message):
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    body = b"".join(chunks)
    body = body[: max(1, len(body) // 2)]
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": headers + [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


# -------------------------------------------------------------------------------------------- dispatch

_WRITERS = {"malformed": malformed, "not-array": not_array, "empty": empty_page, "404": not_found, "401": unauthorized}


async def answer(fault: str, app, scope, receive, raw_send, send, slow_seconds: float, retry_after: str | None):
    """Serve `fault` in place of (or around) `app`'s real answer. `raw_send` is the server's own send (a TCP reset
    needs its transport); `send` is the one that stamps Date and Server headers."""
    if fault == "slow":
        await asyncio.sleep(float(slow_seconds))
        return await app(scope, receive, send)
    if fault == "reset":
        return await reset_connection(raw_send)
    if fault == "truncate":
        return await truncated(app, scope, receive, send)
    if fault == "429":
        return await too_many_requests(send, retry_after)
    if fault in _WRITERS:
        return await _WRITERS[fault](send)
    await server_error(send, int(fault))
