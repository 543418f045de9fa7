"""influencePaths for partner-scoped viewers: the answer is exactly the staff answer over the
graph without the accounts the viewer may not see (its own, and those of partners granting it
ACCOUNT_LIST today), whichever agreement the others hold (account list, counts only, expired,
not yet valid, revoked, none, or granted the other way); no step crosses a hidden account; a
customer it may not see is NOT_FOUND exactly as an unknown one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import pytest_asyncio
from paths_oracle import (
    Node,
    Relationship,
    answer_of,
    brute_force,
    hops_of,
    influence_graph,
    read_bundle,
)
from paths_support import ask_paths, gid, load_bundle, shaped
from support import ask, partner_rows, partner_viewer, trail_events, wipe, write_csv

from graph import audit
from graph.access import today
from graph.analytics import paths
from graph.audit import AuditFilter, AuditTrail
from graph.db import Graph

# Who grants P what: A lists its accounts (until a month from now), O lists them open-ended,
# C only counts, E's list expired, F's is not yet valid, R's was revoked, N grants nothing and
# W grants P's own partner nothing but holds an agreement from P (the wrong direction).
GRANTS = {
    "A": ("P", "ACCOUNT_LIST", -30, 30, "ACTIVE"),
    "O": ("P", "OVERLAP_COUNTS;ACCOUNT_LIST", -30, None, "ACTIVE"),
    "C": ("P", "OVERLAP_COUNTS", -30, None, "ACTIVE"),
    "E": ("P", "ACCOUNT_LIST", -60, -10, "ACTIVE"),
    "F": ("P", "ACCOUNT_LIST", 10, 60, "ACTIVE"),
    "R": ("P", "ACCOUNT_LIST", -30, 30, "REVOKED"),
    "P": ("W", "ACCOUNT_LIST", -30, 30, "ACTIVE"),
    "N": ("A", "ACCOUNT_LIST", -30, 30, "ACTIVE"),  # to A, not to P
}
PARTNERS = ["P", "A", "O", "C", "E", "F", "R", "N", "W", "N1"]
# Hidden accounts are the strongest ways between the partners, so leaving them out changes
# every answer; x1..x3 are shared by visible and hidden holders alike.
HOLDINGS = {
    "P": {"x1": "1.0", "x2": "", "p1": ""},
    "A": {"x1": "0.9", "a1": "", "x3": ""},
    "O": {"x2": "0.8", "o1": ""},
    "C": {"x1": "1.0", "x3": "1.0", "c1": "1.0"},
    "E": {"x2": "1.0", "e1": ""},
    "F": {"x3": "1.0", "x1": "1.0"},
    "R": {"x1": "1.0", "x2": "1.0", "r1": ""},
    "N": {"x3": "1.0", "n1": "", "dn": ""},
    "W": {"x2": "1.0", "w1": ""},
    "N1": {"x1": "1.0"},
}
LISTED = {"P", "A", "O"}  # whose accounts P may step over
LINKS = [
    ["P", "N", "CO_SELL", "0.3"],
    ["N", "C", "REFERRAL", "0.9"],
    ["A", "W", "INTEGRATION", ""],
    ["O", "R", "CO_SELL", "0.6"],
    ["E", "F", "CO_SELL", ""],
]
ASKERS = ["P", "A", "C", "N"]  # A sees its own and N's; C and N only their own
SOURCES = ["P", "A", "C", "E", "N", "W"]  # and every customer the asker sees, and S


@dataclass
class World:
    names: dict[Node, str]
    relationships: list[Relationship]
    staff: nx.Graph

    def seen_by(self, me: str, listed: set[str]) -> nx.Graph:
        return influence_graph(
            self.names,
            self.relationships,
            keep=lambda rel: rel.kind != "HAS_ACCOUNT" or rel.owner in listed | {me},
        )


def bundle(folder: Path) -> None:
    day = today()

    def on(offset: int | None) -> str:
        return "" if offset is None else (day + timedelta(days=offset)).isoformat()

    write_csv(
        folder,
        "partners.csv",
        partner_rows(PARTNERS),
    )
    customers = sorted({c for held in HOLDINGS.values() for c in held})
    write_csv(folder, "customers.csv", [[c, f"Customer {c}", "", "", "", ""] for c in customers])
    write_csv(
        folder,
        "accounts.csv",
        [[p, c, "CUSTOMER", "", s] for p, held in HOLDINGS.items() for c, s in held.items()],
    )
    write_csv(folder, "sub_partners.csv", [["N1", "N", "", ""], ["R", "P", "", "0.2"]])
    write_csv(folder, "partner_links.csv", [[*link, ""] for link in LINKS])
    write_csv(folder, "solutions.csv", [["S", "Suite", "", ""]])
    write_csv(folder, "solution_partners.csv", [["S", "E", "", "", ""], ["S", "P", "", "", "0.4"]])
    write_csv(
        folder,
        "agreements.csv",
        [
            [f"g-{grantor}", grantor, grantee, scopes, on(start), on(end), status]
            for grantor, (grantee, scopes, start, end, status) in GRANTS.items()
        ],
    )
    # P's deal on a customer only N holds: P may see the customer, not N's account of it.
    write_csv(folder, "deals.csv", [["D1", "P", "dn", "10", "", "PENDING", on(-5), on(30)]])


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    folder = tmp_path_factory.mktemp("paths-grants")
    bundle(folder)
    await load_bundle(graph, folder)
    names, relationships = read_bundle(folder)
    yield World(names, relationships, influence_graph(names, relationships))
    await wipe(graph)


def listed_for(me: str) -> set[str]:
    """The partners whose accounts `me` may step over, from the rules (not from the code)."""
    granted = {
        grantor
        for grantor, (grantee, scopes, start, end, status) in GRANTS.items()
        if grantee == me
        and "ACCOUNT_LIST" in scopes
        and status == "ACTIVE"
        and start <= 0
        and (end is None or end >= 0)
    }
    return granted | {me}


async def visible_customers(graph: Graph, world: World, me: str) -> set[str]:
    """The customers `customer(key:)` shows the viewer."""
    query = "query($key: String!) { customer(key: $key) { key } }"
    seen = set()
    for kind, key in world.names:
        if kind == "Customer":
            answer = await ask(graph, query, {"key": key}, partner_viewer(me))
            if answer.data["customer"] is not None:
                seen.add(key)
    return seen


def ends(world: World, customers: set[str]) -> list[Node]:
    return [node for node in sorted(world.names) if node[0] != "Customer" or node[1] in customers]


def test_the_rules_give_these_lists() -> None:
    assert listed_for("P") == LISTED
    assert listed_for("A") == {"A", "N"}
    assert listed_for("W") == {"W", "P"}


@pytest.mark.parametrize("me", ASKERS)
@pytest.mark.parametrize(("max_hops", "hubs"), [(3, False), (6, False), (4, True), (6, True)])
async def test_the_answer_is_the_staff_answer_without_hidden_accounts(
    graph: Graph,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    me: str,
    max_hops: int,
    hubs: bool,
) -> None:
    """`hubs`: searched as if every node with more than three relationships were a hub (see
    test_random_bundles_searched_as_through_hubs)."""
    if hubs:
        monkeypatch.setattr(paths, "PROBE_CAP", 3)
        monkeypatch.setattr(paths, "PROBE_MIDDLES", 1)
    listed = listed_for(me)
    seen = world.seen_by(me, listed)
    customers = await visible_customers(graph, world, me)
    viewer = partner_viewer(me)
    differs = 0
    everywhere = ends(world, customers)
    for source in [n for n in everywhere if n[0] != "Partner" or n[1] in SOURCES]:
        for target in everywhere:
            if source == target:
                continue
            answer = await ask_paths(graph, source, target, viewer, first=10, maxHops=max_hops)
            got = shaped(answer)
            chains = brute_force(seen, source, target, 10, max_hops)
            assert got == answer_of(chains, world.names), (me, source, target)
            for one, other in hops_of(got):
                owner = one[1] if one[0] == "Partner" else other[1]
                if "Customer" in (one[0], other[0]):
                    assert owner in listed, f"{me} stepped over {owner}'s account {one}-{other}"
            differs += got != answer_of(
                brute_force(world.staff, source, target, 10, max_hops), world.names
            )
    assert differs  # the hidden accounts would have changed answers


async def test_customers_of_listed_partners_and_of_own_deals_are_visible(
    graph: Graph, world: World
) -> None:
    seen = await visible_customers(graph, world, "P")
    held = {c for p in LISTED for c in HOLDINGS[p]}
    assert seen == held | {"dn"}


async def test_a_customer_seen_only_through_a_deal_has_no_path_over_a_hidden_account(
    graph: Graph, world: World
) -> None:
    viewer = partner_viewer("P")
    for source in (("Partner", "P"), ("Partner", "N"), ("Customer", "x1")):
        assert shaped(await ask_paths(graph, source, ("Customer", "dn"), viewer, maxHops=6)) == []
    staff = shaped(await ask_paths(graph, ("Partner", "N"), ("Customer", "dn")))
    assert staff and staff[0]["steps"][1]["via"] == "HAS_ACCOUNT"


def without(message: str, *words: str) -> str:
    for word in words:
        message = message.replace(word, "<>")
    return message


@pytest.mark.parametrize("hidden", ["c1", "e1", "r1", "n1", "w1"])
async def test_a_hidden_customer_is_not_found_like_an_unknown_one(
    graph: Graph, world: World, hidden: str, trail: AuditTrail
) -> None:
    viewer = partner_viewer("P")
    unknown = "zz"
    refusals = []
    for argument in ("from", "to", "avoid[1]"):
        messages = []
        for key in (hidden, unknown):
            node: Node = ("Customer", key)
            with audit.bind(trail, f"{argument} {key}"):
                if argument == "from":
                    answer = await ask_paths(graph, node, ("Partner", "A"), viewer)
                elif argument == "to":
                    answer = await ask_paths(graph, ("Partner", "A"), node, viewer)
                else:
                    answer = await ask_paths(
                        graph,
                        ("Partner", "A"),
                        ("Partner", "O"),
                        viewer,
                        avoid=[("Partner", "C"), node],
                    )
            assert answer.codes == ["NOT_FOUND"], answer.errors
            assert answer.errors[0]["extensions"]["field"] == argument
            assert answer.data is None
            messages.append(without(answer.errors[0]["message"], gid(node), key))
            ends = ("A", "O") if argument == "avoid[1]" else ("A",)
            refusals.append((f"{argument} {key}", ends, False))
        assert messages[0] == messages[1], messages
        # Staff see that customer.
        assert not (await ask_paths(graph, ("Customer", hidden), ("Partner", "A"))).errors
    # Each refusal is recorded as one, the staff questions not at all, an answer as allowed.
    with audit.bind(trail, "answered"):
        assert not (await ask_paths(graph, ("Customer", "x1"), ("Partner", "A"), viewer)).errors
    events, _, _ = await trail_events(trail, AuditFilter(operation="influencePaths"))
    recorded = [(event.request_id, event.partners, event.allowed) for event in reversed(events)]
    assert recorded == [*refusals, ("answered", ("A",), True)]


async def test_an_answer_does_not_depend_on_what_is_hidden(graph: Graph, world: World) -> None:
    """Weakening a hidden account changes nothing a viewer is shown (not its order, not its
    length) though it changes the staff answer; weakening a visible one changes both."""
    asked: list[tuple[Node, Node]] = [
        (("Customer", "x1"), ("Partner", "N")),
        (("Partner", "P"), ("Partner", "C")),
        (("Customer", "x2"), ("Partner", "N1")),
    ]

    async def answers(viewer: Any) -> list[Any]:
        return [shaped(await ask_paths(graph, a, b, viewer, first=10, maxHops=6)) for a, b in asked]

    me = partner_viewer("P")
    mine, staff = await answers(me), await answers(None)
    change = "MATCH (:Partner {key: $p})-[r:HAS_ACCOUNT]->(:Customer {key: $c}) SET r.strength = $s"
    for partner, customer, strength, shown in (("N1", "x1", 1.0, False), ("P", "x1", 1.0, True)):
        await graph.write(change, {"p": partner, "c": customer, "s": 0.01})
        try:
            assert (await answers(me) != mine) is shown, partner
            assert await answers(None) != staff, partner
        finally:
            await graph.write(change, {"p": partner, "c": customer, "s": strength})
    assert (await answers(me), await answers(None)) == (mine, staff)
