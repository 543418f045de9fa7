"""Bearer tokens (JWT): minting them, and turning one into the request's viewer.

HS256 tokens are signed with the configured secret; with PARTNERGRAPH_TOKEN_ALGORITHM=RS256 the
API instead accepts tokens from an identity provider, checked against a PEM public key or the
keys at a JWKS address. Claims: `role` (admin, alliance_manager, marketer, partner), `partner`
(the key a partner-scoped token acts for), `sub`, `iss`, `aud`, `exp`.
"""

from __future__ import annotations

import time
from functools import cached_property
from typing import Any

import jwt
from jwt import exceptions as errors

from api.settings import Settings
from graph.access import Role, Viewer
from graph.errors import InvalidInput, PartnergraphError


class Unauthenticated(PartnergraphError):
    code = "UNAUTHENTICATED"


class Tokens:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def mint(
        self, role: str, partner: str | None = None, ttl: int = 3600, subject: str = ""
    ) -> str:
        settings = self.settings
        if settings.token_algorithm != "HS256":
            raise InvalidInput(
                "tokens for RS256 are issued by your identity provider", field="role"
            )
        viewer = _viewer({"role": role, "partner": partner, "sub": subject})
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": subject or viewer.label(),
            "role": viewer.role.value,
            "iss": settings.token_issuer,
            "aud": settings.token_audience,
            "iat": now,
            "exp": now + ttl,
        }
        if viewer.partner_key:
            claims["partner"] = viewer.partner_key
        return jwt.encode(claims, settings.token_secret.get_secret_value(), algorithm="HS256")

    def viewer(self, authorization: str | None) -> Viewer:
        """The viewer of an `Authorization` header; Unauthenticated when there is none fit."""
        if not authorization:
            raise Unauthenticated("an Authorization: Bearer <token> header is required")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        token = token.strip()
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=[self.settings.token_algorithm],
                audience=self.settings.token_audience,
                issuer=self.settings.token_issuer,
                options={"require": ["exp", "role"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(_reason(error)) from None
        except (ValueError, TypeError, KeyError):  # a header the library trips over
            raise Unauthenticated(MALFORMED) from None
        try:
            return _viewer(claims)
        except InvalidInput as error:
            raise Unauthenticated(error.message) from None

    def _key(self, token: str) -> Any:
        settings = self.settings
        if settings.token_algorithm == "HS256":
            return settings.token_secret.get_secret_value()
        if settings.token_public_key:
            return settings.token_public_key
        if settings.token_jwks_url:
            return self._jwks.get_signing_key_from_jwt(token).key
        raise Unauthenticated("RS256 tokens need PARTNERGRAPH_TOKEN_PUBLIC_KEY or _JWKS_URL")

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient:
        assert self.settings.token_jwks_url
        return jwt.PyJWKClient(self.settings.token_jwks_url, cache_keys=True, lifespan=300)


MALFORMED = "the token is malformed"


# What failed, in words (the library's own messages name its internals); subclasses first.
REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (errors.InvalidSignatureError, "the token's signature does not match"),
    (errors.ExpiredSignatureError, "the token has expired"),
    (errors.ImmatureSignatureError, "the token is not valid yet"),
    (errors.InvalidAudienceError, "the token is meant for another audience"),
    (errors.InvalidIssuerError, "the token comes from another issuer"),
    (errors.InvalidIssuedAtError, "the token's 'iat' claim is not a number"),
    (errors.InvalidSubjectError, "the token's 'sub' claim is not a string"),
    (
        errors.InvalidAlgorithmError,
        "the token is signed with an algorithm this API does not accept",
    ),
    (errors.PyJWKClientConnectionError, "the identity provider's signing keys cannot be fetched"),
    (errors.PyJWKClientError, "no signing key of the identity provider matches the token"),
)


def _reason(error: jwt.PyJWTError) -> str:
    if isinstance(error, errors.MissingRequiredClaimError):
        return f"the token has no '{error.claim}' claim"
    for kind, reason in REASONS:
        if isinstance(error, kind):
            return reason
    if isinstance(error, errors.DecodeError):
        for claim in ("exp", "nbf"):
            if f"({claim})" in str(error):
                return f"the token's '{claim}' claim is not a number"
    return MALFORMED


def _text(claims: dict[str, Any], name: str) -> str | None:
    """A string claim, or None when absent; anything else (a number, broken unicode) is refused."""
    value = claims.get(name)
    if value is None or value == "":
        return None
    refused = InvalidInput(f"the token's '{name}' claim is not a string", field=name)
    if not isinstance(value, str):
        raise refused
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise refused from None
    return value


def _viewer(claims: dict[str, Any]) -> Viewer:
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        roles = ", ".join(role.value for role in Role)
        raise InvalidInput(f"the token's role must be one of {roles}", field="role") from None
    partner = _text(claims, "partner")
    if role is Role.PARTNER and not partner:
        raise InvalidInput("a partner token needs the partner's key", field="partner")
    if role is not Role.PARTNER and partner:
        raise InvalidInput("only a partner token names a partner", field="partner")
    return Viewer(role=role, partner_key=partner, subject=_text(claims, "sub") or "")
