"""Relay's Node: global ids, and `node(id:)` / `nodes(ids:)` over every type that registers."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from graph.errors import InvalidInput
from graph.messages import a_type, shown
from resolvers.context import Info

Fetch = Callable[[Info, str], Awaitable[Any]]
_FETCHERS: dict[str, Fetch] = {}
MAX_IDS = 100  # ids as given: each is an entry of the answer


def encode_id(type_name: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def decode_id(value: str, field: str, expect: str | None = None) -> tuple[str, str]:
    """(type name, key) of a global id; a bad id is BAD_USER_INPUT naming the argument."""
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    type_name, _, key = text.partition(":")
    if type_name not in _FETCHERS or not key:
        raise InvalidInput(f"{field}: {shown(value)} is not an id of this API", field=field)
    if expect is not None and type_name != expect:
        raise InvalidInput(
            f"{field}: {shown(value)} is the id of {a_type(type_name)}, not {a_type(expect)}",
            field=field,
        )
    return type_name, key


def key_of(value: str, field: str, expect: str) -> str:
    return decode_id(value, field, expect)[1]


def registers(type_name: str) -> Callable[[Fetch], Fetch]:
    """Make `node(id:)` reach a type: the fetcher returns the object or None (unseen, unknown)."""

    def register(fetch: Fetch) -> Fetch:
        _FETCHERS[type_name] = fetch
        return fetch

    return register


@strawberry.interface(description="An object with a global id.")
class Node:
    key: str

    @strawberry.field(description="The global id: opaque, stable.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__name__, self.key))


async def fetch_node(info: Info, value: str, field: str) -> Any:
    type_name, key = decode_id(value, field)
    return await _FETCHERS[type_name](info, key)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when unknown or not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await fetch_node(info, id, "id")

    @strawberry.field(
        description=f"Objects by 1-{MAX_IDS} global ids: one entry per id as given, in order, "
        "duplicates included (not a set, unlike other lists); null where unknown or not visible."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_IDS:
            raise InvalidInput(f"ids: give at most {MAX_IDS} ids, not {len(ids):,}", field="ids")
        for value in ids:
            decode_id(value, "ids")
        return list(await asyncio.gather(*(fetch_node(info, value, "ids") for value in ids)))
