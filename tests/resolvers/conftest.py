"""The fixture the schema-walking tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mutation_support import seed
from schema_walk import SEEDED
from support import wipe

from graph.db import Graph


@pytest.fixture
async def seeded(empty_graph: Graph) -> AsyncIterator[Graph]:
    """The graph holding `schema_walk.SEEDED`, emptied again afterwards."""
    await seed(empty_graph, SEEDED)
    yield empty_graph
    await wipe(empty_graph)
