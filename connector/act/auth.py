"""Act! authentication: HTTP Basic credentials exchanged at `/authorize` for a JWT, sent as a Bearer token.

The token is refreshed shortly before its `exp` claim and whenever the server answers 401. It lives only inside
`BearerToken`, whose repr hides it, and is written into the request header inside `__call__`, so that no local
variable, log line, error message or crash report (the SDK's crash reports print local variables) ever holds it.
"""

from __future__ import annotations

import base64
import threading
import time

import requests

from .jsonfast import loads

REFRESH_MARGIN_SECONDS = 60  # refresh this long before `exp` (a tenth of the lifetime for short-lived tokens)
AUTH_FAILED = "Failed to authenticate: verify username, password and database name"


class AuthenticationError(RuntimeError):
    """The server rejected the credentials or the database name."""


class AuthorizeUnavailable(RuntimeError):
    """`/authorize` could not be reached or answered with a transient error; the caller may retry."""


class TlsVerificationFailed(RuntimeError):
    """The server's certificate is not trusted: retrying cannot help, the configuration must change."""


def _expiry(token: str) -> float | None:
    """The `exp` claim of a JWT (not verified: the server does that), or None. Never raises, so the token never
    reaches a traceback."""
    try:
        payload = token.split(".")[1]
        claims = loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims.get("exp")
        return float(exp) if isinstance(exp, (int, float)) else None
    except Exception:
        return None


class BearerToken(requests.auth.AuthBase):
    """The current JWT, applied to each request as `Authorization: Bearer …` and never shown."""

    def __init__(self) -> None:
        self._token: str | None = None
        self.expires_at: float | None = None
        self.refresh_at: float | None = None

    def set(self, token: str) -> None:
        self._token = token
        self.expires_at = _expiry(token)
        self.refresh_at = None  # a token without `exp` is used until the server rejects it
        if self.expires_at is not None:
            lifetime = max(self.expires_at - time.time(), 0.0)
            self.refresh_at = self.expires_at - min(REFRESH_MARGIN_SECONDS, lifetime / 10)

    def clear(self) -> None:
        self._token = None
        self.expires_at = self.refresh_at = None

    @property
    def usable(self) -> bool:
        if self._token is None:
            return False
        return self.refresh_at is None or time.time() < self.refresh_at

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = "Bearer " + (self._token or "")
        return request

    def __repr__(self) -> str:
        return "BearerToken(<hidden>)"


class Authenticator:
    """Keeps a usable token: exchanges the Basic credentials at `{base}/authorize` when there is none, it is about
    to expire, or the server rejected it."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        username: str,
        password: str,
        database: str,
        timeout: float,
        verify: bool | str,
    ) -> None:
        self._session = session
        self._url = base_url + "/authorize"
        self._basic = requests.auth.HTTPBasicAuth(username, password)
        self._database = database
        self._timeout = timeout
        self._verify = verify
        self._lock = threading.Lock()
        self.token = BearerToken()
        self.generation = 0  # bumped on every new token, so threads refresh once per rejected token
        self.server_date: str | None = None  # the Date header of the last /authorize answer (the server's clock)

    def ensure(self) -> None:
        if not self.token.usable:
            self.refresh(self.generation)

    def refresh(self, seen_generation: int) -> None:
        """Fetches a new token unless another thread already replaced the one `seen_generation` names."""
        with self._lock:
            if self.generation != seen_generation and self.token.usable:
                return
            self.token.clear()
            try:
                response = self._session.get(
                    self._url,
                    auth=self._basic,
                    timeout=self._timeout,
                    verify=self._verify,
                    headers={"Act-Database-Name": self._database, "Accept": "application/json"},
                )
            except requests.exceptions.SSLError:
                raise TlsVerificationFailed() from None
            except requests.RequestException as error:
                raise AuthorizeUnavailable(f"/authorize unreachable: {type(error).__name__}") from None
            status = response.status_code
            self.server_date = response.headers.get("Date") or self.server_date
            if status in (401, 403):
                raise AuthenticationError(AUTH_FAILED)
            if status == 404:
                raise AuthenticationError(
                    f"{AUTH_FAILED} (the server has no {self._url}: check 'api_path', e.g. /act.web.api)"
                )
            if status != 200:
                raise AuthorizeUnavailable(f"/authorize answered HTTP {status}")
            if not self._accept(response.content):
                raise AuthorizeUnavailable("/authorize answered 200 without a token (expected a JSON string)")
            self.generation += 1

    def _accept(self, body: bytes) -> bool:
        """Stores the token from the body (a JSON string, or bare text); False if there is none. Never raises."""
        try:
            value = loads(body)
        except Exception:
            value = body.decode("ascii", "replace").strip()
        if not isinstance(value, str) or value.count(".") != 2 or " " in value:
            return False
        self.token.set(value)
        return True

    def __repr__(self) -> str:
        return f"Authenticator({self._url!r})"
