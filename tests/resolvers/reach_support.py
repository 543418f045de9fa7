"""Asking campaignReach and planReach as a client does, and shaping the answer for comparing
with the oracle (tests/reach_oracle.py)."""

from __future__ import annotations

from typing import Any

from support import Answer, ask

from graph.access import Viewer
from graph.db import Graph
from resolvers.node import encode_id

REACH = """
  total overlapShare
  participants { partner { key } reach exclusive }
  byIndustry { segment customers }
  byRegion { segment customers }
"""
CUSTOMERS = """customers(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { customer { key name } participants { key } } } }"""
CAMPAIGN_REACH = f"""query($campaign: ID!, $depth: Int, $statuses: [AccountStatus!], $first: Int,
  $after: String) {{
  campaignReach(campaign: $campaign, depth: $depth, statuses: $statuses) {{ {REACH} {CUSTOMERS} }}
}}"""
PLAN_REACH = f"""query($partners: [ID!]!, $depth: Int, $statuses: [AccountStatus!],
  $targetIndustries: [String!], $targetRegions: [String!], $first: Int, $after: String) {{
  planReach(partners: $partners, depth: $depth, statuses: $statuses,
    targetIndustries: $targetIndustries, targetRegions: $targetRegions) {{ {REACH} {CUSTOMERS} }}
}}"""


def _given(arguments: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if value is not None}


async def campaign_reach(
    graph: Graph, campaign: str, viewer: Viewer | None = None, **arguments: Any
) -> Answer:
    variables = {"campaign": encode_id("Campaign", campaign), **_given(arguments)}
    return await ask(graph, CAMPAIGN_REACH, variables, viewer)


async def plan_reach(
    graph: Graph, partners: list[str], viewer: Viewer | None = None, **arguments: Any
) -> Answer:
    variables = {"partners": [encode_id("Partner", p) for p in partners], **_given(arguments)}
    return await ask(graph, PLAN_REACH, variables, viewer)


async def every_customer(
    graph: Graph, asker: Any, field: str, first: int = 7, **arguments: Any
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The answer of the first page, and every reached customer (paging to the end, checking the
    order and totalCount) with its participants' keys."""
    found: dict[str, list[str]] = {}
    after = None
    head: dict[str, Any] | None = None
    while True:
        answer = await asker(first=first, after=after, **arguments)
        assert not answer.errors, answer.errors
        reach = answer.data[field]
        connection = reach.pop("customers")
        head = head or reach
        for edge in connection["edges"]:
            node = edge["node"]
            found[node["customer"]["key"]] = [p["key"] for p in node["participants"]]
        total = connection["totalCount"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert list(found) == sorted(found)
    assert total == len(found)
    return head, found


def rounded(answer: dict[str, Any]) -> dict[str, Any]:
    return {**answer, "overlapShare": round(answer["overlapShare"], 9)}
