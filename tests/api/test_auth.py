"""Bearer tokens: a refused token says what failed, in words, never the JWT library's internals."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from tokens import claims, signed

from api.auth import Tokens, Unauthenticated
from api.settings import Settings

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


@pytest.fixture
def tokens(settings: Settings) -> Tokens:
    return Tokens(settings)


def segment(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def refusal(tokens: Tokens, token: str) -> str:
    with pytest.raises(Unauthenticated) as refused:
        tokens.viewer(f"Bearer {token}")
    return refused.value.message


def test_a_header_that_is_not_utf8_is_malformed(tokens: Tokens, settings: Settings) -> None:
    token = signed(settings)
    _, payload, signature = token.split(".")
    garbled = ".".join([segment(b"\x9e\xff\x00"), payload, signature])
    message = refusal(tokens, garbled)
    assert message == "the token is malformed"


@pytest.mark.parametrize(
    "token",
    [
        "not.a.jwt",
        "abc",
        "a.b.c.d",
        segment(b"[1]") + "." + segment(b"{}") + ".x",
        segment(json.dumps({"alg": ["HS256"], "typ": "JWT"}).encode())
        + "."
        + segment(b"{}")
        + ".x",
        segment(json.dumps({"alg": "HS256"}).encode()) + "." + segment(b"\x9e") + ".x",
    ],
)
def test_garbage_is_malformed_and_says_nothing_more(tokens: Tokens, token: str) -> None:
    message = refusal(tokens, token)
    assert message in {
        "the token is malformed",
        "the token is signed with an algorithm this API does not accept",
    }
    for internal in ("codec", "segments", "padding", "Invalid", "json", "0x"):
        assert internal not in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"exp": int(time.time()) - 10}, "the token has expired"),
        ({"nbf": int(time.time()) + 600}, "the token is not valid yet"),
        ({"iat": int(time.time()) + 600}, "the token is not valid yet"),
        ({"aud": "someone-else"}, "the token is meant for another audience"),
        ({"iss": "someone-else"}, "the token comes from another issuer"),
        ({"exp": None}, "the token has no 'exp' claim"),
        ({"role": None}, "the token has no 'role' claim"),
        ({"exp": "soon"}, "the token's 'exp' claim is not a number"),
        ({"iat": "now"}, "the token's 'iat' claim is not a number"),
        ({"sub": 5}, "the token's 'sub' claim is not a string"),
        (
            {"role": "superuser"},
            "the token's role must be one of admin, alliance_manager, marketer, partner",
        ),
        ({"role": "partner"}, "a partner token needs the partner's key"),
        ({"role": "partner", "partner": 7}, "the token's 'partner' claim is not a string"),
        ({"role": "partner", "partner": "P\ud800"}, "the token's 'partner' claim is not a string"),
    ],
)
def test_a_token_that_does_not_fit_says_which_rule_it_breaks(
    tokens: Tokens, settings: Settings, changes: dict[str, Any], expected: str
) -> None:
    assert refusal(tokens, signed(settings, **changes)) == expected


def test_a_wrong_signature_is_named(tokens: Tokens, settings: Settings) -> None:
    token = jwt.encode(claims(settings), SECRET + "-another", "HS256")
    assert refusal(tokens, token) == "the token's signature does not match"


def test_an_unsigned_token_is_refused(tokens: Tokens, settings: Settings) -> None:
    token = jwt.encode(claims(settings), None, "none")
    assert (
        refusal(tokens, token) == "the token is signed with an algorithm this API does not accept"
    )
