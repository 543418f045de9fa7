"""The soak's short mode on the tiny preset: the API as its own uvicorn process, callers in a
closed loop asking every kind of question and writing pairs that undo themselves, with no error
(no answer other than 200, no GraphQL error, no userError) and the graph as it was."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import GraphDatabase
from support import dump

from api.settings import Settings
from bench.__main__ import bearer, serve_api
from bench.soak import KINDS, soak
from graph.db import Graph

pytestmark = pytest.mark.timeout(300)


def _soak(uri: str, seconds: float, clients: int) -> dict[str, object]:
    api = serve_api(uri)
    try:
        with GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF") as driver:
            return soak(driver, api.url, api.process.pid, seconds, clients, bearer)
    finally:
        api.stop()


async def test_a_short_soak_has_no_error_and_leaves_the_graph_as_it_was(
    loaded: Graph, settings: Settings
) -> None:
    before = await dump(loaded)
    figures = await asyncio.to_thread(_soak, settings.bolt_uri, 20, 8)
    assert figures["errors"] == 0, figures["error_samples"]
    kinds = figures["kinds"]
    assert isinstance(kinds, dict)
    assert set(kinds) == {kind.name for kind in KINDS}  # every kind was asked
    asked = sum(kind["requests"] for kind in kinds.values())
    assert asked == figures["requests"] > 0
    rss = figures["rss_kib"]
    assert isinstance(rss, list) and len(rss) >= 3 and all(kib > 0 for _, kib in rss)
    assert await dump(loaded) == before
