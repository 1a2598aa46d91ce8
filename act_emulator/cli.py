"""`act-emulator` / `python -m act_emulator`: start an emulated Act! Web API on uvicorn (httptools).

Once listening it prints exactly one line to stdout, the base URL (with the real port when --port 0), so a parent
process (tests, the demo) can read it and connect. Everything else (logs) goes to stderr.
"""

from __future__ import annotations

import argparse
import socket
import sys

import uvicorn

from .idformat import ID_FORMATS
from .settings import FAULT_KINDS, PLAN_FAULTS, Settings, parse_fault_kinds, parse_records
from .tables import API_GENERATIONS, TABLES


def _probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be within 0..1")
    return value


def _kinds(text: str):
    try:
        return parse_fault_kinds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _records(text: str):
    try:
        return parse_records(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    defaults = Settings()
    p = argparse.ArgumentParser(
        prog="act-emulator",
        description="An emulated Act! Web API (act.web.api) with "
        "generated data, for trying and testing the Fivetran connector.",
    )
    p.add_argument("--host", default=defaults.host, help="interface to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=defaults.port, help="port; 0 picks a free one (default %(default)s)")
    p.add_argument("--api-path", default=defaults.api_path, help="API prefix (default %(default)s)")
    p.add_argument("--username", default=defaults.username, help="user for /authorize (default %(default)s)")
    p.add_argument("--password", default=defaults.password, help="password for /authorize (default %(default)s)")
    p.add_argument("--database", default=defaults.database, help="Act-Database-Name to accept (default %(default)s)")
    p.add_argument("--seed", type=int, default=defaults.seed, help="data generator seed (default %(default)s)")
    p.add_argument(
        "--records",
        type=_records,
        default={},
        metavar="TABLE=N,...|small|none",
        help="records per table (tables: " + ", ".join(TABLES) + "); unnamed tables get their "
        "default count; presets: small, none",
    )
    p.add_argument(
        "--api",
        choices=API_GENERATIONS,
        default=defaults.api,
        help="path generation: legacy (/api/activities, /api/activity-types), current (/api/tasks, "
        "/api/task-types) or both (default %(default)s)",
    )
    p.add_argument(
        "--max-page-size",
        type=int,
        default=None,
        help="silently cap $top (and a missing $top) at N records (default: no cap)",
    )
    p.add_argument("--token-ttl", type=int, default=defaults.token_ttl, help="JWT lifetime, s (default %(default)s)")
    p.add_argument(
        "--rate-limit", type=float, default=0.0, help="token bucket: R requests/s, burst R, then 429 (default 0 = off)"
    )
    p.add_argument(
        "--retry-after",
        choices=("seconds", "http-date", "none"),
        default=defaults.retry_after,
        help="Retry-After form on 429 (default %(default)s)",
    )
    p.add_argument(
        "--fault-rate",
        type=_probability,
        default=0.0,
        help="probability 0..1 of a random fault on each /api/ call (default 0)",
    )
    p.add_argument(
        "--fault-kinds",
        type=_kinds,
        default=FAULT_KINDS,
        metavar="KIND,...",
        help="random fault kinds among " + ",".join(PLAN_FAULTS) + " (default " + ",".join(FAULT_KINDS) + ")",
    )
    p.add_argument(
        "--slow-seconds",
        type=float,
        default=defaults.slow_seconds,
        help="delay of the 'slow' fault (default %(default)s)",
    )
    p.add_argument(
        "--fault-seed",
        type=int,
        default=defaults.fault_seed,
        help="seed of the random fault sequence (default %(default)s)",
    )
    p.add_argument(
        "--date-offset-seconds",
        type=float,
        default=defaults.date_offset_seconds,
        metavar="N",
        help="the Date header runs N seconds (may be negative) from the clock that stamps records (default 0)",
    )
    p.add_argument(
        "--created-offset-seconds",
        type=float,
        default=defaults.created_offset_seconds,
        metavar="N",
        help="records inserted at run time get created = the data clock + N seconds (default 0)",
    )
    p.add_argument(
        "--id-format",
        choices=ID_FORMATS,
        default=defaults.id_format,
        help="how GUID ids are written: 5f0c... (lower), 5F0C... (upper) or {5f0c...} (braced) (default %(default)s)",
    )
    p.add_argument(
        "--serve-rate",
        type=float,
        default=defaults.serve_rate,
        metavar="RECORDS_PER_SECOND",
        help="serve each collection answer at this many records per second, per request, as a real IIS-hosted "
        "Act! Web API does (see act_emulator/pacing.py; default 0 = as fast as the emulator can)",
    )
    p.add_argument("--control", action="store_true", help="enable the /_emulator/ control API (off by default)")
    p.add_argument("--tls-cert", help="PEM certificate: serve HTTPS (with --tls-key)")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument(
        "--log-level",
        default=defaults.log_level,
        choices=("critical", "error", "warning", "info", "debug", "trace"),
        help="server log level, to stderr (default %(default)s)",
    )
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host,
        port=args.port,
        api_path=args.api_path,
        username=args.username,
        password=args.password,
        database=args.database,
        seed=args.seed,
        records=args.records,
        api=args.api,
        max_page_size=args.max_page_size or None,
        token_ttl=args.token_ttl,
        rate_limit=args.rate_limit,
        retry_after=args.retry_after,
        fault_rate=args.fault_rate,
        fault_kinds=args.fault_kinds,
        slow_seconds=args.slow_seconds,
        fault_seed=args.fault_seed,
        control=args.control,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        log_level=args.log_level,
        date_offset_seconds=args.date_offset_seconds,
        created_offset_seconds=args.created_offset_seconds,
        id_format=args.id_format,
        serve_rate=args.serve_rate,
    )


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it, a response written as headers then body stalls ~40 ms on a
    # keep-alive connection (Nagle waiting for the client's delayed ACK).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def base_url(settings: Settings, port: int) -> str:
    scheme = "https" if settings.tls_cert else "http"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"{scheme}://{host}:{port}{settings.api_path}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    settings = settings_from_args(args)
    from .app import build_app  # imported late: --help stays fast
    from .emulator import Emulator

    emulator = Emulator(settings)
    app = build_app(emulator)
    sock = _listen(settings.host, settings.port)
    config = uvicorn.Config(
        app,
        http="httptools",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level=settings.log_level,
        date_header=False,
        server_header=False,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    print(base_url(settings, sock.getsockname()[1]), flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
