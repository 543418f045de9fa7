"""tierApply and Partner.tierHistory: partners moved to the tier the oracle of test_tier_review
says they qualify for, each move recorded once — applying again, or twice at once, records
nothing more — and a partner's history seen by staff and by itself alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support import Answer, ask, partner_viewer, wipe, wipe_and_load
from test_tier_review import AS_OF, CRAFT, SILVER, close_deals, oracle, read_world

from graph.access import Role, Viewer, today
from graph.db import Graph
from resolvers.node import encode_id

STAFF = Viewer(Role.ALLIANCE_MANAGER, subject="alice")
APPLY = """mutation($input: TierApplyInput!) { tierApply(input: $input) {
  changes { partner { key } from to on asOf sales wonDeals by }
  userErrors { field code message }
} }"""
HISTORY = """query($key: String!) { partner(key: $key) {
  tierHistory { from to on asOf sales wonDeals by }
} }"""
CHANGES = "MATCH (c:TierChange) RETURN count(c) AS n"


@pytest.fixture
async def world(graph: Graph, tmp_path: Path) -> AsyncIterator[Graph]:
    await wipe_and_load(graph, tmp_path, seed=5)
    await close_deals(graph, 5)
    late = AS_OF - timedelta(days=364)  # a diamond whose leaf reaches SILVER exactly: an upgrade
    await graph.write(CRAFT, {"half": SILVER.min_sales / 2, "asOf": AS_OF, "late": late})
    yield graph
    await wipe(graph)


def ids(keys: list[str]) -> list[str]:
    return [encode_id("Partner", key) for key in keys]


async def apply(graph: Graph, keys: list[str], viewer: Viewer = STAFF, **more: Any) -> Answer:
    given = {"partners": ids(keys), "asOf": AS_OF.isoformat(), **more}
    return await ask(graph, APPLY, {"input": given}, viewer)


async def history(graph: Graph, key: str, viewer: Viewer = STAFF) -> Answer:
    return await ask(graph, HISTORY, {"key": key}, viewer)


def record(review: dict[str, Any], as_of: str) -> dict[str, Any]:
    return {
        "from": review["current"],
        "to": review["qualified"],
        "on": today().isoformat(),
        "asOf": as_of,
        "sales": pytest.approx(review["sales"], rel=1e-12),
        "wonDeals": review["wonDeals"],
        "by": "alice",
    }


async def test_apply_moves_each_partner_to_its_qualified_tier_and_records_the_move(
    world: Graph,
) -> None:
    expected = oracle(await read_world(world), AS_OF)
    keys = sorted(expected)[::-1]  # any order: the changes come in the order listed
    moving = [key for key in keys if expected[key]["change"] != "HOLD"]
    assert {expected[key]["change"] for key in moving} == {"UPGRADE", "DOWNGRADE"}
    answer = await apply(world, keys)
    assert answer.errors == [], answer.errors
    done = answer.data["tierApply"]
    assert done["userErrors"] == []
    assert done["changes"] == [
        {"partner": {"key": key}, **record(expected[key], AS_OF.isoformat())} for key in moving
    ]
    tiers = (await read_world(world)).tiers
    assert tiers == {key: review["qualified"] for key, review in expected.items()}
    for key in keys[:: max(1, len(keys) // 12)] + moving[:5]:
        got = (await history(world, key)).data["partner"]["tierHistory"]
        wanted = [record(expected[key], AS_OF.isoformat())] if key in moving else []
        assert got == wanted, key


async def test_applying_again_records_nothing_and_a_later_day_records_newest_first(
    world: Graph,
) -> None:
    keys = sorted(oracle(await read_world(world), AS_OF))
    first = (await apply(world, keys)).data["tierApply"]["changes"]
    assert first
    count = (await world.read(CHANGES))[0]["n"]
    assert (await apply(world, keys)).data["tierApply"] == {"changes": [], "userErrors": []}
    assert (await world.read(CHANGES))[0]["n"] == count  # idempotent
    later = AS_OF + timedelta(days=400)  # every deal has left the window: all to REGISTERED
    expected = oracle(await read_world(world), later)
    second = await apply(world, keys, asOf=later.isoformat())
    moved = [c["partner"]["key"] for c in second.data["tierApply"]["changes"]]
    assert moved == [key for key in keys if expected[key]["change"] != "HOLD"]
    key = next(k for k in moved if k in {c["partner"]["key"] for c in first})
    got = (await history(world, key)).data["partner"]["tierHistory"]
    assert [(c["asOf"], c["to"]) for c in got] == [
        (later.isoformat(), "REGISTERED"),
        (AS_OF.isoformat(), next(c["to"] for c in first if c["partner"]["key"] == key)),
    ]


async def test_concurrent_applies_record_each_move_once(world: Graph) -> None:
    expected = oracle(await read_world(world), AS_OF)
    moving = [key for key, review in expected.items() if review["change"] != "HOLD"][:20]
    answers = await asyncio.gather(*(apply(world, moving[i:] + moving[:i]) for i in range(6)))
    recorded = [c["partner"]["key"] for a in answers for c in a.data["tierApply"]["changes"]]
    assert sorted(recorded) == sorted(moving)
    assert (await world.read(CHANGES))[0]["n"] == len(moving)


async def test_an_unknown_partner_is_named_and_nothing_is_applied(world: Graph) -> None:
    keys = sorted(oracle(await read_world(world), AS_OF))
    answer = await apply(world, [keys[0], "NOPE", keys[1], "NOPE"])
    assert answer.data["tierApply"]["changes"] == []
    assert [(e["field"], e["code"]) for e in answer.data["tierApply"]["userErrors"]] == [
        ("partners[1]", "NOT_FOUND")
    ]
    assert (await world.read(CHANGES))[0]["n"] == 0


async def test_a_repeated_partner_counts_once_and_the_limit_counts_different_ones(
    world: Graph,
) -> None:
    expected = oracle(await read_world(world), AS_OF)
    key = next(k for k, review in expected.items() if review["change"] != "HOLD")
    answer = await apply(world, [key, key, key])
    assert [c["partner"]["key"] for c in answer.data["tierApply"]["changes"]] == [key]
    too_many = await apply(world, [f"X{i}" for i in range(1_001)])
    assert too_many.codes == ["BAD_USER_INPUT"], too_many.errors
    assert (await world.read(CHANGES))[0]["n"] == 1


@pytest.mark.parametrize(
    "viewer",
    [Viewer(Role.MARKETER, subject="m"), partner_viewer("P1")],
    ids=["marketer", "partner"],
)
async def test_only_admins_and_alliance_managers_apply(world: Graph, viewer: Viewer) -> None:
    answer = await apply(world, ["P1"], viewer)
    assert answer.codes == ["FORBIDDEN"]
    assert (await world.read(CHANGES))[0]["n"] == 0
    assert (await apply(world, ["P1"], Viewer(Role.ADMIN, subject="root"))).errors == []


async def test_a_partner_sees_its_own_history_alone(world: Graph) -> None:
    expected = oracle(await read_world(world), AS_OF)
    moving = [key for key, review in expected.items() if review["change"] != "HOLD"][:2]
    await apply(world, moving)
    mine, other = moving
    own = await history(world, mine, partner_viewer(mine))
    assert own.errors == []
    assert own.data["partner"]["tierHistory"] == [record(expected[mine], AS_OF.isoformat())]
    refused = await history(world, other, partner_viewer(mine))
    assert refused.codes == ["FORBIDDEN"]
    assert refused.data == {"partner": {"tierHistory": None}}
