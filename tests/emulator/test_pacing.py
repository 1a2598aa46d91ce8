"""--serve-rate: collection answers take as long as a real server at that many records per second, per request."""

import time
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from act_emulator.pacing import records_in, serve_seconds
from act_emulator.store import JsonArray
from tests.support.emulator import start_emulator


@pytest.mark.unit
@pytest.mark.parametrize(
    "body,records",
    [
        (JsonArray([b'{"id":1}', b'{"id":2}', b'{"id":3}']), 3),
        (JsonArray([]), 0),
        (orjson.dumps([{"id": 1}, {"id": 2}]), 2),
        (b"[]", 0),
    ],
)
def test_records_in_counts_the_records_of_an_answer(body, records):
    assert records_in(body) == records


@pytest.mark.unit
@pytest.mark.parametrize(
    "records,rate,seconds",
    [(3000, 3000.0, 1.0), (10_000, 2000.0, 5.0), (0, 3000.0, 0.0), (500, 0.0, 0.0), (500, -1.0, 0.0)],
)
def test_serve_seconds_is_records_over_rate_and_zero_when_off(records, rate, seconds):
    assert serve_seconds(records, rate) == pytest.approx(seconds)


def test_pages_are_paced_per_request_and_concurrent_requests_wait_side_by_side():
    with start_emulator(records="small", serve_rate=400) as emu:
        get = emu.api_get()
        started = time.perf_counter()
        assert len(get("/api/contacts", **{"$top": "200", "$orderby": "id"}).json()) == 200
        alone = time.perf_counter() - started
        assert 0.5 <= alone < 2.0  # 200 records at 400/s

        started = time.perf_counter()
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda _: emu.api_get()("/api/contacts", **{"$top": "200"}), range(3)))
        together = time.perf_counter() - started
        assert all(len(a.json()) == 200 for a in answers)
        assert together < 1.5 * alone + 0.5  # one stream each, not one after the other

        started = time.perf_counter()
        assert len(get("/api/contacts", **{"$top": "4"}).json()) == 4
        assert time.perf_counter() - started < 0.4  # 4 records: 10 ms
