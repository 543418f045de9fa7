"""Named scenarios: a GraphQL request over HTTP and the same Cypher through the driver (the floor).

Each scenario draws its arguments from the loaded graph (`pick`), so it runs on any preset.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import Driver, RoutingControl

Args = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    graphql: str
    cypher: str
    pick: Callable[[Driver, str, random.Random], list[Args]]  # argument sets to cycle through
    note: str = ""


def _read(driver: Driver, database: str, query: str, **params: Any) -> list[Any]:
    records, _, _ = driver.execute_query(
        query, params, database_=database, routing_=RoutingControl.READ
    )
    return records


def random_partners(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    keys = [r["key"] for r in _read(driver, database, "MATCH (p:Partner) RETURN p.key AS key")]
    return [{"key": key} for key in rng.sample(sorted(keys), min(100, len(keys)))]


LOOKUP = Scenario(
    name="lookup",
    graphql="query($key: String!) { partner(key: $key) { key name type tier region } }",
    cypher=(
        "MATCH (p:Partner {key: $key}) RETURN p {.key, .name, .type, .tier, .region} AS partner"
    ),
    pick=random_partners,
    note="one partner by key, five scalar fields",
)

SCENARIOS: dict[str, Scenario] = {scenario.name: scenario for scenario in (LOOKUP,)}
