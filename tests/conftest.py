"""Every test runs against a real Neo4j: the project's test instance (or NEO4J_URI).

Tests wipe the database they run on. Unless NEO4J_URI says otherwise, that is the local test
instance (var/neo4j-test, port 7688) — never the demo's — started here when it is not running.

Every test and every module leaves the graph as it found it: a test that talks to Neo4j fails
when its node or relationship count differs after it, and so does a module whose fixtures leave
data behind. Fixtures that load data wipe it when they are done.
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

from support import census, clear_trail, wipe  # noqa: E402

from api.settings import Settings  # noqa: E402  (after the environment is set)
from graph.audit import AuditTrail  # noqa: E402
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
    await wipe(graph)  # whatever an interrupted run left; from here on every test cleans up
    yield graph
    await graph.close()


@pytest.fixture
async def empty_graph(graph: Graph) -> AsyncIterator[Graph]:
    """The graph with nothing in it (constraints and indexes stay), emptied again afterwards."""
    await wipe(graph)
    yield graph
    await wipe(graph)


@pytest.fixture
async def empty_trail(graph: Graph) -> AsyncIterator[None]:
    """A graph holding no audit events (those of earlier tests deleted), and none after."""
    await clear_trail(graph)
    yield
    await clear_trail(graph)


@pytest.fixture
async def trail(graph: Graph, empty_trail: None) -> AsyncIterator[AuditTrail]:
    """A running audit trail over a graph holding no events."""
    trail = AuditTrail()
    trail.start(graph)
    yield trail
    await trail.close()


# A test needs Neo4j when it asks for one of these, directly or through another fixture.
DATABASE_FIXTURES = frozenset({"graph", "settings"})


def _uses_database(fixturenames: list[str]) -> bool:
    return not DATABASE_FIXTURES.isdisjoint(fixturenames)


async def _census_check(graph: Graph, what: str) -> AsyncIterator[None]:
    before = await census(graph)
    yield
    after = await census(graph)
    assert after == before, (
        f"{what} left the graph changed: (nodes, relationships) {before} before, {after} after"
    )


@pytest.fixture
async def _test_census(graph: Graph, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    async for _ in _census_check(graph, request.node.nodeid):
        yield


@pytest.fixture(scope="module")
async def _module_census(graph: Graph, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    async for _ in _census_check(graph, request.module.__name__):
        yield


@pytest.fixture(autouse=True)
def leaves_the_graph_as_it_found_it(request: pytest.FixtureRequest) -> None:
    """Fail a test that leaves nodes or relationships behind (or removes some it did not make)."""
    if _uses_database(request.fixturenames):
        request.getfixturevalue("_test_census")


@pytest.fixture(scope="module", autouse=True)
def module_leaves_the_graph_as_it_found_it(request: pytest.FixtureRequest) -> None:
    """The same for a module, once its fixtures (a loaded bundle) are torn down."""
    module = request.module
    items = [item for item in request.session.items if getattr(item, "module", None) is module]
    if any(_uses_database(getattr(item, "fixturenames", [])) for item in items):
        request.getfixturevalue("_module_census")
