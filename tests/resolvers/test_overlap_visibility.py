"""Overlap for partner-scoped viewers: every grant case (none, counts only, account list,
expired, not yet valid, revoked), roll-up through descendants that grant or not, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import FrozenInstanceError
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from oracle import Ecosystem
from support import ask, partner_viewer, trail_events, wipe, write_csv

from graph import audit
from graph.access import Role, Viewer, today
from graph.audit import AuditTrail
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import encode_id

# P asks. A lists its accounts to P, C only counts; E's list expired, F's is not yet valid, R's
# was revoked, N grants nothing. Under A: A1 grants counts to P, A2 grants nothing; under N, N1
# grants counts (so a roll-up reaches N through it, and must not show N). Every date is days away
# from today, so a run across midnight sees the same grants in force (test_agreements checks the
# edges of validity against the date of the check).
GRANTS = {
    "A": ("ACCOUNT_LIST", -30, 30, "ACTIVE"),
    "C": ("OVERLAP_COUNTS", -30, None, "ACTIVE"),
    "E": ("ACCOUNT_LIST", -60, -10, "ACTIVE"),
    "F": ("ACCOUNT_LIST", 10, 60, "ACTIVE"),
    "R": ("ACCOUNT_LIST", -30, 30, "REVOKED"),
    "A1": ("OVERLAP_COUNTS", -3, 3, "ACTIVE"),  # in force for a week
    "N1": ("OVERLAP_COUNTS", -10, None, "ACTIVE"),  # under N, which grants nothing
}
PARTNERS = ["P", "A", "A1", "A2", "C", "E", "F", "R", "N", "N1"]
HOLDINGS = {
    "P": ["c1", "c2", "c3", "c4", "c5"],
    "A": ["c1", "c6"],
    "A1": ["c2", "c7"],
    "A2": ["c3", "c8"],
    "C": ["c1", "c2"],
    "E": ["c1", "c2", "c3"],
    "F": ["c1", "c2", "c3", "c4"],
    "R": ["c1", "c4"],
    "N": ["c1", "c2", "c3", "c4", "c5"],
    "N1": ["c5"],
}
COUNTED = {"P", "A", "A1", "C", "N1"}  # whose accounts may count for P
LISTED = {"P", "A"}  # whose customers P may see


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Ecosystem]:
    folder: Path = tmp_path_factory.mktemp("overlap-grants")
    day = today()

    def on(offset: int | None) -> str:
        return "" if offset is None else (day + timedelta(days=offset)).isoformat()

    write_csv(
        folder,
        "partners.csv",
        [[k, f"Partner {k}", "RESELLER", "GOLD", "", "", "", "", ""] for k in PARTNERS],
    )
    customers = sorted({c for held in HOLDINGS.values() for c in held})
    write_csv(folder, "customers.csv", [[c, f"Customer {c}", "", "", "", ""] for c in customers])
    write_csv(
        folder,
        "accounts.csv",
        [[p, c, "CUSTOMER", "", ""] for p, held in HOLDINGS.items() for c in held],
    )
    write_csv(
        folder, "sub_partners.csv", [["A1", "A", "", ""], ["A2", "A", "", ""], ["N1", "N", "", ""]]
    )
    write_csv(
        folder,
        "agreements.csv",
        [
            [f"g-{g}", g, "P", scope, on(start), on(end), status]
            for g, (scope, start, end, status) in GRANTS.items()
        ],
    )
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
    yield Ecosystem.read(folder)
    await wipe(graph)


P = partner_viewer("P")
OVERLAP = """query($a: ID!, $b: ID!, $sub: Boolean) { overlap(a: $a, b: $b, includeSubPartners: $sub) {
    count jaccard customers(first: 50) { totalCount nodes { key } } } }"""


def pid(key: str) -> str:
    return encode_id("Partner", key)


@pytest.mark.parametrize("other", ["A", "C"])
async def test_counts_under_overlap_counts_and_customers_only_under_account_list(
    graph: Graph, world: Ecosystem, other: str
) -> None:
    answer = await ask(graph, OVERLAP, {"a": pid("P"), "b": pid(other)}, P)
    count, jaccard = world.overlap("P", other)
    got = answer.data["overlap"]
    assert (got["count"], got["jaccard"]) == (count, pytest.approx(float(jaccard)))
    if other in LISTED:
        assert sorted(n["key"] for n in got["customers"]["nodes"]) == sorted(
            world.holds("P") & world.holds(other)
        )
    else:
        assert got["customers"] is None
        [error] = answer.errors
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["path"] == ["overlap", "customers"]
        assert "ACCOUNT_LIST" in error["message"]


@pytest.mark.parametrize("other", ["E", "F", "R", "N", "A2"])
async def test_no_grant_in_force_is_forbidden_without_a_hint(
    graph: Graph, world: Ecosystem, other: str
) -> None:
    for a, b in (("P", other), (other, "P"), ("A", other)):
        answer = await ask(graph, OVERLAP, {"a": pid(a), "b": pid(b)}, P)
        assert answer.codes == ["FORBIDDEN"]
        assert answer.data is None
        assert not any(c in answer.errors[0]["message"] for c in ("c1", "c2", "c3"))


async def test_roll_up_counts_only_descendants_that_grant(graph: Graph, world: Ecosystem) -> None:
    answer = await ask(graph, OVERLAP, {"a": pid("P"), "b": pid("A"), "sub": True}, P)
    count, jaccard = world.overlap("P", "A", roll_up=True, allowed=COUNTED)
    assert answer.data["overlap"]["count"] == count == 2  # c1 via A, c2 via A1; A2's c3 left out
    assert answer.data["overlap"]["jaccard"] == pytest.approx(float(jaccard))
    staff = await ask(graph, OVERLAP, {"a": pid("P"), "b": pid("A"), "sub": True})
    assert staff.data["overlap"]["count"] == world.overlap("P", "A", roll_up=True)[0] == 3


TOP = "query($p: ID!, $sub: Boolean) { topOverlaps(partner: $p, first: 20, includeSubPartners: $sub) { partner { key } count jaccard } }"


@pytest.mark.parametrize("roll_up", [False, True])
async def test_top_overlaps_rank_only_partners_that_grant(
    graph: Graph, world: Ecosystem, roll_up: bool
) -> None:
    for partner in ("P", "A", "C"):
        answer = await ask(graph, TOP, {"p": pid(partner), "sub": roll_up}, P)
        got = [(row["partner"]["key"], row["count"]) for row in answer.data["topOverlaps"]]
        expected = world.top(partner, 20, roll_up=roll_up, allowed=COUNTED)
        assert got == [(key, count) for key, count, _ in expected]
        assert {key for key, _ in got} <= COUNTED
    staff = await ask(graph, TOP, {"p": pid("P")})
    assert {row["partner"]["key"] for row in staff.data["topOverlaps"]} >= {"N", "E", "F", "R"}
    refused = await ask(graph, TOP, {"p": pid("N")}, P)
    assert refused.codes == ["FORBIDDEN"]


async def test_the_matrix_shows_only_partners_that_grant(graph: Graph, world: Ecosystem) -> None:
    query = "query($ps: [ID!]!) { overlapMatrix(partners: $ps) { partners { key } counts } }"
    answer = await ask(graph, query, {"ps": [pid(k) for k in ("N", "P", "E", "A", "C", "A2")]}, P)
    matrix = answer.data["overlapMatrix"]
    shown = ["P", "A", "C"]
    assert [p["key"] for p in matrix["partners"]] == shown
    assert matrix["counts"] == [
        [len(world.holds(a) & world.holds(b)) for b in shown] for a in shown
    ]


async def test_common_accounts_need_counts_for_the_count_and_lists_for_the_customers(
    graph: Graph, world: Ecosystem
) -> None:
    count_only = "query($m: [OverlapMember!]!) { commonAccounts(members: $m) { count } }"
    with_customers = "query($m: [OverlapMember!]!) { commonAccounts(members: $m) { count customers { nodes { key } } } }"
    listed = await ask(
        graph, with_customers, {"m": [{"partner": pid("P")}, {"partner": pid("A")}]}, P
    )
    assert [n["key"] for n in listed.data["commonAccounts"]["customers"]["nodes"]] == ["c1"]
    counted = await ask(graph, count_only, {"m": [{"partner": pid("P")}, {"partner": pid("C")}]}, P)
    assert counted.data["commonAccounts"]["count"] == 2
    hidden = await ask(
        graph, with_customers, {"m": [{"partner": pid("P")}, {"partner": pid("C")}]}, P
    )
    assert hidden.codes == ["FORBIDDEN"]
    # Null at that field only, as overlap.customers and Partner.accounts answer.
    assert hidden.data == {"commonAccounts": {"count": 2, "customers": None}}
    assert hidden.errors[0]["path"] == ["commonAccounts", "customers"]
    assert "ACCOUNT_LIST" in hidden.errors[0]["message"]
    refused = await ask(graph, count_only, {"m": [{"partner": pid("P")}, {"partner": pid("N")}]}, P)
    assert refused.codes == ["FORBIDDEN"] and refused.data is None


async def test_cross_partner_questions_are_audited(
    graph: Graph, world: Ecosystem, trail: AuditTrail
) -> None:
    with audit.bind(trail, "req-1"):
        await ask(graph, OVERLAP, {"a": pid("P"), "b": pid("C")}, P)
        await ask(graph, TOP, {"p": pid("P")}, P)
        await ask(graph, OVERLAP, {"a": pid("P"), "b": pid("N")}, P)
        await ask(graph, OVERLAP, {"a": pid("P"), "b": pid("C")}, Viewer(Role.ADMIN))
    events, total, _ = await trail_events(trail)
    assert total == 4  # the admin's question is not audited
    assert [(e.operation, e.partners, e.allowed) for e in reversed(events)] == [
        ("overlap", ("P", "C"), True),
        ("overlap.customers", ("P", "C"), False),  # C grants counts, not the list
        ("topOverlaps", ("P",), True),
        ("overlap", ("P", "N"), False),
    ]
    assert {(e.viewer, e.role, e.request_id) for e in events} == {("P", "partner", "req-1")}


MATRIX = "query($ps: [ID!]!) { overlapMatrix(partners: $ps) { partners { key } counts } }"
COMMON = "query($m: [OverlapMember!]!) { commonAccounts(members: $m) { count } }"


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (OVERLAP, {"a": pid("P"), "b": pid("nobody")}, "b"),
        (OVERLAP, {"a": pid("nobody"), "b": pid("N")}, "a"),
        (TOP, {"p": pid("nobody")}, "partner"),
        (MATRIX, {"ps": [pid("P"), pid("N"), pid("nobody")]}, "partners[2]"),
        (COMMON, {"m": [{"partner": pid("N")}, {"partner": pid("nobody")}]}, "members[1]"),
    ],
)
async def test_an_unknown_partner_is_not_found_before_a_refusal(
    graph: Graph, world: Ecosystem, query: str, variables: dict[str, object], field: str
) -> None:
    answer = await ask(graph, query, variables, P)
    assert answer.codes == ["NOT_FOUND"]
    assert answer.errors[0]["extensions"]["field"] == field


async def test_a_viewer_made_once_sees_each_request_s_grants(
    graph: Graph, world: Ecosystem
) -> None:
    """Viewers live as long as their tokens (here: the module's P); what they may see is
    loaded per request, so a grant revoked between two requests is gone for the second."""
    asked = {"a": pid("P"), "b": pid("A")}
    assert not (await ask(graph, OVERLAP, asked, P)).errors
    await graph.write("MATCH (a:Agreement {key: 'g-A'}) SET a.status = 'REVOKED'")
    try:
        answer = await ask(graph, OVERLAP, asked, P)
    finally:
        await graph.write("MATCH (a:Agreement {key: 'g-A'}) SET a.status = 'ACTIVE'")
    assert answer.codes == ["FORBIDDEN"]
    assert not (await ask(graph, OVERLAP, asked, P)).errors


def test_a_viewer_cannot_change() -> None:
    with pytest.raises(FrozenInstanceError):
        P.partner_key = "A"  # type: ignore[misc]


async def test_a_partner_viewer_pays_one_query_for_its_grants(
    graph: Graph, world: Ecosystem
) -> None:
    # A viewer is made per request: a fresh one has not loaded its grants yet.
    answer = await ask(graph, OVERLAP, {"a": pid("P"), "b": pid("A")}, partner_viewer("P"))
    assert not answer.errors
    assert answer.round_trips == 3  # its grants, the counts, the customers
    members = {"m": [{"partner": pid("P")}, {"partner": pid("C")}]}
    counted = await ask(graph, COMMON, members, partner_viewer("P"))
    assert counted.data["commonAccounts"]["count"] == 2
    assert counted.round_trips == 2  # its grants, the answer
