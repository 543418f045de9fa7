"""Asking suggestPartners as a client does."""

from __future__ import annotations

from typing import Any

from support import Answer, ask

from graph.access import Viewer
from graph.db import Graph
from resolvers.node import encode_id

SUGGEST = """query($campaign: ID, $partners: [ID!], $first: Int, $depth: Int,
  $statuses: [AccountStatus!], $industries: [String!], $regions: [String!]) {
  suggestPartners(campaign: $campaign, partners: $partners, first: $first, depth: $depth,
    statuses: $statuses, targetIndustries: $industries, targetRegions: $regions) {
    partner { __typename id key } addedReach
  }
}"""


async def ask_suggest(graph: Graph, viewer: Viewer | None = None, **arguments: Any) -> Answer:
    """Ask with the arguments given (left out ones take the schema's defaults): `campaign` is a
    campaign key and `partners` partner keys, sent as their global ids."""
    variables = {name: value for name, value in arguments.items() if value is not None}
    if "campaign" in variables:
        variables["campaign"] = encode_id("Campaign", variables["campaign"])
    if "partners" in variables:
        variables["partners"] = [encode_id("Partner", key) for key in variables["partners"]]
    return await ask(graph, SUGGEST, variables, viewer)


def picks(answer: Answer) -> list[tuple[str, int]]:
    """The answer's picks, once each partner is checked to be the one its key says."""
    assert not answer.errors, answer.errors
    found = []
    for row in answer.data["suggestPartners"]:
        partner = row["partner"]
        assert partner["id"] == encode_id("Partner", partner["key"]), partner
        found.append((partner["key"], row["addedReach"]))
    return found
