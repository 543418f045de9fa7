"""Hand-made bearer tokens for the tests: the claims `partnergraph token` would sign, changed."""

from __future__ import annotations

import time
from typing import Any

import jwt

from api.settings import Settings


def claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    """An admin's claims for a minute; a change to None leaves that claim out."""
    now = int(time.time())
    base = {
        "sub": "t",
        "role": "admin",
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "iat": now,
        "exp": now + 60,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def signed(settings: Settings, **changes: Any) -> str:
    return jwt.encode(
        claims(settings, **changes), settings.token_secret.get_secret_value(), "HS256"
    )
