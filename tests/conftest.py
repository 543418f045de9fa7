"""Every test runs against a real Neo4j: the project's test instance (or NEO4J_URI).

Tests wipe the database they run on. Unless NEO4J_URI says otherwise, that is the local test
instance (var/neo4j-test, port 7688) — never the demo's — started here when it is not running.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

TEST_INSTANCE = {
    "PARTNERGRAPH_NEO4J_HOME": str(Path(__file__).resolve().parent.parent / "var" / "neo4j-test"),
    "PARTNERGRAPH_NEO4J_PORT": "7688",
    "PARTNERGRAPH_NEO4J_HEAP": "1g",
    "PARTNERGRAPH_NEO4J_PAGE_CACHE": "512m",
}
for name, value in TEST_INSTANCE.items():
    os.environ.setdefault(name, value)

from support import wipe  # noqa: E402

from api.settings import Settings  # noqa: E402  (after the environment is set)
from graph.db import Graph  # noqa: E402
from graph.localdb import runner  # noqa: E402
from graph.schema import apply_schema  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    settings = Settings()
    if settings.uses_local_neo4j:
        runner.start(
            runner.LocalNeo4j(
                settings.local_neo4j_home,
                settings.local_neo4j_port,
                settings.local_neo4j_heap,
                settings.local_neo4j_page_cache,
            )
        )
    return settings


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    graph = settings.connect()
    await graph.verify()
    await apply_schema(graph)
    yield graph
    await graph.close()


@pytest.fixture
async def empty_graph(graph: Graph) -> Graph:
    """The graph with nothing in it (constraints and indexes stay)."""
    await wipe(graph)
    return graph
