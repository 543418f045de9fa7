"""Partner-map files read back by independent readers (networkx, json), as one shape to compare:
nodes by id with their fields, and the multiset of edges (source, target, kind, weight)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

Edge = tuple[str, str, str, float]


def read_graphml(path: Path) -> tuple[dict[str, dict[str, Any]], Counter[Edge], dict[str, Any]]:
    graph = nx.read_graphml(path, force_multigraph=True)
    assert graph.is_directed()
    nodes = {node: dict(data) for node, data in graph.nodes(data=True)}
    edges = Counter(
        (source, target, data["kind"], data["weight"])
        for source, target, data in graph.edges(data=True)
    )
    return nodes, edges, dict(graph.graph)


def read_gexf(path: Path) -> tuple[dict[str, dict[str, Any]], Counter[Edge]]:
    """The file as networkx's own read_gexf takes it: a directed multigraph."""
    graph = nx.read_gexf(path, version="1.3")
    assert graph.is_directed()
    nodes = {node: dict(data) for node, data in graph.nodes(data=True)}
    edges: Counter[Edge] = Counter()
    for source, target, data in graph.edges(data=True):
        assert data["label"] == data["kind"]
        edges[(source, target, data["kind"], data["weight"])] += 1
    return nodes, edges


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def api_nodes(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The API's (or the JSON file's) nodes by id, their absent fields left out."""
    return {
        node["id"]: {name: value for name, value in node.items() if value is not None}
        for node in answer["nodes"]
    }


def api_edges(answer: dict[str, Any]) -> Counter[Edge]:
    return Counter(
        (edge["source"], edge["target"], edge["kind"], float(edge["weight"]))
        for edge in answer["edges"]
    )


def without(nodes: dict[str, dict[str, Any]], *names: str) -> dict[str, dict[str, Any]]:
    return {
        node: {name: value for name, value in data.items() if name not in names}
        for node, data in nodes.items()
    }
