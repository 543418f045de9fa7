"""Importing co-selling plans (cosell_plans.csv, cosell_plan_partners.csv,
cosell_plan_campaigns.csv) into the real Neo4j: values as the CSV says, bad rows named by file,
line and column with nothing of them written, references to what the graph holds, re-imports,
and generated bundles.

Expected values are read from the CSV rows here, never with the code under test.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from support import dump, read_csv, write_csv

from graph.db import Graph
from graph.ingest.generate import generate
from graph.ingest.load import import_bundle
from graph.plans import MAX_PLAN_DAYS

PLANS = """MATCH (pl:CoSellPlan)
  RETURN pl {.key, .name, .startsOn, .endsOn, .targetAmount, .targetDeals, .targetIndustries,
             .targetRegions} AS plan ORDER BY pl.key"""
MEMBERS = """MATCH (p:Partner)-[r:MEMBER_OF]->(pl:CoSellPlan)
  RETURN pl.key AS plan, p.key AS partner, r.responsibilities AS duties, r.mdfCommitted AS mdf
  ORDER BY plan, partner"""
PROMOTIONS = """MATCH (pl:CoSellPlan)-[:PROMOTED_BY]->(k:Campaign)
  RETURN pl.key AS plan, k.key AS campaign ORDER BY plan, campaign"""


def base(folder: Path) -> None:
    write_csv(
        folder,
        "partners.csv",
        [[f"P{n}", f"Partner {n}", "RESELLER", "SILVER", "", "", "", "", ""] for n in (1, 2, 3)],
    )
    write_csv(folder, "campaigns.csv", [["K1", "One", "2026-01-01", "", "", "", "", ""]])


def errors(result: object) -> list[tuple[str, int, str]]:
    return [(e.file, e.line, e.column) for e in result.validation.errors]  # type: ignore[attr-defined]


async def test_plans_their_members_and_campaigns_are_stored(
    empty_graph: Graph, tmp_path: Path
) -> None:
    base(tmp_path)
    write_csv(
        tmp_path,
        "cosell_plans.csv",
        [
            ["J1", 'Joint, "One" ✓', "2026-01-01", "2026-12-31", "1e6", "12", "Retail;Health", ""],
            ["J2", "Two", "2026-03-01", "2026-03-01", "0.5", "", "", "EMEA"],
        ],
    )
    write_csv(
        tmp_path,
        "cosell_plan_partners.csv",
        [["J1", "P1", "marketing; selling;marketing", "2500"], ["J1", "P2", "", ""]],
    )
    write_csv(tmp_path, "cosell_plan_campaigns.csv", [["J1", "K1"]])
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, [str(e) for e in result.validation.errors]
    plans = [dict(r["plan"]) for r in await empty_graph.read(PLANS)]
    for plan in plans:
        plan["startsOn"], plan["endsOn"] = (
            plan["startsOn"].iso_format(),
            plan["endsOn"].iso_format(),
        )
    expected = []
    for row in read_csv(tmp_path / "cosell_plans.csv"):
        expected.append(
            {
                "key": row["key"],
                "name": row["name"],
                "startsOn": row["starts_on"],
                "endsOn": row["ends_on"],
                "targetAmount": float(row["target_amount"]),
                "targetDeals": int(row["target_deals"]) if row["target_deals"] else None,
                "targetIndustries": [i for i in row["target_industries"].split(";") if i],
                "targetRegions": [r for r in row["target_regions"].split(";") if r],
            }
        )
    assert plans == expected
    members = [
        (r["plan"], r["partner"], r["duties"], r["mdf"]) for r in await empty_graph.read(MEMBERS)
    ]
    assert members == [("J1", "P1", ["marketing", "selling"], 2500.0), ("J1", "P2", [], None)]
    promotions = [(r["plan"], r["campaign"]) for r in await empty_graph.read(PROMOTIONS)]
    assert promotions == [("J1", "K1")]
    before = await dump(empty_graph)
    again = await import_bundle(empty_graph, tmp_path)
    assert again.validation.ok
    assert await dump(empty_graph) == before


async def test_bad_plan_rows_are_named_and_nothing_of_them_is_written(
    empty_graph: Graph, tmp_path: Path
) -> None:
    base(tmp_path)
    too_late = (datetime.date(2026, 1, 1) + datetime.timedelta(days=MAX_PLAN_DAYS)).isoformat()
    longest = (datetime.date(2026, 1, 1) + datetime.timedelta(days=MAX_PLAN_DAYS - 1)).isoformat()
    write_csv(
        tmp_path,
        "cosell_plans.csv",
        [
            ["J1", "Good", "2026-01-01", longest, "10", "", "", ""],
            ["J2", "Backwards", "2026-02-01", "2026-01-31", "10", "", "", ""],  # line 3
            ["J3", "Too long", "2026-01-01", too_late, "10", "", "", ""],
            ["J4", "No target", "2026-01-01", "2026-02-01", "0", "", "", ""],
            ["J5", "Negative deals", "2026-01-01", "2026-02-01", "10", "-1", "", ""],
            ["J6", "No end", "2026-01-01", "", "10", "", "", ""],
            ["J1", "Twice", "2026-01-01", "2026-02-01", "10", "", "", ""],  # line 8
        ],
    )
    write_csv(
        tmp_path,
        "cosell_plan_partners.csv",
        [
            ["J1", "P1", "", "-5"],
            ["J1", "P9", "", ""],
            ["J9", "P1", "", ""],
            ["J2", "P1", "", ""],  # a rejected plan
            ["J1", "P2", "", "1"],
            ["J1", "P2", "", "2"],
        ],
    )
    write_csv(tmp_path, "cosell_plan_campaigns.csv", [["J1", "K9"], ["J1", "K1"], ["J1", "K1"]])
    result = await import_bundle(empty_graph, tmp_path, skip_invalid=True)
    assert errors(result) == [
        ("cosell_plans.csv", 3, "ends_on"),
        ("cosell_plans.csv", 4, "ends_on"),
        ("cosell_plans.csv", 5, "target_amount"),
        ("cosell_plans.csv", 6, "target_deals"),
        ("cosell_plans.csv", 7, "ends_on"),
        ("cosell_plans.csv", 8, "key"),
        ("cosell_plan_partners.csv", 2, "mdf_committed"),
        ("cosell_plan_partners.csv", 3, "partner_key"),
        ("cosell_plan_partners.csv", 4, "plan_key"),
        ("cosell_plan_partners.csv", 5, "plan_key"),
        ("cosell_plan_partners.csv", 7, "partner_key"),
        ("cosell_plan_campaigns.csv", 2, "campaign_key"),
        ("cosell_plan_campaigns.csv", 4, "campaign_key"),
    ]
    assert [r["plan"]["key"] for r in await empty_graph.read(PLANS)] == ["J1"]
    members = [(r["plan"], r["partner"], r["mdf"]) for r in await empty_graph.read(MEMBERS)]
    assert members == [("J1", "P2", 1.0)]
    assert [(r["plan"], r["campaign"]) for r in await empty_graph.read(PROMOTIONS)] == [
        ("J1", "K1")
    ]


async def test_links_may_name_plans_and_campaigns_the_graph_holds(
    empty_graph: Graph, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    base(first)
    write_csv(
        first, "cosell_plans.csv", [["J1", "One", "2026-01-01", "2026-06-30", "5", "", "", ""]]
    )
    assert (await import_bundle(empty_graph, first)).validation.ok
    write_csv(second, "partners.csv", [["P4", "Four", "OEM", "GOLD", "", "", "", "", ""]])
    write_csv(second, "cosell_plan_partners.csv", [["J1", "P4", "", ""], ["J1", "P1", "x", ""]])
    write_csv(second, "cosell_plan_campaigns.csv", [["J1", "K1"]])
    result = await import_bundle(empty_graph, second)
    assert result.validation.ok, [str(e) for e in result.validation.errors]
    members = [(r["plan"], r["partner"], r["duties"]) for r in await empty_graph.read(MEMBERS)]
    assert members == [("J1", "P1", ["x"]), ("J1", "P4", [])]
    # a plan re-imported without its target columns keeps the targets it has
    write_csv(
        second,
        "cosell_plans.csv",
        [["J1", "Renamed", "2026-01-01", "2026-06-30", "5"]],
        header=["key", "name", "starts_on", "ends_on", "target_amount"],
    )
    (second / "cosell_plan_partners.csv").unlink()
    (second / "cosell_plan_campaigns.csv").unlink()
    assert (await import_bundle(empty_graph, second)).validation.ok
    plan = (await empty_graph.read(PLANS))[0]["plan"]
    assert (plan["name"], plan["targetIndustries"], plan["targetRegions"]) == ("Renamed", [], [])


async def test_a_generated_bundle_holds_plans_of_every_kind(
    empty_graph: Graph, tmp_path: Path
) -> None:
    today = datetime.date(2026, 6, 1)
    generate("tiny", 11, tmp_path, today)
    result = await import_bundle(empty_graph, tmp_path)
    assert result.validation.ok, [str(e) for e in result.validation.errors[:5]]
    plans = [r["plan"] for r in await empty_graph.read(PLANS)]
    assert len(plans) == len(read_csv(tmp_path / "cosell_plans.csv")) >= 3
    starts = [p["startsOn"].to_native() for p in plans]
    ends = [p["endsOn"].to_native() for p in plans]
    assert any(s > today for s in starts)  # not started yet
    assert any(e < today for e in ends)  # ended
    assert any(s <= today <= e for s, e in zip(starts, ends, strict=True))
    members = await empty_graph.read(MEMBERS)
    assert len(members) == len(read_csv(tmp_path / "cosell_plan_partners.csv")) > 0
    distributors = await empty_graph.read(
        "MATCH (p:Partner {type: 'DISTRIBUTOR'})-[:MEMBER_OF]->(:CoSellPlan) RETURN count(*) AS n"
    )
    assert distributors[0]["n"] > 0
