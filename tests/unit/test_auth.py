"""The JWT's `exp` claim decides when the token is refreshed; a token never shows in a repr."""

from __future__ import annotations

import base64
import json
import time

import pytest

from act.auth import REFRESH_MARGIN_SECONDS, BearerToken, _expiry

pytestmark = pytest.mark.unit


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jwt(claims: object) -> str:
    header = _segment(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    return f"{header}.{_segment(json.dumps(claims).encode())}.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (_jwt({"exp": 1_900_000_000}), 1_900_000_000.0),
        (_jwt({"exp": 1_900_000_000.5, "sub": "demo"}), 1_900_000_000.5),
        (_jwt({"exp": 1}), 1.0),
        (_jwt({"sub": "demo"}), None),  # no exp
        (_jwt({"exp": "1900000000"}), None),  # exp must be a number
        (_jwt({"exp": None}), None),
        (_jwt([1, 2]), None),  # claims not an object
        (_jwt({"exp": 1_900_000_000, "name": "Zoë " * 3}), 1_900_000_000.0),  # padding of any length
        ("not-a-jwt", None),
        ("a.%%%.c", None),
        ("a." + _segment(b"\xff\xfe") + ".c", None),  # not JSON
        ("", None),
    ],
    ids=lambda value: str(value)[:20],
)
def test_expiry_reads_the_exp_claim_and_never_raises(token, expected):
    assert _expiry(token) == expected


def test_a_long_lived_token_is_refreshed_a_minute_before_it_expires():
    token = BearerToken()
    expires = time.time() + 3600
    token.set(_jwt({"exp": expires}))
    assert token.usable
    assert token.refresh_at == pytest.approx(expires - REFRESH_MARGIN_SECONDS)


def test_a_short_lived_token_is_refreshed_after_nine_tenths_of_its_life():
    token = BearerToken()
    expires = time.time() + 100
    token.set(_jwt({"exp": expires}))
    assert token.refresh_at is not None
    assert expires - 11 <= token.refresh_at <= expires - 9


def test_an_expired_or_absent_token_is_not_usable_and_one_without_exp_is():
    token = BearerToken()
    assert not token.usable
    token.set(_jwt({"exp": time.time() - 10}))
    assert not token.usable
    token.set(_jwt({"sub": "demo"}))
    assert token.usable and token.refresh_at is None
    token.clear()
    assert not token.usable


def test_the_token_never_shows():
    secret = _jwt({"exp": time.time() + 3600, "sub": "demo"})
    token = BearerToken()
    token.set(secret)
    for text in (repr(token), str(token), f"{token!r}", repr([token])):
        assert secret not in text and secret.split(".")[1] not in text
