"""The emulator's front door, in raw ASGI before Starlette routes a request: what IIS and the network do to it.

It sees every request first, with uvicorn's own `send`, so it can count stats, run fault plans, the rate limit and
random faults - including faults that are not HTTP responses (a TCP reset) - and stamp each response with a `Date`
header from the emulator's clock (the clock mutations use, plus the web server's offset) and IIS's `Server`.
"""

from __future__ import annotations

from . import control, faults
from .emulator import Emulator

SERVER = b"Microsoft-IIS/10.0"


class Gateway:
    def __init__(self, emulator: Emulator, inner):
        self.emulator = emulator
        self.inner = inner  # the Starlette application (API and control routes)
        self.prefix = emulator.settings.api_path.lower()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        emulator = self.emulator
        date = emulator.http_date()
        status = [0]

        async def send_dated(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = dict(
                    message, headers=list(message.get("headers", [])) + [(b"date", date), (b"server", SERVER)]
                )
            await send(message)

        path = scope["path"]
        lower = path.lower()
        if not (lower == self.prefix or lower.startswith(self.prefix + "/")):
            return await self.inner(scope, receive, send_dated)
        rest = path[len(self.prefix) :]
        scope = dict(scope, path=emulator.settings.api_path + rest)
        family = emulator.routes.family(rest)
        try:
            await self.serve(scope, receive, send, send_dated, lower, rest.lower().startswith("/api/"))
        finally:
            emulator.stats.count(family, status[0])

    def pick_fault(self, path_lower: str, is_api: bool) -> tuple[str | None, float | None]:
        """(the fault this request gets or None, the rate limit's wait): a plan entry first (a `mutate` entry
        changes the data and lets the request through), then the rate limit, then random faults (`/api/` only)."""
        emulator = self.emulator
        entry = emulator.plans.take(path_lower)
        if entry is not None:
            if entry.mutate is None:
                return entry.fault, None
            control.apply_mutation(emulator, entry.mutate)
        wait = emulator.bucket.take()
        if wait is not None:
            emulator.stats.rate_limited += 1
            return "429", wait
        return (emulator.faults.pick() if is_api else None), None

    async def serve(self, scope, receive, raw_send, send, path_lower: str, is_api: bool) -> None:
        emulator = self.emulator
        fault, wait = self.pick_fault(path_lower, is_api)
        if fault is None:
            return await self.inner(scope, receive, send)
        emulator.stats.faults[fault] += 1
        retry_after = emulator.bucket.retry_after_header(wait or 1.0) if fault == "429" else None
        await faults.answer(
            fault, self.inner, scope, receive, raw_send, send, emulator.settings.slow_seconds, retry_after
        )
