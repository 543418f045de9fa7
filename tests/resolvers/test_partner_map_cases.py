"""partnerMap on a hand-made ecosystem (unicode and commas in names, a sub-partner under two
parents, a partner with nothing, ties with no scores yet, customer and solution centers), and
its arguments refused before any database work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from map_oracle import MapModel
from map_support import ask_map, compare, scores, shaped
from support import partner_rows, partner_viewer, wipe, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

NAMES = {"A": "Ärzte, Söhne & Co", "B": "日本パートナー", "C": 'O\'Brien "Quotes"', "E": "Empty"}
CUSTOMERS = [f"C{i}" for i in range(8)]


def _bundle(folder: Path) -> Path:
    write_csv(folder, "partners.csv", partner_rows(["A", "B", "C", "D", "E", "F"], NAMES))
    write_csv(
        folder,
        "customers.csv",
        [[c, f"Kunde {c}, GmbH", f"{c.lower()}.example", "", "", ""] for c in CUSTOMERS],
    )
    accounts = {
        "A": ["C0", "C1", "C2", "C3"],
        "B": ["C0", "C1", "C2"],
        "C": ["C2", "C3", "C4"],
        "D": ["C4", "C5"],
        "F": ["C6"],
    }
    write_csv(
        folder,
        "accounts.csv",
        [[p, c, "CUSTOMER", "", ""] for p, held in accounts.items() for c in held],
    )
    write_csv(folder, "sub_partners.csv", [["D", "A", "", ""], ["D", "B", "", "0.5"]])
    write_csv(folder, "partner_links.csv", [["C", "F", "CO_SELL", "0.9", ""]])
    write_csv(folder, "solutions.csv", [["S1", "Lösung, eins", "", ""]])
    write_csv(
        folder, "solution_partners.csv", [["S1", "B", "LEAD", "", ""], ["S1", "F", "", "", ""]]
    )
    write_csv(
        folder,
        "agreements.csv",
        [["G1", "A", "B", "OVERLAP_COUNTS", "2020-01-01", "", "ACTIVE"]],
    )
    return folder


@pytest.fixture(scope="module")
async def model(graph: Graph, tmp_path_factory: Any) -> AsyncIterator[MapModel]:
    folder = _bundle(tmp_path_factory.mktemp("map-cases"))
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
    yield MapModel.read(folder, await scores(graph))  # not analysed: every score is null
    await wipe(graph)


CENTERS = [("Partner", k) for k in "ABCDEF"] + [("Customer", "C2"), ("Solution", "S1")]


@pytest.mark.parametrize("center", CENTERS, ids=lambda c: f"{c[0]}-{c[1]}")
@pytest.mark.parametrize("limit", [1, 2, 3, 500])
async def test_every_center_and_limit(
    graph: Graph, model: MapModel, center: tuple[str, str], limit: int
) -> None:
    for least in (1, 2, 3):
        for depth in (1, 2, 4):
            answer = await ask_map(graph, center=center, depth=depth, limit=limit, minOverlap=least)
            compare(answer, model, center, depth=depth, limit=limit, least=least)


async def test_ties_without_scores_go_by_key(graph: Graph, model: MapModel) -> None:
    got = shaped(await ask_map(graph, center=("Partner", "A"), depth=1, limit=3))
    # A's neighbours: B, C (overlaps), D (its sub-partner); unscored, so the two smallest keys
    assert set(got["nodes"]) == {("Partner", "A"), ("Partner", "B"), ("Partner", "C")}
    assert got["truncated"] is True


async def test_a_filter_admitting_no_partner_is_an_empty_map(graph: Graph, model: MapModel) -> None:
    got = shaped(await ask_map(graph, filter={"tier": ["PLATINUM"]}))
    assert got["nodes"] == {} and got["edges"] == {} and got["truncated"] is False
    compare(
        await ask_map(graph, filter={"tier": ["PLATINUM"]}),
        model,
        None,
        filters={"tiers": ["PLATINUM"]},
    )


async def test_a_partner_with_nothing_is_a_map_of_one(graph: Graph, model: MapModel) -> None:
    got = shaped(await ask_map(graph, center=("Partner", "E")))
    assert got["nodes"] == {("Partner", "E"): 0}
    assert got["edges"] == {} and got["truncated"] is False
    assert got["rows"][("Partner", "E")]["label"] == "Empty"


async def test_a_partner_viewer_sees_overlaps_only_where_granted(
    graph: Graph, model: MapModel
) -> None:
    # B may count A (A grants it OVERLAP_COUNTS), not C: the B-C overlap is no edge, and not a
    # way into the map either.
    answer = await ask_map(graph, partner_viewer("B"), center=("Partner", "B"), depth=1)
    got = shaped(answer)
    overlaps = {(a[1], b[1]) for a, b, kind in got["edges"] if kind == "OVERLAP"}
    assert overlaps == {("A", "B")}
    assert ("Partner", "C") not in got["nodes"]
    assert got["sizes"][("Partner", "A")] == (4, True)
    compare(answer, model, ("Partner", "B"), depth=1, viewer="B")
    for center in CENTERS:
        if center[0] == "Customer":
            continue
        answer = await ask_map(graph, partner_viewer("C"), center=center, depth=3)
        compare(answer, model, center, depth=3, viewer="C")


async def test_a_customer_center_only_where_the_viewer_may_see_it(
    graph: Graph, model: MapModel
) -> None:
    mine = await ask_map(graph, partner_viewer("C"), center=("Customer", "C2"))
    compare(mine, model, ("Customer", "C2"), viewer="C")
    holders = {a[1] for a, b, kind in shaped(mine)["edges"] if kind == "HAS_ACCOUNT"}
    assert holders == {"C"}  # A and B hold C2 too, but C may not list their customers
    other = await ask_map(graph, partner_viewer("C"), center=("Customer", "C0"))
    assert other.codes == ["NOT_FOUND"] and other.data is None
    assert "C0" in other.errors[0]["message"]  # the id it was given, nothing more
    assert "Kunde" not in str(other.errors)


BAD = [
    ({"depth": 0}, "depth"),
    ({"depth": 5}, "depth"),
    ({"limit": 0}, "limit"),
    ({"limit": 2001}, "limit"),
    ({"limit": -1}, "limit"),
    ({"minOverlap": 0}, "minOverlap"),
    ({"minOverlap": -5}, "minOverlap"),
    ({"maxOverlaps": -1}, "maxOverlaps"),
    ({"maxOverlaps": 20_001}, "maxOverlaps"),
]


@pytest.mark.parametrize(("given", "field"), BAD, ids=[field for _, field in BAD])
async def test_out_of_range_arguments(
    graph: Graph, model: MapModel, given: dict[str, Any], field: str
) -> None:
    answer = await ask_map(graph, center=("Partner", "A"), **given)
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors
    assert answer.errors[0]["extensions"]["field"] == field
    assert answer.round_trips == 0  # refused before any database work


@pytest.mark.parametrize(
    ("center", "code"),
    [
        (encode_id("Deal", "X"), "BAD_USER_INPUT"),
        ("not an id", "BAD_USER_INPUT"),
        (encode_id("Partner", "nobody' OR 1=1 //"), "NOT_FOUND"),
        (encode_id("Solution", "\u00e9" * 300), "NOT_FOUND"),
    ],
)
async def test_bad_centers(graph: Graph, model: MapModel, center: str, code: str) -> None:
    from map_support import PARTNER_MAP
    from support import ask

    answer = await ask(graph, PARTNER_MAP, {"center": center})
    assert answer.codes == [code], answer.errors
    assert answer.errors[0]["extensions"]["field"] == "center"


async def test_null_arguments_take_the_defaults(graph: Graph, model: MapModel) -> None:
    from map_support import PARTNER_MAP
    from support import ask

    answer = await ask_map(graph, center=("Partner", "A"))
    center = encode_id("Partner", "A")
    nulls = dict.fromkeys(["depth", "limit", "filter", "minOverlap", "maxOverlaps"])
    assert shaped(await ask(graph, PARTNER_MAP, {"center": center, **nulls})) == shaped(answer)
