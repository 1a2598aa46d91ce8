"""`ActClient`: the one HTTP client every table shares.

One `requests.Session` (keep-alive, connection pool sized for the parallel tables), the Bearer token, the
pause between requests, retries, and what each HTTP status means:
400/403/404 fail at once with the endpoint and a hint; 401 refreshes the token and retries once; 429 waits
`Retry-After` (seconds or an HTTP date) or backs off; 5xx, timeouts, connection errors and malformed JSON retry
with exponential backoff and jitter up to `max_retries`. The server's `Date` header is kept as its clock.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from fivetran_connector_sdk import Logging as log
from requests.adapters import HTTPAdapter

from . import retry
from .auth import AuthenticationError, Authenticator, AuthorizeUnavailable, TlsVerificationFailed
from .config import ConnectorConfig
from .jsonfast import loads
from .retry import backoff_seconds, retry_after_seconds
from .timestamps import http_date_to_timestamp

T = TypeVar("T")

_HINTS = {
    400: "the server rejected the query; if this persists, report it with this message",
    403: "the Act! user lacks permission for this data: grant it in Act! or remove the table from 'tables'",
    404: "the server has no such path: check 'api_path' (e.g. /act.web.api) and that the Act! Web API is installed",
}


class ActApiError(RuntimeError):
    """A request failed for good; the message names the endpoint and what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class ActClient:
    def __init__(self, config: ConnectorConfig, retry_base_seconds: float | None = None) -> None:
        """`retry_base_seconds`: the first retry's backoff; default `act.retry.RETRY_BASE_SECONDS` (read now, so
        the tests can shorten it there)."""
        self.base_url = config.base_url
        self._timeout = config.request_timeout
        self._max_retries = config.max_retries
        self._pause = config.rate_limit_pause
        self._retry_base = retry.RETRY_BASE_SECONDS if retry_base_seconds is None else retry_base_seconds
        self._verify = self._tls_verify(config)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(4, config.parallel_tables * 2 + 2))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {
                "Accept": "application/json",
                "Act-Database-Name": config.database_name,
                "User-Agent": "act-fivetran-connector",
            }
        )
        self.auth = Authenticator(
            self.session,
            self.base_url,
            config.username,
            config.password,
            config.database_name,
            config.request_timeout,
            self._verify,
        )
        self._pace_lock = threading.Lock()
        self._next_request_at = 0.0
        self.server_time: str | None = None
        self.requests_sent = 0
        self.page_cap: int | None = None  # most records the server returns per request, once a pass has seen it
        self.largest_answer = 0  # most records one answer has held so far: a shorter answer was not cut by a cap

    @staticmethod
    def _tls_verify(config: ConnectorConfig) -> str | bool:
        if config.ca_bundle:
            handle = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)
            with handle:
                handle.write(config.ca_bundle)
            return handle.name
        if not config.verify_tls:
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            log.warning("TLS certificate verification is OFF ('verify_tls' is false): use 'ca_bundle' instead")
            return False
        return True

    def close(self) -> None:
        self.session.close()
        if isinstance(self._verify, str) and os.path.exists(self._verify):
            os.unlink(self._verify)

    # -- pacing -------------------------------------------------------------------------------------------------
    def _pace(self) -> None:
        """`rate_limit_pause` is the least time between two request starts, across all threads: it overlaps
        with processing instead of adding a sleep after every page."""
        if self._pause <= 0:
            return
        with self._pace_lock:
            now = time.monotonic()
            wait = self._next_request_at - now
            self._next_request_at = max(now, self._next_request_at) + self._pause
        if wait > 0:
            time.sleep(wait)

    # -- requests -------------------------------------------------------------------------------------------------
    def ping(self) -> int:
        """The HTTP status `/authorize` answers without credentials (any answer means the server is there).
        Raises requests' exceptions when nothing answers."""
        response = self.session.get(self.base_url + "/authorize", timeout=min(self._timeout, 15), verify=self._verify)
        return response.status_code

    def authenticate(self) -> None:
        """Gets a token now (setup tests and the start of a sync use this to fail early on bad credentials)."""
        self._with_retries("/authorize", lambda: self._authorize_once())
        self.server_time = http_date_to_timestamp(self.auth.server_date or "") or self.server_time

    def _tls_failure(self) -> ActApiError:
        return ActApiError(
            f"TLS verification of {self.base_url} failed: if the server uses its own certificate, "
            f"paste its CA certificate into 'ca_bundle' (keep 'verify_tls' on)"
        )

    def _authorize_once(self) -> None:
        try:
            self.auth.ensure()
        except AuthorizeUnavailable as error:
            raise _Retryable(str(error)) from None
        except TlsVerificationFailed:
            raise self._tls_failure() from None

    def get_json(self, path: str, params: dict[str, str] | None = None, expect_array: bool = False) -> Any:
        """GET `{base}{path}` with OData `params`; returns the parsed JSON body (retrying as the table above says)."""
        query = urlencode(params or {}, safe="$,'()/:")
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        return self._with_retries(path, lambda: self._get_once(url, path, query, expect_array))

    def get_collection(self, path: str, params: dict[str, str] | None = None) -> list[Any]:
        """A collection GET: the body must be a JSON array (the Act! Web API has no paging envelope)."""
        data: list[Any] = self.get_json(path, params, expect_array=True)
        self.largest_answer = max(self.largest_answer, len(data))  # the server's cap, if it has one, is at least this
        return data

    def get_collection_body(
        self, path: str, params: dict[str, str] | None = None, before_body: Callable[[int | None], None] | None = None
    ) -> bytes | bytearray:
        """A collection GET's body, not parsed yet (act/pages.py parses big pages a slice at a time, on the thread
        that writes them). HTTP failures are retried as for `get_collection`; `parse_collection` says when the
        body is not a JSON array, and the caller then asks again through `get_collection`. `before_body(size)` is
        called once a 200 answer's headers are in and before its body is read, with the declared size (None if
        not declared), on every attempt: the caller can wait there for room for the bytes."""
        query = urlencode(params or {}, safe="$,'()/:")
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        body: bytes | bytearray = self._with_retries(
            path, lambda: self._get_once(url, path, query, expect_array=True, parse=False, before_body=before_body)
        )
        return body

    def parse_collection(
        self, body: bytes | bytearray, path: str, typed: Callable[[bytes | bytearray], list[Any] | None] | None = None
    ) -> list[Any] | None:
        """A collection body from `get_collection_body` parsed as `get_collection` parses it, or None (with a
        warning) if it is not a JSON array. `typed` (act/typed_records.py) is tried first: typed records, or None
        when the body needs the general parse."""
        try:
            data = typed(body) if typed is not None else None
            if data is None:
                data = _parse_body(body, path)
        except _Retryable as failure:
            log.warning(f"GET {path}: {failure.reason}; asking again")
            return None
        if not isinstance(data, list):
            log.warning(
                f"GET {path}: the answer is a JSON {type(data).__name__}, not the array a collection returns; "
                f"asking again"
            )
            return None
        self.largest_answer = max(self.largest_answer, len(data))
        return data

    def _with_retries(self, path: str, attempt_once: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                return attempt_once()
            except _Retryable as failure:
                attempt += 1
                if attempt > self._max_retries:
                    raise ActApiError(
                        f"GET {path} failed after {self._max_retries} retries ({failure.reason}): check that the Act! "
                        f"server at {self.base_url} is up and reachable, or raise 'max_retries'"
                    ) from None
                wait = failure.wait if failure.wait is not None else backoff_seconds(attempt, self._retry_base)
                log.warning(f"GET {path}: {failure.reason}; retry {attempt} of {self._max_retries} in {wait:.2f}s")
                time.sleep(wait)

    def _get_once(
        self,
        url: str,
        path: str,
        query: str,
        expect_array: bool,
        parse: bool = True,
        before_body: Callable[[int | None], None] | None = None,
    ) -> Any:
        self._authorize_once()
        for token_attempt in (1, 2):
            generation = self.auth.generation
            self._pace()
            started = time.monotonic()
            try:
                response = self.session.get(
                    url, auth=self.auth.token, timeout=self._timeout, verify=self._verify, stream=not parse
                )
                if before_body is not None and response.status_code == 200:
                    before_body(_declared_size(response))
                body = response.content if parse else _read_body(response)
            except requests.exceptions.SSLError:
                raise self._tls_failure() from None
            except requests.Timeout:
                raise _Retryable(f"no answer within {self._timeout:g}s") from None
            except requests.RequestException as error:
                raise _Retryable(f"connection failed ({type(error).__name__})") from None
            self.requests_sent += 1
            status = response.status_code
            log.debug(
                f"GET {path}{'?' + query if query else ''} -> {status}, {len(body)} bytes, "
                f"{time.monotonic() - started:.3f}s"
            )
            server_time = http_date_to_timestamp(response.headers.get("Date", ""))
            if server_time:
                self.server_time = server_time
            if status == 401:
                if token_attempt == 2:
                    raise AuthenticationError(
                        "Failed to authenticate: the server rejected a fresh token; verify username, password and "
                        "database name"
                    )
                try:
                    self.auth.refresh(generation)
                except AuthorizeUnavailable as error:
                    raise _Retryable(str(error)) from None
                except TlsVerificationFailed:
                    raise self._tls_failure() from None
                continue
            if status == 429:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                raise _Retryable("rate limited (HTTP 429)", wait)
            if status >= 500:
                raise _Retryable(f"server error HTTP {status}")
            if status != 200:
                hint = _HINTS.get(status, "unexpected answer from the server")
                raise ActApiError(f"GET {path} failed with HTTP {status}: {hint}", status)
            if not parse:
                return body
            data = _parse_body(body, path)
            if expect_array and not isinstance(data, list):
                raise _Retryable(f"the answer is a JSON {type(data).__name__}, not the array a collection returns")
            return data
        raise AssertionError("unreachable")


READ_PIECE = 1 << 20


def _declared_size(response: requests.Response) -> int | None:
    """The size of a streamed answer's body as its headers declare it: a plain Content-Length, else None
    (compressed or chunked answers say nothing certain)."""
    length = response.headers.get("Content-Length", "")
    if not length.isdigit() or response.headers.get("Content-Encoding", "identity") != "identity":
        return None
    return int(length)


def _read_body(response: requests.Response) -> bytes | bytearray:
    """A streamed answer's body read into one buffer of its Content-Length, a piece at a time: requests' `content`
    joins 10 KB pieces, which holds a 25 MB page twice for a moment. Answers without a plain length (compressed,
    chunked, errors) are read as `content` reads them."""
    size = _declared_size(response)
    if response.status_code != 200 or size is None:
        return response.content
    buffer = bytearray(size)
    read = 0
    try:
        for piece in response.iter_content(READ_PIECE):  # requests turns urllib3's failures into its own
            buffer[read : read + len(piece)] = piece
            read += len(piece)
    finally:
        if read != size:
            response.close()
    if read != size:
        raise requests.exceptions.ChunkedEncodingError(f"the answer ended after {read} of {size} bytes")
    return buffer  # a bytearray: parsed and sliced as bytes are, without a copy


def _parse_body(body: bytes | bytearray, path: str) -> Any:
    """JSON from a 200 answer. Invalid UTF-8 (seen from servers writing Windows-1252) is replaced, not fatal:
    the affected characters become U+FFFD and a warning says so; anything else unparsable is retried."""
    try:
        return loads(body)
    except ValueError:
        pass
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
        try:
            data = loads(text)
        except ValueError:
            raise _Retryable(f"malformed JSON in a 200 answer ({len(body)} bytes)") from None
        log.warning(f"GET {path}: the answer held bytes that are not UTF-8; they were replaced with U+FFFD")
        return data
    raise _Retryable(f"malformed JSON in a 200 answer ({len(text)} characters)")
