"""An emulator of the Act! CRM Web API (act.web.api): a real HTTP server with generated, Swagger-faithful data.

Run it with `act-emulator` or `python -m act_emulator` (see docs/emulator.md); tests start it through
`tests/support/emulator.py`. Modules: cli (flags), app (ASGI assembly), api (Act! endpoints), auth (JWT), odata
(query parser), store (indexed records), parents (child index), corruption (bad records on demand), faults,
ratelimit, control (the /_emulator/ API), clock, sqlorder.
"""
