"""The emulator as an ASGI application: Starlette routes inside, a thin raw-ASGI layer outside.

The outer layer sees every request first, with uvicorn's own `send`, so it can count stats, run fault plans, the
rate limit and random faults - including faults that are not HTTP responses (a TCP reset) - and stamp each
response with a `Date` header from the emulator's clock (the clock mutations use), before Starlette routes it.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import api, control, faults
from .auth import Authenticator
from .faults import Plans, RandomFaults
from .ratelimit import TokenBucket
from .settings import Settings
from .store import Store

SERVER = b"Microsoft-IIS/10.0"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Stats:
    """What the emulator has seen since start or the last reset (GET /_emulator/stats)."""

    def __init__(self):
        self.requests_total = 0
        self.by_path = Counter()
        self.by_status = Counter()
        self.faults = Counter()
        self.rate_limited = 0
        self.tokens_issued = 0

    def view(self) -> dict:
        return {
            "requests_total": self.requests_total,
            "by_path": dict(self.by_path),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "faults": dict(self.faults),
            "rate_limited": self.rate_limited,
            "tokens_issued": self.tokens_issued,
        }


class Emulator:
    """All state of one emulated Act! server: settings, data, tokens, limits, faults, plans and stats."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = Store(settings.seed, settings.records)
        self.auth = Authenticator(settings.username, settings.password, settings.database, settings.token_ttl)
        self.bucket = TokenBucket(settings.rate_limit, settings.retry_after)
        self.faults = RandomFaults(settings.fault_rate, settings.fault_kinds, settings.fault_seed)
        self.plans = Plans()
        self.stats = Stats()
        self.routes = api.ApiRoutes(settings.api)

    def reset(self, seed=None, records=None) -> None:
        if seed is not None:
            self.settings.seed = int(seed)
        if records is not None:
            self.settings.records = dict(records)
        self.store.reset(self.settings.seed, self.settings.records)
        self.stats = Stats()
        self.plans.clear()

    def configure(self, changes: dict) -> None:
        """Apply POST /_emulator/config; unknown keys or bad values raise ValueError before anything changes."""
        from .settings import parse_fault_kinds
        from .tables import API_GENERATIONS

        unknown = set(changes) - set(Settings.RUNTIME)
        if unknown:
            raise ValueError(f"unknown config key(s) {sorted(unknown)}; known: {', '.join(Settings.RUNTIME)}")
        new = dict(changes)
        if "fault_kinds" in new:
            new["fault_kinds"] = parse_fault_kinds(new["fault_kinds"])
        if "api" in new and new["api"] not in API_GENERATIONS:
            raise ValueError(f"api must be one of {API_GENERATIONS}")
        if "retry_after" in new and new["retry_after"] not in ("seconds", "http-date", "none"):
            raise ValueError("retry_after must be seconds, http-date or none")
        if "fault_rate" in new and not 0 <= float(new["fault_rate"]) <= 1:
            raise ValueError("fault_rate must be within 0..1")
        if new.get("max_page_size") is not None and int(new["max_page_size"]) < 0:
            raise ValueError("max_page_size must be positive (or null for none)")
        for key, value in new.items():
            setattr(self.settings, key, value)
        s = self.settings
        if "max_page_size" in new and s.max_page_size is not None:
            s.max_page_size = int(s.max_page_size) or None
        self.bucket.configure(
            float(s.rate_limit) if "rate_limit" in new else None, s.retry_after if "retry_after" in new else None
        )
        self.faults.configure(
            s.fault_rate if "fault_rate" in new else None, s.fault_kinds if "fault_kinds" in new else None
        )
        if "token_ttl" in new:
            self.auth.token_ttl = int(s.token_ttl)
        if "api" in new:
            self.routes.set_generation(s.api)


async def _not_found(request: Request, exc) -> Response:
    return api.not_found(request)


def build_app(emulator: Emulator):
    """The ASGI application serving `emulator`."""
    routes = [Route(emulator.settings.api_path + "/{rest:path}", api.endpoint, methods=ALL_METHODS)]
    if emulator.settings.control:
        routes += control.routes()
    inner = Starlette(routes=routes, exception_handlers={404: _not_found})
    inner.state.emulator = emulator
    return EmulatorASGI(emulator, inner)


class EmulatorASGI:
    def __init__(self, emulator: Emulator, inner: Starlette):
        self.emulator = emulator
        self.inner = inner
        self.prefix = emulator.settings.api_path.lower()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        emulator = self.emulator
        date = emulator.store.clock.http_date().encode()
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
            stats = emulator.stats
            stats.requests_total += 1
            stats.by_path[family] += 1
            stats.by_status[status[0] or "aborted"] += 1

    async def serve(self, scope, receive, raw_send, send, path_lower: str, is_api: bool) -> None:
        emulator = self.emulator
        fault = None
        entry = emulator.plans.take(path_lower)
        if entry is not None:
            if entry.mutate is not None:
                control.apply_mutation(emulator, entry.mutate)
            else:
                fault = entry.fault
        wait = None
        if fault is None:
            wait = emulator.bucket.take()
            if wait is not None:
                fault = "429"
                emulator.stats.rate_limited += 1
        if fault is None and is_api:
            fault = emulator.faults.pick()
        if fault is None:
            return await self.inner(scope, receive, send)
        emulator.stats.faults[fault] += 1
        if fault == "slow":
            await asyncio.sleep(float(emulator.settings.slow_seconds))
            return await self.inner(scope, receive, send)
        if fault == "reset":
            return await faults.reset_connection(raw_send)
        if fault == "truncate":
            return await faults.truncated(self.inner, scope, receive, send)
        if fault == "malformed":
            return await faults.malformed(send)
        if fault == "not-array":
            return await faults.not_array(send)
        if fault == "401":
            return await faults.unauthorized(send)
        if fault == "429":
            return await faults.too_many_requests(send, emulator.bucket.retry_after_header(wait or 1.0))
        await faults.server_error(send, int(fault))
