"""All state of one emulated Act! server: settings, the database, tokens, the rate limit, faults, plans, stats and
which paths exist. The HTTP layers (gateway, api, control) read and change it; it knows nothing of HTTP."""

from __future__ import annotations

from .auth import Authenticator
from .database import Database
from .dotnet_time import TICKS_PER_SECOND
from .faults import Plans, RandomFaults
from .ratelimit import TokenBucket
from .routes import ApiRoutes
from .settings import Settings, checked_changes
from .stats import Stats


class Emulator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.database = Database(settings.seed, settings.records, settings.id_format)
        self.database.created_offset_ticks = round(settings.created_offset_seconds * TICKS_PER_SECOND)
        self.auth = Authenticator(settings.username, settings.password, settings.database, settings.token_ttl)
        self.bucket = TokenBucket(settings.rate_limit, settings.retry_after)
        self.faults = RandomFaults(settings.fault_rate, settings.fault_kinds, settings.fault_seed)
        self.plans = Plans()
        self.stats = Stats()
        self.routes = ApiRoutes(settings.api)

    def reset(self, seed=None, records=None) -> None:
        """Regenerate the data and clear stats and plans; settings and tokens stay."""
        if seed is not None:
            self.settings.seed = int(seed)
        if records is not None:
            self.settings.records = dict(records)
        self.database.reset(self.settings.seed, self.settings.records)
        self.stats = Stats()
        self.plans.clear()

    def configure(self, changes: dict) -> None:
        """Apply POST /_emulator/config; unknown keys or bad values raise ValueError before anything changes."""
        new = checked_changes(changes)
        for key, value in new.items():
            setattr(self.settings, key, value)
        s = self.settings
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
        if "created_offset_seconds" in new:
            self.database.created_offset_ticks = round(s.created_offset_seconds * TICKS_PER_SECOND)
        if "id_format" in new:
            self.database.set_id_format(s.id_format)

    def http_date(self) -> bytes:
        """The `Date` header now: the data clock plus the web server's offset from it."""
        return self.database.clock.http_date(self.settings.date_offset_seconds).encode()
