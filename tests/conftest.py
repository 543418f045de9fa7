"""Every test runs against a real Neo4j: the one `make test` starts (or NEO4J_URI)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api.settings import Settings
from graph.db import Graph
from graph.schema import apply_schema

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    graph = settings.connect()
    await graph.verify()
    await apply_schema(graph)
    yield graph
    await graph.close()


async def wipe(graph: Graph) -> None:
    async with graph.driver.session(database=graph.database) as session:
        result = await session.run(WIPE)  # CALL IN TRANSACTIONS needs an implicit transaction
        await result.consume()


@pytest.fixture
async def empty_graph(graph: Graph) -> Graph:
    """The graph with nothing in it (constraints and indexes stay)."""
    await wipe(graph)
    return graph
