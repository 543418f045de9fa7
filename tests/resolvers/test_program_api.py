"""`program` (public) and `programTierSet` (admins and alliance managers): the program in force,
a tier set in full, the user errors, and concurrent sets that together would decrease it.

Expected programs are built here from DESIGN.md's default figures and the changes made, and
checked for order by walking them tier by tier, not with the code under test.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from mutation_support import VIEWERS, unchanged
from support import DESIGN_PROGRAM, ask, partner_viewer

from graph.db import Graph

TIERS = ["REGISTERED", "SILVER", "GOLD", "PLATINUM"]
DESIGN = DESIGN_PROGRAM
FIGURES = "tier minSales minWonDeals margin"
PROGRAM = f"{{ program {{ {FIGURES} benefits }} }}"
SET = f"""
mutation($input: ProgramTierSetInput!) {{
  programTierSet(input: $input) {{
    program {{ {FIGURES} benefits }}
    userErrors {{ field message code }}
  }}
}}"""
VIEWERS_ALL = {**VIEWERS, "partner": partner_viewer("P1")}


def design() -> list[dict[str, Any]]:
    return [
        {"tier": tier, "minSales": sales, "minWonDeals": won, "margin": margin}
        for tier, (sales, won, margin) in DESIGN.items()
    ]


def figures(program: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: row[key] for key in FIGURES.split()} for row in program]


def never_decreasing(program: list[dict[str, Any]]) -> bool:
    return all(
        a["minSales"] <= b["minSales"] and a["minWonDeals"] <= b["minWonDeals"]
        for a, b in itertools.pairwise(program)
    )


def given(tier: str, **changes: Any) -> dict[str, Any]:
    sales, won, margin = DESIGN[tier]
    row = {"tier": tier, "minSales": sales, "minWonDeals": won, "margin": margin}
    return {**row, "benefits": ["a benefit"], **changes}


async def set_tier(graph: Graph, row: dict[str, Any], viewer: str = "admin") -> Any:
    return await ask(graph, SET, {"input": row}, VIEWERS_ALL[viewer])


@pytest.mark.parametrize("viewer", sorted(VIEWERS_ALL))
async def test_every_caller_reads_the_default_program(empty_graph: Graph, viewer: str) -> None:
    answer = await ask(empty_graph, PROGRAM, None, VIEWERS_ALL[viewer])
    assert not answer.errors, answer.errors
    program = answer.data["program"]
    assert [row["tier"] for row in program] == TIERS
    assert figures(program) == design()
    assert all(row["benefits"] for row in program)


@pytest.mark.parametrize("viewer", ["admin", "alliance_manager"])
async def test_staff_set_a_tier_and_get_the_whole_program(empty_graph: Graph, viewer: str) -> None:
    row = given("GOLD", minSales=1_500_000.0, margin=0.3, benefits=[" one ", "two", "one"])
    answer = await set_tier(empty_graph, row, viewer)
    assert not answer.errors, answer.errors
    payload = answer.data["programTierSet"]
    assert payload["userErrors"] == []
    expected = [
        r if r["tier"] != "GOLD" else {**r, "minSales": 1_500_000.0, "margin": 0.3}
        for r in design()
    ]
    assert figures(payload["program"]) == expected
    assert payload["program"][2]["benefits"] == ["one", "two"]
    read = (await ask(empty_graph, PROGRAM, None, partner_viewer("P9"))).data["program"]
    assert read == payload["program"]


@pytest.mark.parametrize("viewer", ["marketer", "partner"])
async def test_others_may_not_set_the_program(empty_graph: Graph, viewer: str) -> None:
    answer = await unchanged(empty_graph, set_tier(empty_graph, given("GOLD"), viewer))
    assert answer.codes == ["FORBIDDEN"], answer.errors


@pytest.mark.parametrize(
    ("changes", "field", "named"),
    [
        ({"margin": 1.0}, "margin", None),
        ({"margin": -0.01}, "margin", None),
        ({"minSales": -1.0}, "minSales", None),
        ({"minWonDeals": -1}, "minWonDeals", None),
        ({"benefits": ["fine", "  "]}, "benefits[1]", None),
        ({"benefits": ["a;b"]}, "benefits[0]", None),
        ({"benefits": [f"b{n}" for n in range(101)]}, "benefits", None),
        ({"minSales": 200_000.0}, "minSales", "GOLD"),  # below SILVER's 250,000
        ({"minWonDeals": 11}, "minWonDeals", "PLATINUM"),  # its 10 now below GOLD's
    ],
)
async def test_a_bad_tier_is_a_user_error_and_changes_nothing(
    empty_graph: Graph, changes: dict[str, Any], field: str, named: str | None
) -> None:
    answer = await unchanged(empty_graph, set_tier(empty_graph, given("GOLD", **changes)))
    assert not answer.errors, answer.errors
    payload = answer.data["programTierSet"]
    assert payload["program"] is None
    assert [error["field"] for error in payload["userErrors"]] == [field], payload
    if named is not None:
        assert payload["userErrors"][0]["message"].count(named) >= 1, payload


async def test_a_non_finite_threshold_is_bad_user_input(empty_graph: Graph) -> None:
    query = (
        SET.replace("$input", "$input")
        .replace(
            "programTierSet(input: $input)",
            "programTierSet(input: {tier: GOLD, minSales: 1e999, minWonDeals: 5, margin: 0.2,"
            ' benefits: ["x"]})',
        )
        .replace("mutation($input: ProgramTierSetInput!)", "mutation")
    )
    answer = await unchanged(empty_graph, ask(empty_graph, query))
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors


async def test_concurrent_sets_never_leave_a_decreasing_program(empty_graph: Graph) -> None:
    # Each is fine against the default; together SILVER would ask more than GOLD.
    silver = given("SILVER", minSales=900_000.0)
    gold = given("GOLD", minSales=300_000.0)
    for _ in range(8):
        answers = await asyncio.gather(set_tier(empty_graph, silver), set_tier(empty_graph, gold))
        taken = [a for a in answers if a.data["programTierSet"]["userErrors"] == []]
        assert len(taken) == 1, [a.data for a in answers]
        program = (await ask(empty_graph, PROGRAM)).data["program"]
        assert never_decreasing(program), program
        assert program == taken[0].data["programTierSet"]["program"]
        # Back to the default for the next round.
        for row in (given("GOLD"), given("SILVER")):
            assert (await set_tier(empty_graph, row)).data["programTierSet"]["userErrors"] == []
