"""The bench analyses a freshly loaded graph before the scenarios that read what `partnergraph
analyze` stores (the partner map), and only when the analysis is missing or stale."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest_asyncio
from support import wipe

from api.settings import Settings
from bench.__main__ import SCENARIOS
from bench.partner_map import MAP_SCENARIOS
from bench.prepare import ensure_analysed
from graph.db import Graph
from graph.ecosystem import census, mark_imported, overlaps_fresh
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle


@pytest_asyncio.fixture(loop_scope="session")
async def loaded(graph: Graph, tmp_path: Path) -> AsyncIterator[Graph]:
    await wipe(graph)
    generate("tiny", 2, tmp_path)
    assert (await import_bundle(graph, tmp_path)).validation.ok  # imported, never analysed
    yield graph
    await wipe(graph)


async def _analysed(graph: Graph) -> bool:
    return not (await census(graph, None)).stale and await overlaps_fresh(graph)


async def test_a_fresh_load_is_analysed_once(loaded: Graph, settings: Settings) -> None:
    assert not await _analysed(loaded)
    # The bench runs it from its own event loop, as `python -m bench` does.
    ran = await asyncio.to_thread(ensure_analysed, settings.bolt_uri)
    assert ran is not None
    assert await _analysed(loaded)
    assert await asyncio.to_thread(ensure_analysed, settings.bolt_uri) is None


async def test_an_import_after_the_analysis_makes_it_run_again(
    loaded: Graph, settings: Settings
) -> None:
    await asyncio.to_thread(ensure_analysed, settings.bolt_uri)
    await mark_imported(loaded, datetime.now(UTC))
    assert not await _analysed(loaded)
    assert await asyncio.to_thread(ensure_analysed, settings.bolt_uri) is not None
    assert await _analysed(loaded)


def test_the_map_scenarios_ask_for_the_analysis_and_no_other_does() -> None:
    needing = {name for name, scenario in SCENARIOS.items() if scenario.needs_analysis}
    assert needing == {scenario.name for scenario in MAP_SCENARIOS}
