"""`partnergraph analyze`: influence scores and communities written onto every partner, checked
against networkx over the same bundle read straight from its CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from oracle import influence_graph
from support import write_csv

from graph.analytics.network import analyze
from graph.db import Graph
from graph.ecosystem import census
from graph.ingest.generate import Preset, generate
from graph.ingest.load import import_bundle

SMALL = Preset(partners=80, customers=600, accounts_per_customer=3.0, most_accounts=200)
SCORES = "MATCH (p:Partner) RETURN p.key AS key, p.influence AS influence, p.community AS community"


async def scores(graph: Graph) -> dict[str, tuple[Any, Any]]:
    return {r["key"]: (r["influence"], r["community"]) for r in await graph.read(SCORES)}


async def load(graph: Graph, folder: Path) -> None:
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:3]]


@pytest.fixture
async def generated(empty_graph: Graph, tmp_path: Path) -> Path:
    generate(SMALL, 3, tmp_path)
    await load(empty_graph, tmp_path)
    return tmp_path


async def test_every_partner_gets_a_score_in_0_1_with_the_top_one_1_and_a_community(
    empty_graph: Graph, generated: Path
) -> None:
    result = await analyze(empty_graph)
    found = await scores(empty_graph)
    assert result.partners == len(found) == SMALL.partners
    assert all(0.0 <= influence <= 1.0 for influence, _ in found.values())
    assert max(influence for influence, _ in found.values()) == 1.0
    ids = {community for _, community in found.values()}
    assert all(isinstance(community, int) for community in ids)
    assert ids == set(range(result.communities))  # numbered 0.. without gaps


async def test_influence_is_networkx_pagerank_over_the_bundle(
    empty_graph: Graph, generated: Path
) -> None:
    await analyze(empty_graph)
    found = await scores(empty_graph)
    expected = nx.pagerank(
        influence_graph(generated), alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000
    )
    partners = {key: value for (label, key), value in expected.items() if label == "Partner"}
    top = max(partners.values())
    assert set(partners) == set(found)
    for key, value in partners.items():
        assert found[key][0] == pytest.approx(value / top, abs=1e-6), key


async def test_the_same_graph_gives_the_same_scores_and_ids(
    empty_graph: Graph, generated: Path
) -> None:
    first = await analyze(empty_graph)
    before = await scores(empty_graph)
    second = await analyze(empty_graph)
    assert await scores(empty_graph) == before
    assert second.communities == first.communities
    assert second.analyzed_at is not None and first.analyzed_at is not None
    assert second.analyzed_at > first.analyzed_at


def two_cliques(folder: Path) -> None:
    """A1..A4 share customers X1..X3, B1..B4 share Y1..Y3; L has no relationship at all."""
    partners = [f"A{i}" for i in range(1, 5)] + [f"B{i}" for i in range(1, 5)] + ["L"]
    write_csv(
        folder, "partners.csv", [[key, key, "MSP", "GOLD", "", "", "", "", ""] for key in partners]
    )
    customers = [f"X{i}" for i in range(1, 4)] + [f"Y{i}" for i in range(1, 4)]
    write_csv(folder, "customers.csv", [[key, key, "", "", "", ""] for key in customers])
    write_csv(
        folder,
        "accounts.csv",
        [
            [partner, customer, "CUSTOMER", "", ""]
            for partner in partners
            for customer in customers
            if partner[0] != "L" and customer[0] == "XY"[partner[0] == "B"]
        ],
    )
    write_csv(
        folder,
        "partner_links.csv",
        [["A1", "A2", "CO_SELL", "", ""], ["B3", "B4", "REFERRAL", "0.2", ""]],
    )


async def test_dense_groups_without_links_between_them_are_two_communities_and_a_loner_its_own(
    empty_graph: Graph, tmp_path: Path
) -> None:
    two_cliques(tmp_path)
    await load(empty_graph, tmp_path)
    result = await analyze(empty_graph)
    found = {key: community for key, (_, community) in (await scores(empty_graph)).items()}
    # Equal sizes: the group with the smaller key first; the loner last.
    assert {key: found[key] for key in ("A1", "A2", "A3", "A4")} == dict.fromkeys(
        ("A1", "A2", "A3", "A4"), 0
    )
    assert {key: found[key] for key in ("B1", "B2", "B3", "B4")} == dict.fromkeys(
        ("B1", "B2", "B3", "B4"), 1
    )
    assert found["L"] == 2
    assert result.communities == 3


async def test_analysis_is_recorded_a_later_import_makes_it_stale_and_new_partners_are_unscored(
    empty_graph: Graph, tmp_path: Path
) -> None:
    before = await census(empty_graph, None)
    assert before.analyzed_at is None and before.imported_at is None and not before.stale
    two_cliques(tmp_path / "first")
    await load(empty_graph, tmp_path / "first")
    imported = await census(empty_graph, None)
    assert imported.imported_at is not None and imported.analyzed_at is None
    assert imported.stale  # partners exist and no analysis has run

    result = await analyze(empty_graph)
    analyzed = await census(empty_graph, None)
    assert analyzed.analyzed_at == result.analyzed_at
    assert analyzed.communities == 3
    assert not analyzed.stale

    write_csv(
        tmp_path / "later", "partners.csv", [["N1", "New", "OEM", "SILVER", "", "", "", "", ""]]
    )
    await load(empty_graph, tmp_path / "later")
    later = await census(empty_graph, None)
    assert later.stale and later.imported_at is not None and later.imported_at > result.analyzed_at
    assert later.analyzed_at == result.analyzed_at and later.communities == 3
    found = await scores(empty_graph)
    assert found["N1"] == (None, None)
    assert found["A1"][0] is not None  # the old scores stay, marked stale


async def test_an_import_that_writes_nothing_leaves_the_import_time(
    empty_graph: Graph, tmp_path: Path
) -> None:
    two_cliques(tmp_path / "good")
    await load(empty_graph, tmp_path / "good")
    imported = (await census(empty_graph, None)).imported_at
    write_csv(
        tmp_path / "bad", "partners.csv", [["N1", "New", "OEM", "DIAMOND", "", "", "", "", ""]]
    )
    assert not (await import_bundle(empty_graph, tmp_path / "bad")).wrote
    assert (await census(empty_graph, None)).imported_at == imported


async def test_an_empty_graph_is_analysed_to_nothing(empty_graph: Graph) -> None:
    result = await analyze(empty_graph)
    assert (result.partners, result.communities) == (0, 0)
    assert not (await census(empty_graph, None)).stale


async def test_an_import_of_the_good_rows_only_records_its_time_too(
    empty_graph: Graph, tmp_path: Path
) -> None:
    write_csv(
        tmp_path,
        "partners.csv",
        [
            ["G1", "Good", "OEM", "GOLD", "", "", "", "", ""],
            ["B1", "Bad", "OEM", "DIAMOND", "", "", "", "", ""],
        ],
    )
    result = await import_bundle(
        empty_graph, tmp_path, skip_invalid=True, rejects=tmp_path / "rejects.csv"
    )
    assert result.wrote and result.validation.bad_rows == 1
    found = await census(empty_graph, None)
    assert found.imported_at is not None and found.stale
