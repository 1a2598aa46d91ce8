"""Everything the emulator can be told at start (CLI flags) and, partly, at run time (POST /_emulator/config)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import idformat
from .tables import API_GENERATIONS, TABLES

FAULT_KINDS = ("500", "502", "503", "504", "reset", "slow", "truncate", "malformed")
PLAN_FAULTS = FAULT_KINDS + ("not-array", "401", "429", "404", "empty")

# --records presets: `small` keeps start-up instant for tests and demos, `none` is an empty database.
RECORD_PRESETS = {
    "small": {
        "contacts": 200,
        "companies": 50,
        "opportunities": 40,
        "activities": 200,
        "activity_types": 12,
        "products": 30,
        "groups": 10,
        "notes": 50,
        "histories": 50,
        "users": 5,
        "opportunity_products": 60,
    },
    "none": {name: 0 for name in TABLES},
    "default": {},
}


def parse_records(text: str) -> dict[str, int]:
    """`contacts=N,companies=N,...` or a preset name; unnamed tables get their default_count."""
    text = (text or "").strip()
    if text.lower() in RECORD_PRESETS:
        return dict(RECORD_PRESETS[text.lower()])
    counts: dict[str, int] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or name not in TABLES:
            raise ValueError(f"--records: expected table=N with a table of {sorted(TABLES)}, got {item!r}")
        counts[name] = int(number.replace("_", ""))
        if counts[name] < 0:
            raise ValueError(f"--records: negative count for {name}")
    return counts


def parse_fault_kinds(text) -> tuple[str, ...]:
    kinds = [k.strip().lower() for k in (text.split(",") if isinstance(text, str) else text) if k.strip()]
    unknown = [k for k in kinds if k not in PLAN_FAULTS]
    if unknown:
        raise ValueError(f"unknown fault kind(s) {unknown}; known: {', '.join(PLAN_FAULTS)}")
    return tuple(kinds)


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    api_path: str = "/act.web.api"
    username: str = "demo"
    password: str = "Act!Demo2026"
    database: str = "ActDemo"
    seed: int = 42
    records: dict = field(default_factory=dict)
    api: str = "both"
    max_page_size: int | None = None
    token_ttl: int = 3600
    rate_limit: float = 0.0
    retry_after: str = "seconds"
    fault_rate: float = 0.0
    fault_kinds: tuple = FAULT_KINDS
    slow_seconds: float = 30.0
    fault_seed: int = 0
    control: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    log_level: str = "warning"
    date_offset_seconds: float = 0.0  # the Date header runs this far ahead of the data clock (web vs SQL server)
    created_offset_seconds: float = 0.0  # inserted records' `created` runs this far ahead of their `edited`
    id_format: str = "lower"  # how GUID ids are written: lower, upper, braced
    serve_rate: float = 0.0  # records per second per collection answer (pacing.py); 0: as fast as it can

    def __post_init__(self):
        self.api_path = "/" + self.api_path.strip("/")
        if self.api not in API_GENERATIONS:
            raise ValueError(f"api must be one of {API_GENERATIONS}")
        idformat.check(self.id_format)

    # the part POST /_emulator/config may change
    RUNTIME = (
        "max_page_size",
        "rate_limit",
        "retry_after",
        "fault_rate",
        "fault_kinds",
        "slow_seconds",
        "token_ttl",
        "api",
        "date_offset_seconds",
        "created_offset_seconds",
        "id_format",
    )

    def runtime_view(self) -> dict:
        data = asdict(self)
        return {key: (list(data[key]) if isinstance(data[key], tuple) else data[key]) for key in self.RUNTIME}


def checked_changes(changes: dict) -> dict:
    """POST /_emulator/config's changes, normalised; ValueError for an unknown key or a bad value, so a request
    with one bad value changes nothing."""
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
    if new.get("max_page_size") is not None:
        if int(new["max_page_size"]) < 0:
            raise ValueError("max_page_size must be positive (or null for none)")
        new["max_page_size"] = int(new["max_page_size"]) or None
    for key in ("date_offset_seconds", "created_offset_seconds"):
        if key in new:
            new[key] = float(new[key])
    if "id_format" in new:
        idformat.check(new["id_format"])
    return new
