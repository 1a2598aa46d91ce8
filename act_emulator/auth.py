"""Act!'s token handshake: Basic credentials plus `Act-Database-Name` at /authorize buy a JWT for Bearer calls.

Tokens are HS256 JWTs signed with a per-process random secret, so a restarted emulator rejects old tokens just as
a real server would after a key rotation. `expire_all` bumps a generation number carried in every token, which
lets tests expire tokens instantly without waiting on the wall clock. The most recent tokens are kept (GET
/_emulator/tokens) so a security test can check that no part of one leaks into logs.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections import deque

import jwt

ALGORITHM = "HS256"
KEPT_TOKENS = 1000  # GET /_emulator/tokens lists at most this many, the most recent


class AuthError(Exception):
    """A request the emulator answers with 401; `challenge` is the WWW-Authenticate value."""

    def __init__(self, message: str, challenge: str):
        super().__init__(message)
        self.challenge = challenge


class Authenticator:
    def __init__(self, username: str, password: str, database: str, token_ttl: int = 3600):
        self.username = username
        self.password = password
        self.database = database
        self.token_ttl = token_ttl
        self.secret = secrets.token_bytes(32)
        self.generation = 0
        self.issued = 0
        self.tokens: deque[str] = deque(maxlen=KEPT_TOKENS)  # so a security test can look for leaks in logs

    def authorize(self, authorization: str | None, database: str | None) -> str:
        """A new JWT for good Basic credentials and database name; AuthError otherwise."""
        challenge = 'Basic realm="act.web.api"'
        if not authorization or not authorization[:6].lower() == "basic ":
            raise AuthError("Authorization has been denied for this request.", challenge)
        try:
            user, sep, password = base64.b64decode(authorization[6:].strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthError("The Authorization header is not valid Basic credentials.", challenge) from None
        good = (
            sep
            and hmac.compare_digest(user.encode(), self.username.encode())
            and hmac.compare_digest(password.encode(), self.password.encode())
        )
        if not good:
            raise AuthError("Invalid username or password.", challenge)
        if not database:
            raise AuthError("The Act-Database-Name header is required.", challenge)
        if database.strip().lower() != self.database.lower():
            raise AuthError(f"The database '{database}' is not available to this user.", challenge)
        now = int(time.time())
        self.issued += 1
        claims = {
            "sub": self.username,
            "db": self.database,
            "iat": now,
            "exp": now + self.token_ttl,
            "gen": self.generation,
            "jti": secrets.token_hex(8),
        }
        token = jwt.encode(claims, self.secret, algorithm=ALGORITHM)
        self.tokens.append(token)
        return token

    def check(self, authorization: str | None) -> dict:
        """The claims of a valid Bearer token; AuthError when missing, tampered, expired or revoked."""
        challenge = 'Bearer realm="act.web.api"'
        if not authorization or authorization[:7].lower() != "bearer ":
            raise AuthError("Authorization has been denied for this request.", challenge)
        try:
            claims = jwt.decode(
                authorization[7:].strip(),
                self.secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError(
                "Authorization has been denied for this request: the token has expired.",
                challenge + ', error="invalid_token"',
            ) from None
        except jwt.PyJWTError:
            raise AuthError(
                "Authorization has been denied for this request.", challenge + ', error="invalid_token"'
            ) from None
        if claims.get("gen") != self.generation or claims.get("exp", 0) <= time.time():
            raise AuthError(
                "Authorization has been denied for this request: the token has expired.",
                challenge + ', error="invalid_token"',
            )
        return claims

    def expire_all(self) -> None:
        """Every token issued so far stops working (as if expired)."""
        self.generation += 1
