"""influencePaths sends Neo4j the same few query texts whatever `via`, `avoid` and the viewer
ask, with no list parameter whose length follows the question.

Neo4j plans each new query text anew (seconds for the path search's joins) and keeps a plan
per text and per size class of every list parameter (0, 1, up to 10, up to 100, ...): a text
per `via` combination, or an `avoid` list of a new length, meant seconds of planning before
the search began.
"""

from __future__ import annotations

import random
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from paths_support import ask_paths, load_generated
from support import partner_viewer, wipe

from graph.access import Viewer
from graph.analytics import paths
from graph.db import Graph

VIAS = [
    None,
    ["HAS_ACCOUNT"],
    ["CO_SELLS_WITH", "HAS_ACCOUNT"],
    ["REFERS_TO", "HAS_ACCOUNT", "CO_CREATED"],
    ["SUB_PARTNER_OF", "CO_SELLS_WITH", "REFERS_TO", "INTEGRATES_WITH"],
    ["HAS_ACCOUNT", "CO_CREATED", "INTEGRATES_WITH"],
]
AVOID_LENGTHS = [0, 1, 3, 12, 30]
# The reads of one question: its ends, one hop out of a frontier, the two joins (hashed or
# probed), a hub grown inside the last join, the rows of the answer's nodes.
QUERY_KINDS = 6
# The partner holding the most accounts, and its customers (the ones its token may see).
HELD_MOST = """MATCH (p:Partner)-[:HAS_ACCOUNT]->(c:Customer)
WITH p, collect(c.key) AS customers ORDER BY size(customers) DESC, p.key LIMIT 1
RETURN p.key AS key, customers"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def keys(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    await load_generated(graph, tmp_path_factory.mktemp("tiny"), "tiny", 4)
    partners = [r["key"] for r in await graph.read("MATCH (p:Partner) RETURN p.key AS key")]
    customers = [r["key"] for r in await graph.read("MATCH (c:Customer) RETURN c.key AS key")]
    held = await graph.read(HELD_MOST)
    yield sorted(partners), sorted(customers), held[0]["key"], sorted(held[0]["customers"])
    await wipe(graph)


Read = Callable[..., Awaitable[Any]]


def recording(graph: Graph, sent: list[tuple[str, dict[str, Any]]]) -> Read:
    """`graph.read`, keeping each query the path search sends (not the viewer's lookups)."""
    read = graph.read

    async def recorded(query: str, parameters: dict[str, Any] | None = None, **kw: Any) -> Any:
        caller = sys._getframe(1).f_code.co_filename
        if Path(caller) == Path(paths.__file__):
            sent.append((query, dict(parameters or {})))
        return await read(query, parameters, **kw)

    return recorded


async def test_one_text_and_one_plan_per_query_whatever_is_asked(
    graph: Graph, keys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    partners, customers, holder, own = keys
    rng = random.Random(11)
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(graph, "read", recording(graph, sent))
    # Each viewer asks about customers it may see.
    viewers: list[tuple[Viewer | None, list[str]]] = [
        (None, customers),
        (partner_viewer(holder), own),
    ]
    answered = 0
    for via in VIAS:
        for length in AVOID_LENGTHS:
            for viewer, visible in viewers:
                source = rng.choice(partners)
                target = rng.choice(visible)
                avoid = rng.sample([p for p in partners if p != source], length)
                answer = await ask_paths(
                    graph,
                    ("Partner", source),
                    ("Customer", target),
                    viewer,
                    first=3,
                    maxHops=rng.choice([4, 6]),
                    via=via,
                    avoid=[("Partner", key) for key in avoid] or None,
                )
                assert not answer.errors, answer.errors
                answered += len(answer.data["influencePaths"])
    assert answered  # the questions found paths, so the search ran its joins
    searches = sent
    texts = {text for text, _ in searches}
    assert len(texts) <= QUERY_KINDS, len(texts)
    # Per text, every list parameter has the same length in every question.
    lengths: dict[str, dict[str, set[int]]] = {}
    for text, params in searches:
        for name, value in params.items():
            if isinstance(value, list):
                lengths.setdefault(text, {}).setdefault(name, set()).add(len(value))
    varying = {
        (text.strip().splitlines()[0], name): sizes
        for text, by_name in lengths.items()
        for name, sizes in by_name.items()
        if len(sizes) > 1
    }
    assert not varying
