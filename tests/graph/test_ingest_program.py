"""Importing the partner program (program_tiers.csv) and closed deals (deals.csv's closed_on and
margin) into the real Neo4j: values, bad rows, a program that would decrease, margins taken from
the program the same import loads, re-imports, and the count of closed deals without a day.

Expected figures are computed here from the CSV rows and DESIGN.md's default program, never
with the code under test.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from support import DESIGN_PROGRAM, dump, read_csv, write_csv

from graph.db import Graph
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle

DESIGN = DESIGN_PROGRAM
PROGRAM = "MATCH (t:ProgramTier) RETURN t {.*} AS t"
DEALS = "MATCH (d:Deal) RETURN d.key AS key, d.closedOn AS closedOn, d.margin AS margin"


def tier_rows(margins: dict[str, float]) -> list[list[str]]:
    return [
        [tier, str(sales), str(won), str(margins.get(tier, margin)), f"{tier} benefit;shared"]
        for tier, (sales, won, margin) in DESIGN.items()
    ]


def partners(folder: Path, tiers: dict[str, str]) -> None:
    write_csv(
        folder,
        "partners.csv",
        [[k, k, "RESELLER", t, "", "", "", "", ""] for k, t in tiers.items()],
    )
    write_csv(folder, "customers.csv", [["C1", "One", "", "", "", ""]])


def errors(result: Any) -> list[tuple[str, int, str]]:
    return [(e.file, e.line, e.column) for e in result.validation.errors]


async def stored_deals(graph: Graph) -> dict[str, tuple[str, float | None]]:
    return {
        r["key"]: (r["closedOn"].iso_format() if r["closedOn"] else "", r["margin"])
        for r in await graph.read(DEALS)
    }


async def test_the_program_file_is_stored_and_a_reimport_changes_nothing(
    empty_graph: Graph, tmp_path: Path
) -> None:
    partners(tmp_path, {"P1": "GOLD"})
    write_csv(tmp_path, "program_tiers.csv", tier_rows({"GOLD": 0.33}))
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, [str(e) for e in result.validation.errors]
    stored = {r["t"]["tier"]: r["t"] for r in await empty_graph.read(PROGRAM)}
    for row in read_csv(tmp_path / "program_tiers.csv"):
        t = stored[row["tier"]]
        assert (t["minSales"], t["minWonDeals"], t["margin"]) == (
            float(row["min_sales"]),
            int(row["min_won_deals"]),
            float(row["margin"]),
        )
        assert t["benefits"] == row["benefits"].split(";")
    before = await dump(empty_graph)
    assert (await import_bundle(empty_graph, tmp_path)).validation.ok
    assert await dump(empty_graph) == before


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["GOLD", "1000000", "5", "1", ""], "margin"),
        (["GOLD", "1000000", "5", "-0.1", ""], "margin"),
        (["GOLD", "-5", "5", "0.2", ""], "min_sales"),
        (["GOLD", "1e999", "5", "0.2", ""], "min_sales"),
        (["GOLD", "1000000", "-1", "0.2", ""], "min_won_deals"),
        (["GOLD", "1000000", "2.5", "0.2", ""], "min_won_deals"),
        (["BRONZE", "1000000", "5", "0.2", ""], "tier"),
        (["GOLD", "1000000", "5", "", ""], "margin"),
        (["GOLD", "1000000", "5", "0.2", "x" * 1001], "benefits"),
    ],
)
async def test_a_bad_tier_row_names_its_column(
    empty_graph: Graph, tmp_path: Path, row: list[str], column: str
) -> None:
    partners(tmp_path, {"P1": "GOLD"})
    write_csv(tmp_path, "program_tiers.csv", [row])
    result = await import_bundle(empty_graph, tmp_path)
    assert errors(result) == [("program_tiers.csv", 2, column)]
    assert await empty_graph.read(PROGRAM) == []


async def test_a_tier_given_twice_is_a_duplicate(empty_graph: Graph, tmp_path: Path) -> None:
    partners(tmp_path, {"P1": "GOLD"})
    write_csv(tmp_path, "program_tiers.csv", tier_rows({})[2:3] * 2)
    result = await import_bundle(empty_graph, tmp_path)
    assert errors(result) == [("program_tiers.csv", 3, "tier")]


@pytest.mark.parametrize(
    ("rows", "stored", "bad"),
    [
        # SILVER asks more than the default GOLD: SILVER's row is at fault (GOLD is not given).
        ([["SILVER", "2000000", "2", "0.15", ""]], None, (2, "min_sales", "GOLD")),
        # GOLD asks fewer won deals than SILVER, both given: GOLD's row.
        (
            [["SILVER", "250000", "4", "0.15", ""], ["GOLD", "1000000", "3", "0.2", ""]],
            None,
            (3, "min_won_deals", "GOLD"),
        ),
        # Against the stored program: PLATINUM stored at 5,000,000; GOLD now asks 6,000,000.
        (
            [["GOLD", "6000000", "5", "0.2", ""]],
            ["PLATINUM", "5000000", "10", "0.25", ""],
            (2, "min_sales", "PLATINUM"),
        ),
    ],
)
async def test_a_program_that_would_decrease_up_the_tiers_is_refused_at_its_row(
    empty_graph: Graph,
    tmp_path: Path,
    rows: list[list[str]],
    stored: list[str] | None,
    bad: tuple[int, str, str],
) -> None:
    partners(tmp_path, {"P1": "GOLD"})
    if stored:
        write_csv(tmp_path / "first", "program_tiers.csv", [stored])
        partners(tmp_path / "first", {"P1": "GOLD"})
        assert (await import_bundle(empty_graph, tmp_path / "first")).validation.ok
    before = await dump(empty_graph)
    write_csv(tmp_path, "program_tiers.csv", rows)
    result = await import_bundle(empty_graph, tmp_path)
    line, column, named = bad
    assert errors(result) == [("program_tiers.csv", line, column)]
    assert named in result.validation.errors[0].reason
    assert await dump(empty_graph) == before
    # With --skip-invalid the good rows go in, and the program they leave does not decrease.
    assert (await import_bundle(empty_graph, tmp_path, skip_invalid=True)).wrote
    program = {r["t"]["tier"]: r["t"] for r in await empty_graph.read(PROGRAM)}
    merged = [program.get(t, {"minSales": s, "minWonDeals": w}) for t, (s, w, _) in DESIGN.items()]
    for below, above in itertools.pairwise(merged):
        assert below["minSales"] <= above["minSales"]
        assert below["minWonDeals"] <= above["minWonDeals"]


@pytest.mark.parametrize(
    ("status", "closed_on", "margin", "column"),
    [
        ("PENDING", "2025-02-01", "", "closed_on"),
        ("APPROVED", "2025-02-01", "", "closed_on"),
        ("LOST", "2025-02-01", "0.1", "margin"),
        ("APPROVED", "", "0.1", "margin"),
        ("WON", "2024-12-31", "", "closed_on"),  # before registered_on
        ("WON", "2025-02-30", "", "closed_on"),
        ("WON", "2025-02-01", "1", "margin"),
        ("WON", "2025-02-01", "-0.2", "margin"),
        ("WON", "2025-02-01", "nan", "margin"),
    ],
)
async def test_a_closing_that_the_status_denies_is_refused(
    empty_graph: Graph, tmp_path: Path, status: str, closed_on: str, margin: str, column: str
) -> None:
    partners(tmp_path, {"P1": "GOLD"})
    row = ["D1", "P1", "C1", "10", "", status, "2025-01-01", "", closed_on, margin]
    write_csv(tmp_path, "deals.csv", [row])
    result = await import_bundle(empty_graph, tmp_path)
    assert errors(result) == [("deals.csv", 2, column)], [str(e) for e in result.validation.errors]


async def test_won_deals_take_their_cell_else_their_margin_else_their_tier_margin(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 21, tmp_path / "bundle")
    rng = random.Random(21)
    bundle = tmp_path / "bundle"
    margins = {tier: round(rng.uniform(0.01, 0.9), 3) for tier in DESIGN if rng.random() < 0.7}
    write_csv(bundle, "program_tiers.csv", tier_rows(margins))
    assert (await import_bundle(empty_graph, bundle)).validation.ok

    tiers = {row["key"]: row["tier"] for row in read_csv(bundle / "partners.csv")}
    program = {tier: margins.get(tier, margin) for tier, (_, _, margin) in DESIGN.items()}

    def expected(previous: dict[str, tuple[str, float | None]]) -> dict[str, Any]:
        found = {}
        for row in read_csv(bundle / "deals.csv"):
            margin = None
            if row["status"] == "WON":
                kept = previous.get(row["key"], ("", None))[1]
                own = float(row["margin"]) if row["margin"] else None
                margin = own if own is not None else kept
                margin = margin if margin is not None else program[tiers[row["partner_key"]]]
            found[row["key"]] = (row["closed_on"], margin)
        return found

    first = await stored_deals(empty_graph)
    assert first == expected({})
    deals = read_csv(bundle / "deals.csv")
    assert any(r["status"] == "WON" and not r["margin"] for r in deals)
    assert any(r["status"] == "WON" and r["margin"] for r in deals)

    # A new program and new partner tiers: the WON deals keep what they have.
    write_csv(bundle, "program_tiers.csv", tier_rows({t: 0.5 for t in DESIGN}))
    rows = [list(r.values()) for r in read_csv(bundle / "partners.csv")]
    write_csv(bundle, "partners.csv", [[*r[:3], "PLATINUM", *r[4:]] for r in rows])
    before = await dump(empty_graph)
    assert (await import_bundle(empty_graph, bundle)).validation.ok
    assert await stored_deals(empty_graph) == first
    assert await dump(empty_graph) != before  # the program and tiers did change

    # An empty margin cell is "not given": a WON deal imported again without one keeps its own.
    emptied = [[*list(r.values())[:-1], ""] for r in read_csv(bundle / "deals.csv")]
    write_csv(bundle, "deals.csv", emptied)
    assert (await import_bundle(empty_graph, bundle)).validation.ok
    assert await stored_deals(empty_graph) == first


async def test_the_import_counts_closed_deals_without_a_day(
    empty_graph: Graph, tmp_path: Path
) -> None:
    generate("tiny", 4, tmp_path)
    result = await import_bundle(empty_graph, tmp_path)
    deals = read_csv(tmp_path / "deals.csv")
    undated = [d for d in deals if d["status"] in ("WON", "LOST") and not d["closed_on"]]
    assert undated, "the generator leaves some closed deals without a day"
    assert result.undated == len(undated)
    closed = [d for d in deals if d["status"] in ("WON", "LOST")]
    assert len(undated) < len(closed) / 4
