"""Asking partnerMap as a client does, and comparing the answer with the model
(tests/map_oracle.py)."""

from __future__ import annotations

from typing import Any

from map_oracle import MapModel, Node, expected_map
from support import Answer, ask

from graph.access import Viewer
from graph.analytics.network import analyze
from graph.db import Graph
from resolvers.node import decode_id, encode_id

PARTNER_MAP = """query($center: ID, $depth: Int, $limit: Int, $filter: PartnerFilter,
  $minOverlap: Int, $maxOverlaps: Int) {
  partnerMap(center: $center, depth: $depth, limit: $limit, filter: $filter,
    minOverlap: $minOverlap, maxOverlaps: $maxOverlaps) {
    nodes { id key label kind tier type region size sizeKnown influence community distance }
    edges { source target kind weight }
    truncated omittedOverlaps
  }
}"""

SCORES = "MATCH (p:Partner) RETURN p.key AS key, p.influence AS influence, p.community AS community"

# Without the store's stamp, its counts (and the partners' overlap bounds) are not read.
UNSTAMP = "MATCH (e:Ecosystem {key: 'ecosystem'}) REMOVE e.overlapsAt"


async def store_overlaps(graph: Graph, top: int) -> None:
    """What `partnergraph analyze` stores, for the `top` partners with the most accounts."""
    await analyze(graph, stored=top, minimum=1)


async def unstore_overlaps(graph: Graph) -> None:
    """Back to the store a default analysis keeps (as many relationships as before a test),
    unstamped: maps count live."""
    await analyze(graph)
    await graph.write(UNSTAMP)


async def scores(graph: Graph) -> dict[str, tuple[float | None, int | None]]:
    return {r["key"]: (r["influence"], r["community"]) for r in await graph.read(SCORES)}


async def ask_map(graph: Graph, viewer: Viewer | None = None, **arguments: Any) -> Answer:
    center = arguments.pop("center", None)
    variables = {name: value for name, value in arguments.items() if value is not None}
    if center is not None:
        variables["center"] = encode_id(*center)
    return await ask(graph, PARTNER_MAP, variables, viewer)


def _node(value: str) -> Node:
    return decode_id(value, "id")


def shaped(answer: Answer) -> dict[str, Any]:
    """The answer in the model's shape, checking on the way that every edge joins two nodes of
    the map and that no node comes twice."""
    assert not answer.errors, answer.errors
    found = answer.data["partnerMap"]
    nodes = {_node(n["id"]): n for n in found["nodes"]}
    assert len(nodes) == len(found["nodes"]), "a node came twice"
    edges: dict[tuple[Node, Node, str], float] = {}
    for edge in found["edges"]:
        source, target = _node(edge["source"]), _node(edge["target"])
        assert source in nodes and target in nodes, edge
        key = (source, target, edge["kind"])
        assert key not in edges, f"an edge came twice: {key}"
        edges[key] = round(edge["weight"], 6)
    for node, row in nodes.items():
        assert (row["kind"], row["key"]) == node
    return {
        "nodes": {node: row["distance"] for node, row in nodes.items()},
        "edges": edges,
        "truncated": found["truncated"],
        "sizes": {node: (row["size"], row["sizeKnown"]) for node, row in nodes.items()},
        "omitted": found["omittedOverlaps"],
        "rows": nodes,
    }


def compare(answer: Answer, model: MapModel, center: Node | None, **arguments: Any) -> None:
    got = shaped(answer)
    want = expected_map(model, center, **arguments)
    assert got["nodes"] == want["nodes"], (set(got["nodes"]) ^ set(want["nodes"]), arguments)
    assert got["truncated"] == want["truncated"], arguments
    assert got["edges"] == {k: round(v, 6) for k, v in want["edges"].items()}, set(
        got["edges"]
    ) ^ set(want["edges"])
    assert got["sizes"] == want["sizes"]
    assert got["omitted"] == want["omitted"]
    for node, row in got["rows"].items():
        if node[0] == "Partner":
            assert row["label"] == model.partners[node[1]]["name"]
            assert row["tier"] == model.partners[node[1]]["tier"]
            assert row["influence"] == model.influence[node[1]]
