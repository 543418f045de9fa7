"""`Query.ecosystem`, `Partner.influence` / `community`, ordering by influence and the community
filter, over a small hand-made ecosystem analysed by `graph.analytics.network.analyze`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from connection_support import walk
from support import ask, partner_viewer, write_csv

from graph.analytics.network import analyze
from graph.db import Graph
from graph.ingest.load import import_bundle
from graph.partners import create_partner

ECOSYSTEM = "{ ecosystem { analyzedAt importedAt stale partners customers accounts communities } }"
BY_INFLUENCE = "query($first: Int, $after: String, $dir: OrderDirection!) { partners(first: $first, after: $after, orderBy: {field: INFLUENCE, direction: $dir}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { key influence community } } } }"
IN_COMMUNITY = "query($ids: [Int!]) { partners(first: 100, filter: {community: $ids}) { totalCount nodes { key community } } }"
GROUPS = {"A": [f"A{i}" for i in range(1, 5)], "B": [f"B{i}" for i in range(1, 5)]}
CUSTOMERS = {"A": ["X1", "X2", "X3"], "B": ["Y1", "Y2", "Y3"]}


def on(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def bundle(folder: Path) -> Path:
    """Two groups sharing their customers among themselves, a loner, a customer nobody holds,
    and grants to A1: B1's account list in force, B2's counts only, B3's account list expired."""
    partners = [*GROUPS["A"], *GROUPS["B"], "L"]
    write_csv(folder, "partners.csv", [[p, p, "MSP", "GOLD", "", "", "", "", ""] for p in partners])
    write_csv(
        folder,
        "customers.csv",
        [[c, c, "", "", "", ""] for c in [*CUSTOMERS["A"], *CUSTOMERS["B"], "Z1"]],
    )
    accounts = [[p, c, "CUSTOMER", "", ""] for g in "AB" for p in GROUPS[g] for c in CUSTOMERS[g]]
    accounts[0][2] = "PROSPECT"
    write_csv(folder, "accounts.csv", accounts)
    write_csv(
        folder,
        "agreements.csv",
        [
            ["g1", "B1", "A1", "ACCOUNT_LIST", on(-10), on(10), "ACTIVE"],
            ["g2", "B2", "A1", "OVERLAP_COUNTS", on(-10), on(10), "ACTIVE"],
            ["g3", "B3", "A1", "ACCOUNT_LIST", on(-30), on(-5), "ACTIVE"],
        ],
    )
    return folder


async def loaded(graph: Graph, folder: Path) -> None:
    assert (await import_bundle(graph, bundle(folder))).validation.ok


async def test_before_any_run_the_counts_are_there_and_the_scores_stale_and_null(
    empty_graph: Graph, tmp_path: Path
) -> None:
    empty = await ask(empty_graph, ECOSYSTEM)
    assert empty.data["ecosystem"] == {
        "analyzedAt": None,
        "importedAt": None,
        "stale": False,
        "partners": 0,
        "customers": 0,
        "accounts": 0,
        "communities": None,
    }
    await loaded(empty_graph, tmp_path)
    answer = await ask(empty_graph, ECOSYSTEM)
    assert not answer.errors, answer.errors
    found = answer.data["ecosystem"]
    assert found["analyzedAt"] is None and found["importedAt"] is not None
    assert found["stale"] is True
    assert (found["partners"], found["customers"], found["accounts"]) == (9, 7, 24)
    partner = await ask(empty_graph, '{ partner(key: "A1") { influence community } }')
    assert partner.data["partner"] == {"influence": None, "community": None}


async def test_after_a_run_the_ecosystem_says_when_and_how_many_communities(
    empty_graph: Graph, tmp_path: Path
) -> None:
    await loaded(empty_graph, tmp_path)
    result = await analyze(empty_graph)
    found = (await ask(empty_graph, ECOSYSTEM)).data["ecosystem"]
    assert found["stale"] is False
    assert found["communities"] == 3
    assert found["analyzedAt"] == result.analyzed_at.isoformat()
    assert found["importedAt"] < found["analyzedAt"]


async def test_a_partner_counts_only_the_accounts_it_may_see_and_sees_every_score(
    empty_graph: Graph, tmp_path: Path
) -> None:
    await loaded(empty_graph, tmp_path)
    await analyze(empty_graph)
    answer = await ask(empty_graph, ECOSYSTEM, viewer=partner_viewer("A1"))
    found = answer.data["ecosystem"]
    # A1's own three accounts and B1's three (ACCOUNT_LIST in force), their six customers.
    assert (found["partners"], found["customers"], found["accounts"]) == (9, 6, 6)
    assert found["communities"] == 3 and found["stale"] is False
    loner = await ask(
        empty_graph, '{ partner(key: "B4") { influence community } }', viewer=partner_viewer("L")
    )
    assert loner.data["partner"]["community"] == 1 and loner.data["partner"]["influence"] > 0
    alone = await ask(empty_graph, ECOSYSTEM, viewer=partner_viewer("L"))
    assert (alone.data["ecosystem"]["customers"], alone.data["ecosystem"]["accounts"]) == (0, 0)


async def test_ordering_by_influence_pages_in_order_with_unscored_partners_last_both_ways(
    empty_graph: Graph, tmp_path: Path
) -> None:
    await loaded(empty_graph, tmp_path)
    await analyze(empty_graph)
    for key in ("N2", "N1"):  # partners added after the run
        await create_partner(empty_graph, key, {"name": key, "type": "OEM", "tier": "SILVER"})
    for direction in ("DESC", "ASC"):
        nodes = await walk(empty_graph, BY_INFLUENCE, ["partners"], {"dir": direction}, size=2)
        scored = [node for node in nodes if node["influence"] is not None]
        assert [node["key"] for node in nodes[len(scored) :]] == ["N1", "N2"]
        assert len(scored) == 9
        expected = sorted(scored, key=lambda node: node["key"])
        expected.sort(key=lambda node: node["influence"], reverse=direction == "DESC")
        assert [node["key"] for node in scored] == [node["key"] for node in expected]
    top = await ask(empty_graph, BY_INFLUENCE, {"first": 1, "dir": "DESC"})
    assert top.data["partners"]["edges"][0]["node"]["influence"] == 1.0


async def test_the_community_filter_keeps_the_partners_of_the_communities_given(
    empty_graph: Graph, tmp_path: Path
) -> None:
    await loaded(empty_graph, tmp_path)
    await analyze(empty_graph)
    answer = await ask(empty_graph, IN_COMMUNITY, {"ids": [0]})
    assert not answer.errors, answer.errors
    assert [node["key"] for node in answer.data["partners"]["nodes"]] == GROUPS["A"]
    both = await ask(empty_graph, IN_COMMUNITY, {"ids": [2, 1, 2]})
    assert [node["key"] for node in both.data["partners"]["nodes"]] == [*GROUPS["B"], "L"]
    assert both.data["partners"]["totalCount"] == 5
    none = await ask(empty_graph, IN_COMMUNITY, {"ids": [7]})
    assert none.data["partners"]["totalCount"] == 0
