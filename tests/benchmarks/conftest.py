"""The bench runs from the repository's root (`python -m bench`) and is not an installed
package: its tests import it from there. `loaded`: a tiny generated ecosystem the scenarios'
picks run on."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from support import wipe

from graph.db import Graph
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest_asyncio.fixture(loop_scope="session")
async def loaded(graph: Graph, tmp_path: Path) -> AsyncIterator[Graph]:
    await wipe(graph)
    generate("tiny", 4, tmp_path)
    assert (await import_bundle(graph, tmp_path)).validation.ok
    yield graph
    await wipe(graph)
