"""Deal-conflict scenarios: the first page of dealConflicts, as staff, over HTTP.

The floor is the one Cypher query the API sends for it (graph.conflicts.CONFLICTS: every
customer's colliding deals, counted, and the first page); the API then loads the page's deals by
key and shapes the answer.
"""

from __future__ import annotations

import random

from neo4j import Driver

from bench.scenarios import Args, Scenario
from graph.access import today
from graph.conflicts import CONFLICTS, OPEN

GRAPHQL = """{ dealConflicts(first: 20) { totalCount pageInfo { endCursor hasNextPage }
  nodes { customer { key name } deals { key amount stage status registeredOn expiresOn
    partner { key name } } protected { key } protectedOn hiddenDeals notice } } }"""


def _first_page(driver: Driver, database: str, rng: random.Random) -> list[Args]:
    return [{}]


def _params(args: Args) -> Args:
    return {
        "open": OPEN,
        "today": today(),  # as the API asks: the deals open today
        "customer": None,
        "member": None,
        "after": None,
        "limit": 21,
    }


CONFLICT_SCENARIOS = (
    Scenario(
        name="dealConflicts first page",
        graphql=GRAPHQL,
        cypher=CONFLICTS,
        pick=_first_page,
        note="first 20 customers with colliding deals, with totalCount, as staff",
        params=_params,
    ),
)
