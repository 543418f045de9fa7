"""What the mutation tests share: a small seeded graph, viewers by role, and "nothing written"."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from support import Answer, dump, partner_viewer

from graph.access import Role, Viewer
from graph.db import Graph
from resolvers.node import encode_id

PARTNERS = [
    {"key": f"P{n}", "name": f"Partner {n}", "type": "RESELLER", "tier": "GOLD"}
    for n in range(1, 8)
]
CUSTOMERS = [
    {"key": "C1", "name": "One", "industry": "Retail", "region": "EMEA", "employees": 10},
    {"key": "C2", "name": "Two", "industry": "Health", "region": "AMER", "employees": 20},
]
SEED = """
UNWIND $partners AS row CREATE (p:Partner) SET p = row, p.nameLower = toLower(row.name)
WITH count(*) AS done
UNWIND $customers AS row CREATE (c:Customer) SET c = row, c.nameLower = toLower(row.name)
"""

VIEWERS = {
    "admin": Viewer(Role.ADMIN, subject="tests"),
    "alliance_manager": Viewer(Role.ALLIANCE_MANAGER, subject="tests"),
    "marketer": Viewer(Role.MARKETER, subject="tests"),
    "partner": partner_viewer("P1"),
}
WRITERS = ["admin", "alliance_manager"]
NOT_WRITERS = ["marketer", "partner"]


def partner_id(key: str) -> str:
    return encode_id("Partner", key)


def customer_id(key: str) -> str:
    return encode_id("Customer", key)


async def seed(graph: Graph, query: str = "", **params: Any) -> Graph:
    """The seven partners and two customers, then `query` (relationships) if given."""
    await graph.write(SEED, {"partners": PARTNERS, "customers": CUSTOMERS})
    if query:
        await graph.write(query, params)
    return graph


async def unchanged(graph: Graph, asking: Awaitable[Answer]) -> Answer:
    """Ask, and check the graph is exactly as it was before."""
    before = await dump(graph)
    answer = await asking
    assert await dump(graph) == before
    return answer


def user_errors(answer: Answer, field: str) -> list[tuple[str | None, str]]:
    """The payload's user errors as (field, code); no top-level errors expected."""
    assert not answer.errors, answer.errors
    return [(error["field"], error["code"]) for error in answer.data[field]["userErrors"]]


def forbidden(answer: Answer) -> None:
    assert answer.codes == ["FORBIDDEN"], answer.errors
    assert answer.data is None


async def stored(graph: Graph, label: str, key: str) -> list[dict[str, Any]]:
    """The node's properties as stored; its searchable name must be its name lowered, and is
    then left out of the answer."""
    query = f"MATCH (n:{label} {{key: $key}}) RETURN properties(n) AS props"
    found = [dict(record["props"]) for record in await graph.read(query, {"key": key})]
    for props in found:
        assert props.pop("nameLower") == props["name"].lower()
    return found
