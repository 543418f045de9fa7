"""Asking influencePaths as a client does, and comparing its answer with the oracle's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from paths_oracle import Node, rounded
from support import Answer, ask, wipe

from graph.access import Viewer
from graph.db import Graph
from graph.ingest.generate import Preset, generate
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

PATHS = """query($from: ID!, $to: ID!, $first: Int, $maxHops: Int, $via: [RelationshipKind!],
  $avoid: [ID!]) {
  influencePaths(from: $from, to: $to, first: $first, maxHops: $maxHops, via: $via,
    avoid: $avoid) {
    influence hops steps { node { __typename id } key label kind via strength }
  }
}"""


def gid(node: Node) -> str:
    return encode_id(node[0], node[1])


async def ask_paths(
    graph: Graph,
    source: Node | str,
    target: Node | str,
    viewer: Viewer | None = None,
    **arguments: Any,
) -> Answer:
    """Ask with the arguments given (left out ones take the schema's defaults); an endpoint
    is a node or an id."""
    variables = {
        "from": source if isinstance(source, str) else gid(source),
        "to": target if isinstance(target, str) else gid(target),
        **{name: value for name, value in arguments.items() if value is not None},
    }
    if "avoid" in variables:
        variables["avoid"] = [n if isinstance(n, str) else gid(n) for n in variables["avoid"]]
    return await ask(graph, PATHS, variables, viewer)


def shaped(answer: Answer, exact: bool = False) -> list[dict[str, Any]]:
    """The answer's paths without each step's `node`, once that node is checked to be the
    step's own (its type and global id); the influence `rounded` unless `exact`."""
    assert not answer.errors, answer.errors
    paths = answer.data["influencePaths"]
    for path in paths:
        if not exact:
            path["influence"] = rounded(path["influence"])
        assert path["hops"] == len(path["steps"]) - 1, path
        for step in path["steps"]:
            node = step.pop("node")
            assert node == {"__typename": step["kind"], "id": encode_id(step["kind"], step["key"])}
    return paths


async def load_generated(
    graph: Graph, folder: Path, preset: Preset, seed: int, today: date | None = None
) -> None:
    """A generated bundle, loaded; dated around `today` when given (else the generator's own
    fixed day)."""
    await wipe(graph)
    if today is None:
        generate(preset, seed, folder)
    else:
        generate(preset, seed, folder, today)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]


async def load_bundle(graph: Graph, folder: Path) -> None:
    await wipe(graph)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
