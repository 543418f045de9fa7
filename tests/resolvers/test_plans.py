"""Co-selling plans through the API: the writes (who may make them, what they refuse, a member or
campaign added twice being one link), the reads (who sees which plan, its members, campaigns and
funds) and the audit of every partner's read."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from mutation_support import VIEWERS, partner_id, seed, stored, unchanged, user_errors
from support import Answer, ask, dump, partner_viewer, trail_events

from graph.audit import AuditTrail
from graph.db import Graph
from graph.plans import MAX_PLAN_DAYS
from resolvers.context import Context
from resolvers.node import encode_id
from resolvers.schema import schema

PLAN_FIELDS = """id key name startsOn endsOn targetAmount targetDeals targetIndustries
  targetRegions mdfCommitted members { partner { key } responsibilities mdfCommitted }
  campaigns { key }"""
PAYLOAD = f"plan {{ {PLAN_FIELDS} }} userErrors {{ field message code }}"
CREATE = f"""mutation($input: CoSellPlanCreateInput!) {{
  coSellPlanCreate(input: $input) {{ {PAYLOAD} }} }}"""
UPDATE = f"""mutation($input: CoSellPlanUpdateInput!) {{
  coSellPlanUpdate(input: $input) {{ {PAYLOAD} }} }}"""
DELETE = """mutation($input: CoSellPlanDeleteInput!) {
  coSellPlanDelete(input: $input) { deletedId userErrors { field message code } } }"""
MEMBER_SET = f"""mutation($input: CoSellPlanMemberSetInput!) {{
  coSellPlanMemberSet(input: $input) {{ {PAYLOAD} }} }}"""
MEMBER_REMOVE = f"""mutation($input: CoSellPlanMemberRemoveInput!) {{
  coSellPlanMemberRemove(input: $input) {{ {PAYLOAD} }} }}"""
CAMPAIGN_ADD = f"""mutation($input: CoSellPlanCampaignInput!) {{
  coSellPlanCampaignAdd(input: $input) {{ {PAYLOAD} }} }}"""
CAMPAIGN_REMOVE = f"""mutation($input: CoSellPlanCampaignInput!) {{
  coSellPlanCampaignRemove(input: $input) {{ {PAYLOAD} }} }}"""
ONE = f"query($key: String!) {{ coSellPlan(key: $key) {{ {PLAN_FIELDS} }} }}"
LIST = """query($first: Int, $after: String, $partner: ID, $activeOn: Date) {
  coSellPlans(first: $first, after: $after, partner: $partner, activeOn: $activeOn) {
    totalCount nodes { key } pageInfo { hasNextPage endCursor } } }"""

# J1 (P1, P2; campaigns K1, K2) runs through 2026; J2 (P3) through the first half of 2027.
# P1 takes part in K1 only.
PLANS_SEED = """
CREATE (k1:Campaign {key: 'K1', name: 'One', startsOn: date('2026-01-01')})
CREATE (k2:Campaign {key: 'K2', name: 'Two', startsOn: date('2026-02-01')})
CREATE (j1:CoSellPlan {key: 'J1', name: 'Joint One', nameLower: 'joint one',
  startsOn: date('2026-01-01'), endsOn: date('2026-12-31'), targetAmount: 1000000.0,
  targetIndustries: ['Retail'], targetRegions: []})
CREATE (j2:CoSellPlan {key: 'J2', name: 'Joint Two', nameLower: 'joint two',
  startsOn: date('2027-01-01'), endsOn: date('2027-06-30'), targetAmount: 50000.0,
  targetIndustries: [], targetRegions: []})
