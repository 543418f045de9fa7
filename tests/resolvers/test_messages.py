"""What errors and user errors say: a long key or id is quoted by its start only, and a type
takes the article it reads with. Every ID argument is found by walking the schema."""

from __future__ import annotations

import base64
from typing import Any

from schema_walk import Place, dummy, named, places
from support import ask

from graph.db import Graph
from resolvers.node import encode_id

IDS = places(named("ID"))
LONG = "k" * 1_000  # a key as long as an import or a mutation takes
SHOWN = 60  # characters of a key a message quotes at most
PAYLOAD = "{ __typename userErrors { field message code } }"


def _long_id(place: Place) -> str:
    """An id of the type the place takes, of a key nothing has."""
    name = next((str(s) for s in reversed(place.slot) if isinstance(s, str)), place.argument)
    given = dummy(place.leaf, name, place.path[-1][0])
    type_name = base64.urlsafe_b64decode(given + "=" * (-len(given) % 4)).decode().split(":")[0]
    return encode_id(type_name, LONG)


def _messages(answer: Any) -> list[str]:
    found = [error["message"] for error in answer.errors]
    for payload in (answer.data or {}).values():
        if isinstance(payload, dict):
            found += [error["message"] for error in payload.get("userErrors") or []]
    return found


async def test_a_long_key_is_quoted_by_its_start_in_every_message(seeded: Graph) -> None:
    whole, silent = [], []
    for place in IDS:
        query, variables = place.document(_long_id(place))
        if place.operation == "mutation":
            head, _, _ = query.rpartition("{ __typename }")
            query = head + PAYLOAD + " }"
        messages = _messages(await ask(seeded, query, variables))
        if not messages:
            silent.append(str(place))  # null, or an empty list: nothing to quote
        whole += [f"{place}: {m[:100]}" for m in messages if LONG[: SHOWN + 1] in m]
    assert whole == []
    assert len(silent) < len(IDS) / 2  # most ids name something that must be there


async def test_the_type_of_an_id_takes_its_article(seeded: Graph) -> None:
    agreement = encode_id("Agreement", "A1")
    query = "query($a: ID!, $b: ID!) { overlap(a: $a, b: $b) { count } }"
    answer = await ask(seeded, query, {"a": agreement, "b": encode_id("Partner", "P1")})
    assert answer.codes == ["BAD_USER_INPUT"]
    assert (
        f"a: {agreement!r} is the id of an Agreement, not a Partner"
        == (answer.errors[0]["message"])
    )
    customer = await ask(seeded, query, {"a": encode_id("Customer", "C1"), "b": agreement})
    assert "is the id of a Customer, not a Partner" in customer.errors[0]["message"]
