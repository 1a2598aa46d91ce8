"""An emulator of the Act! CRM Web API (act.web.api): a real HTTP server with generated, Swagger-faithful data.

Run it with `act-emulator` or `python -m act_emulator` (see docs/emulator.md); tests start it through
`tests/support/emulator.py`. Modules (imports point from the first to the last): cli (flags), app (ASGI assembly),
gateway (Date header, stats, fault choice), api (Act! endpoints), control (the /_emulator/ API), routes (paths),
emulator (a server's state), database (changes to the data), store (a table's index and queries), odata (query
parser); beside them auth (JWT), faults, ratelimit, stats, settings, generator, custom_fields, corruption (bad
records on demand), idformat (GUID forms), parents (child index), clock, sqlorder.
"""