CREATE (j1)-[:PROMOTED_BY]->(k1)
CREATE (j1)-[:PROMOTED_BY]->(k2)
WITH j1, j2, k1
MATCH (p1:Partner {key: 'P1'}), (p2:Partner {key: 'P2'}), (p3:Partner {key: 'P3'})
CREATE (p1)-[:MEMBER_OF {responsibilities: ['field marketing'], mdfCommitted: 2500.0}]->(j1)
CREATE (p2)-[:MEMBER_OF {responsibilities: []}]->(j1)
CREATE (p3)-[:MEMBER_OF {responsibilities: ['pipeline'], mdfCommitted: 100.0}]->(j2)
CREATE (p1)-[:PARTICIPATES_IN]->(k1)
"""
NEW = {
    "key": "J3",
    "name": "Joint Three",
    "startsOn": "2026-04-01",
    "endsOn": "2027-03-31",
    "targetAmount": 750000,
}
STAFF_WRITERS = ["admin", "alliance_manager"]


def plan_id(key: str) -> str:
    return encode_id("CoSellPlan", key)


def campaign_id(key: str) -> str:
    return encode_id("Campaign", key)


async def seeded(graph: Graph) -> Graph:
    return await seed(graph, PLANS_SEED)


async def run(graph: Graph, query: str, given: dict[str, Any], viewer: str = "admin") -> Answer:
    return await ask(graph, query, {"input": given}, VIEWERS[viewer])


async def members(graph: Graph) -> list[tuple[str, str, list[str], float | None]]:
    query = """MATCH (p:Partner)-[r:MEMBER_OF]->(pl:CoSellPlan)
      RETURN pl.key AS plan, p.key AS partner, r.responsibilities AS duties, r.mdfCommitted AS mdf
      ORDER BY plan, partner"""
    return [(r["plan"], r["partner"], r["duties"], r["mdf"]) for r in await graph.read(query)]


async def promotions(graph: Graph) -> list[tuple[str, str]]:
    query = """MATCH (pl:CoSellPlan)-[:PROMOTED_BY]->(k:Campaign)
      RETURN pl.key AS plan, k.key AS campaign ORDER BY plan, campaign"""
    return [(r["plan"], r["campaign"]) for r in await graph.read(query)]


@pytest.mark.parametrize("viewer", STAFF_WRITERS)
async def test_create_adds_the_plan(empty_graph: Graph, viewer: str) -> None:
    graph = await seeded(empty_graph)
    given = {
        **NEW,
        "key": " J3 ",
        "name": " Joint Three ",
        "targetDeals": 0,
        "targetIndustries": ["Retail", " ", "Retail ", "Health"],
        "targetRegions": None,
    }
    answer = await run(graph, CREATE, given, viewer)
    assert user_errors(answer, "coSellPlanCreate") == []
    assert answer.data["coSellPlanCreate"]["plan"] == {
        "id": plan_id("J3"),
        "key": "J3",
        "name": "Joint Three",
        "startsOn": "2026-04-01",
        "endsOn": "2027-03-31",
        "targetAmount": 750000.0,
        "targetDeals": 0,
        "targetIndustries": ["Retail", "Health"],
        "targetRegions": [],
        "mdfCommitted": 0.0,
        "members": [],
        "campaigns": [],
    }
    assert await stored(graph, "CoSellPlan", "J3") == [
        {
            "key": "J3",
            "name": "Joint Three",
            "startsOn": datetime.date(2026, 4, 1),
            "endsOn": datetime.date(2027, 3, 31),
            "targetAmount": 750000.0,
            "targetDeals": 0,
            "targetIndustries": ["Retail", "Health"],
            "targetRegions": [],
        }
    ]


LONGEST_END = (datetime.date(2026, 4, 1) + datetime.timedelta(days=MAX_PLAN_DAYS - 1)).isoformat()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"key": " "}, [("key", "REQUIRED")]),
        ({"name": ""}, [("name", "REQUIRED")]),
        ({"endsOn": "2026-03-31"}, [("endsOn", "INVALID")]),
        (
            {
                "endsOn": (
                    datetime.date.fromisoformat(LONGEST_END) + datetime.timedelta(days=1)
                ).isoformat()
            },
            [("endsOn", "INVALID")],
        ),
        ({"targetAmount": 0}, [("targetAmount", "INVALID")]),
        ({"targetAmount": -5}, [("targetAmount", "INVALID")]),
        ({"targetDeals": -1}, [("targetDeals", "INVALID")]),
        ({"key": "J1"}, [("key", "CONFLICT")]),
        (
            {"name": " ", "endsOn": "2020-01-01", "targetAmount": 0},
            [("name", "REQUIRED"), ("endsOn", "INVALID"), ("targetAmount", "INVALID")],
        ),
    ],
)
async def test_create_refuses_bad_input_and_writes_nothing(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, run(graph, CREATE, {**NEW, **given}))
    assert user_errors(answer, "coSellPlanCreate") == expected
    assert answer.data["coSellPlanCreate"]["plan"] is None


async def test_the_longest_plan_is_accepted(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await run(graph, CREATE, {**NEW, "endsOn": LONGEST_END})
    assert user_errors(answer, "coSellPlanCreate") == []


WRITES = [
    (CREATE, NEW),
    (UPDATE, {"plan": plan_id("J1"), "name": "x"}),
    (DELETE, {"plan": plan_id("J1")}),
    (MEMBER_SET, {"plan": plan_id("J1"), "partner": partner_id("P4")}),
    (MEMBER_REMOVE, {"plan": plan_id("J1"), "partner": partner_id("P1")}),
]
LINKS = [
    (CAMPAIGN_ADD, {"plan": plan_id("J2"), "campaign": campaign_id("K1")}),
    (CAMPAIGN_REMOVE, {"plan": plan_id("J1"), "campaign": campaign_id("K1")}),
]


FORBIDDEN = [
    *((query, given, viewer) for query, given in WRITES for viewer in ("marketer", "partner")),
    *((query, given, "partner") for query, given in LINKS),
]


@pytest.mark.parametrize(("query", "given", "viewer"), FORBIDDEN)
async def test_who_may_not_write_plans_is_forbidden(
    empty_graph: Graph, query: str, given: dict[str, Any], viewer: str
) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, run(graph, query, given, viewer))
    assert answer.codes == ["FORBIDDEN"], answer.errors
    assert answer.data is None


async def test_a_marketer_links_campaigns(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    for query, given in LINKS:
        answer = await run(graph, query, given, "marketer")
        assert not answer.errors and not next(iter(answer.data.values()))["userErrors"]
    assert await promotions(graph) == [("J1", "K2"), ("J2", "K1")]


async def test_update_changes_only_what_is_given(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    given = {"plan": plan_id("J1"), "name": " Renamed ", "targetDeals": 7, "targetRegions": ["NA"]}
    answer = await run(graph, UPDATE, given)
    assert user_errors(answer, "coSellPlanUpdate") == []
    plan = answer.data["coSellPlanUpdate"]["plan"]
    assert (plan["name"], plan["targetDeals"], plan["targetRegions"]) == ("Renamed", 7, ["NA"])
    assert (plan["startsOn"], plan["targetIndustries"]) == ("2026-01-01", ["Retail"])
    cleared = await run(
        graph, UPDATE, {"plan": plan_id("J1"), "targetDeals": None, "targetIndustries": None}
    )
    plan = cleared.data["coSellPlanUpdate"]["plan"]
    assert (plan["targetDeals"], plan["targetIndustries"]) == (None, [])
    assert (await stored(graph, "CoSellPlan", "J1"))[0]["name"] == "Renamed"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"name": None}, [("name", "REQUIRED")]),
        (
            {"startsOn": None, "targetAmount": None},
            [("startsOn", "REQUIRED"), ("targetAmount", "REQUIRED")],
        ),
        ({"endsOn": "2025-12-31"}, [("endsOn", "INVALID")]),  # before the stored startsOn
        ({"startsOn": "2027-01-01"}, [("endsOn", "INVALID")]),  # after the stored endsOn
        ({"startsOn": "2000-01-01"}, [("endsOn", "INVALID")]),  # too long with the stored end
        ({"targetAmount": 0.0}, [("targetAmount", "INVALID")]),
        ({"plan": plan_id("J9")}, [("plan", "NOT_FOUND")]),
        ({"plan": partner_id("P1")}, [("plan", "INVALID")]),
    ],
)
async def test_update_refuses_bad_input_and_writes_nothing(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, run(graph, UPDATE, {"plan": plan_id("J1"), **given}))
    assert user_errors(answer, "coSellPlanUpdate") == expected


async def test_delete_takes_the_plan_and_its_links_only(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await run(graph, DELETE, {"plan": plan_id("J1")})
    assert answer.data["coSellPlanDelete"] == {"deletedId": plan_id("J1"), "userErrors": []}
    assert await members(graph) == [("J2", "P3", ["pipeline"], 100.0)]
    assert await promotions(graph) == []
    left = await graph.read("MATCH (n) WHERE n:Partner OR n:Campaign RETURN count(n) AS n")
    assert left[0]["n"] == 7 + 2
    again = await unchanged(graph, run(graph, DELETE, {"plan": plan_id("J1")}))
    assert user_errors(again, "coSellPlanDelete") == [("plan", "NOT_FOUND")]
    assert again.data["coSellPlanDelete"]["deletedId"] is None


async def test_a_member_set_twice_is_one_link_with_its_last_part(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    for duties, mdf in ((["a", "b"], 10.0), ([" b ", "", "c", "b"], None)):
        given = {
            "plan": plan_id("J2"),
            "partner": partner_id("P4"),
            "responsibilities": duties,
            "mdfCommitted": mdf,
        }
        answer = await run(graph, MEMBER_SET, given)
        assert user_errors(answer, "coSellPlanMemberSet") == []
    assert await members(graph) == [
        ("J1", "P1", ["field marketing"], 2500.0),
        ("J1", "P2", [], None),
        ("J2", "P3", ["pipeline"], 100.0),
        ("J2", "P4", ["b", "c"], None),
    ]
    plan = answer.data["coSellPlanMemberSet"]["plan"]
    assert [m["partner"]["key"] for m in plan["members"]] == ["P3", "P4"]
    assert plan["mdfCommitted"] == 100.0
    removed = await run(graph, MEMBER_REMOVE, {"plan": plan_id("J2"), "partner": partner_id("P4")})
    assert [
        m["partner"]["key"] for m in removed.data["coSellPlanMemberRemove"]["plan"]["members"]
    ] == ["P3"]
    not_in = await unchanged(
        graph, run(graph, MEMBER_REMOVE, {"plan": plan_id("J2"), "partner": partner_id("P4")})
    )
    assert user_errors(not_in, "coSellPlanMemberRemove") == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"mdfCommitted": -1}, [("mdfCommitted", "INVALID")]),
        ({"partner": partner_id("P99")}, [("partner", "NOT_FOUND")]),
        ({"plan": plan_id("J9")}, [("plan", "NOT_FOUND")]),
        ({"partner": plan_id("J1")}, [("partner", "INVALID")]),
    ],
)
async def test_member_set_refuses_bad_input_and_writes_nothing(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    base = {"plan": plan_id("J1"), "partner": partner_id("P4")}
    answer = await unchanged(graph, run(graph, MEMBER_SET, {**base, **given}))
    assert user_errors(answer, "coSellPlanMemberSet") == expected


async def test_a_campaign_added_twice_is_one_link(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    for _ in range(2):
        given = {"plan": plan_id("J2"), "campaign": campaign_id("K2")}
        answer = await run(graph, CAMPAIGN_ADD, given, "alliance_manager")
        assert user_errors(answer, "coSellPlanCampaignAdd") == []
    assert await promotions(graph) == [("J1", "K1"), ("J1", "K2"), ("J2", "K2")]
    unknown = {"plan": plan_id("J2"), "campaign": campaign_id("K9")}
    for query, field in (
        (CAMPAIGN_ADD, "coSellPlanCampaignAdd"),
        (CAMPAIGN_REMOVE, "coSellPlanCampaignRemove"),
    ):
        refused = await unchanged(graph, run(graph, query, unknown))
        assert user_errors(refused, field) == [("campaign", "NOT_FOUND")]


async def test_staff_see_every_plan_whole(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await ask(graph, ONE, {"key": "J1"}, VIEWERS["marketer"])
    assert not answer.errors, answer.errors
    plan = answer.data["coSellPlan"]
    assert plan["members"] == [
        {"partner": {"key": "P1"}, "responsibilities": ["field marketing"], "mdfCommitted": 2500.0},
        {"partner": {"key": "P2"}, "responsibilities": [], "mdfCommitted": None},
    ]
    assert (plan["mdfCommitted"], plan["campaigns"]) == (2500.0, [{"key": "K1"}, {"key": "K2"}])
    listed = await ask(graph, LIST, {"first": 1})
    assert listed.data["coSellPlans"]["totalCount"] == 2
    assert [n["key"] for n in listed.data["coSellPlans"]["nodes"]] == ["J1"]
    after = listed.data["coSellPlans"]["pageInfo"]["endCursor"]
    rest = await ask(graph, LIST, {"first": 1, "after": after})
    assert [n["key"] for n in rest.data["coSellPlans"]["nodes"]] == ["J2"]
    assert not rest.data["coSellPlans"]["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"partner": partner_id("P1")}, ["J1"]),
        ({"partner": partner_id("P3")}, ["J2"]),
        ({"partner": partner_id("P5")}, []),
        ({"activeOn": "2026-12-31"}, ["J1"]),
        ({"activeOn": "2027-01-01"}, ["J2"]),
        ({"activeOn": "2025-12-31"}, []),
        ({"activeOn": "2027-06-30", "partner": partner_id("P3")}, ["J2"]),
        ({"activeOn": "2027-06-30", "partner": partner_id("P1")}, []),
    ],
)
async def test_plans_filter_by_member_and_day(
    empty_graph: Graph, variables: dict[str, Any], expected: list[str]
) -> None:
    graph = await seeded(empty_graph)
    answer = await ask(graph, LIST, variables)
    assert not answer.errors, answer.errors
    found = answer.data["coSellPlans"]
    assert ([n["key"] for n in found["nodes"]], found["totalCount"]) == (expected, len(expected))


async def test_a_cursor_of_other_filters_is_refused(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    first = await ask(graph, LIST, {"first": 1})
    cursor = first.data["coSellPlans"]["pageInfo"]["endCursor"]
    answer = await ask(graph, LIST, {"first": 1, "after": cursor, "activeOn": "2026-06-01"})
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors


async def test_a_partner_sees_only_its_plans(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    p1 = partner_viewer("P1")
    mine = await ask(graph, ONE, {"key": "J1"}, p1)
    assert not mine.errors, mine.errors
    # every member, but of the campaigns only those it takes part in
    assert [m["partner"]["key"] for m in mine.data["coSellPlan"]["members"]] == ["P1", "P2"]
    assert mine.data["coSellPlan"]["campaigns"] == [{"key": "K1"}]
    for key in ("J2", "J9"):  # another's plan and no plan answer alike
        answer = await ask(graph, ONE, {"key": key}, p1)
        assert answer.codes == ["NOT_FOUND"], answer.errors
        assert answer.data == {"coSellPlan": None}
        assert "J2" not in str(answer.errors) or key == "J2"
    listed = await ask(graph, LIST, {}, p1)
    assert [n["key"] for n in listed.data["coSellPlans"]["nodes"]] == ["J1"]
    asked_of_p3 = await ask(graph, LIST, {"partner": partner_id("P3")}, p1)
    assert asked_of_p3.data["coSellPlans"] == {
        "totalCount": 0,
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    through_node = await ask(
        graph, "query($id: ID!) { node(id: $id) { id } }", {"id": plan_id("J2")}, p1
    )
    assert through_node.data == {"node": None}
    partners = """{ partners(first: 10) { nodes { key coSellPlans { key } } } }"""
    seen = await ask(graph, partners, None, p1)
    plans = {n["key"]: [p["key"] for p in n["coSellPlans"]] for n in seen.data["partners"]["nodes"]}
    assert plans == {"P1": ["J1"], "P2": ["J1"], **{f"P{n}": [] for n in range(3, 8)}}
    staff = await ask(graph, partners)
    assert {
        n["key"]: [p["key"] for p in n["coSellPlans"]] for n in staff.data["partners"]["nodes"]
    }["P3"] == ["J2"]


async def test_every_plan_a_partner_reads_is_audited(empty_graph: Graph, trail: AuditTrail) -> None:
    graph = await seeded(empty_graph)
    asked = [
        (ONE, {"key": "J1"}, "P1"),
        (ONE, {"key": "J2"}, "P1"),
        (LIST, {}, "P2"),
        ('{ partner(key: "P3") { coSellPlans { key } } }', {}, "P3"),
    ]
    for query, variables, partner in asked:
        context = Context(graph, partner_viewer(partner), trail=trail)
        await schema.execute(query, variable_values=variables, context_value=context)
    staff = Context(graph, VIEWERS["admin"], trail=trail)
    await schema.execute(ONE, variable_values={"key": "J1"}, context_value=staff)
    events, total, _ = await trail_events(trail)
    assert total == 4
    assert [(e.viewer, e.operation, e.partners, e.allowed) for e in reversed(events)] == [
        ("P1", "coSellPlan", ("P1", "P2"), True),
        ("P1", "coSellPlan", (), False),
        ("P2", "coSellPlan", ("P1", "P2"), True),
        ("P3", "coSellPlan", ("P3",), True),
    ]


async def test_nothing_a_refused_write_touches_changes(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    before = await dump(graph)
    given = {"plan": plan_id("J1"), "startsOn": "2027-06-01", "name": "Changed"}
    answer = await run(graph, UPDATE, given)
    assert user_errors(answer, "coSellPlanUpdate") == [("endsOn", "INVALID")]
    assert await dump(graph) == before


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"name": "x" * 100_000}, "BAD_USER_INPUT"),
        ({"name": "bad \ud800 half"}, "BAD_USER_INPUT"),
        ({"targetAmount": float("inf")}, "BAD_USER_INPUT"),
        ({"targetDeals": 2**40}, "BAD_USER_INPUT"),
        ({"startsOn": "2026-02-30"}, "BAD_USER_INPUT"),
        ({"key": "J9'}) DETACH DELETE (n) //"}, None),  # a key like any other
        ({"startsOn": "0001-01-01", "endsOn": "0001-01-01"}, None),
        ({"startsOn": "9999-12-31", "endsOn": "9999-12-31"}, None),
    ],
)
async def test_hostile_plans_are_refused_or_kept_whole(
    empty_graph: Graph, given: dict[str, Any], code: str | None
) -> None:
    graph = await seeded(empty_graph)
    before = await dump(graph)
    answer = await ask(graph, CREATE, {"input": {**NEW, **given}}, VIEWERS["admin"])
    if code is not None:
        assert answer.codes == [code], answer.errors
        assert await dump(graph) == before
        return
    assert user_errors(answer, "coSellPlanCreate") == []
    key = answer.data["coSellPlanCreate"]["plan"]["key"]
    assert key == given.get("key", NEW["key"])
    progress = await ask(
        graph,
        "query($key: String!, $asOf: Date) { coSellPlan(key: $key) { progress(asOf: $asOf) {"
        " attainment expectedByNow onTrack } } }",
        {"key": key, "asOf": "0001-01-01"},
    )
    assert not progress.errors, progress.errors
    assert progress.data["coSellPlan"]["progress"]["attainment"] == 0.0
