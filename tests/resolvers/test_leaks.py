"""A partner-scoped viewer never receives a customer key, name, count, total or message it may
not see — over generated ecosystems, for every query and nested field that can reveal accounts.

What a viewer P may see is computed here, in plain Python, from the generated rows and the rules
of DESIGN.md ("Who may see what"), never from the code: P's own accounts and deals in full;
partner B's accounts as counts (jaccard too) only under an agreement B → P that is ACTIVE and
dated to include today with OVERLAP_COUNTS or ACCOUNT_LIST, and as customers only with
ACCOUNT_LIST; anything else is refused or left out. Dates are days away from today, so the
answer does not change at midnight.

Each answer is checked twice: by `scan` (every customer key, name or ID anywhere in it — data or
error messages — must be one P may see, and every nested Partner.accounts, Customer.partners,
Deal and Agreement must be allowed and exact), and by the probe's own check of its counts.
To cover a new query, add a `Probe` to PROBES: the documents to send and what may come back.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths_oracle import (
    ACCOUNT_DEFAULT,
    SUB_PARTNER_DEFAULT,
    Relationship,
    answer_of,
    brute_force,
    influence_graph,
    rounded,
)
from suggest_oracle import plain_greedy
from support import Answer, ask, partner_rows, partner_viewer, wipe, write_csv

from graph.access import today
from graph.db import Graph
from graph.ingest.load import import_bundle
from graph.program import read_program
from graph.tiers import apply_tiers
from resolvers.node import encode_id

# How many ecosystems to generate (each is asked every probe as each of its partners).
ECOSYSTEMS = int(os.environ.get("PARTNERGRAPH_LEAK_ECOSYSTEMS", "20"))
STATUSES = ["CUSTOMER", "OPPORTUNITY", "PROSPECT"]
SCOPES = ["OVERLAP_COUNTS", "ACCOUNT_LIST", "OVERLAP_COUNTS;ACCOUNT_LIST"]
# (days from today the agreement starts, ends (None: never), status); all far from midnight.
VALIDITY = {
    "in force": (-30, 30, "ACTIVE"),
    "open-ended": (-30, None, "ACTIVE"),
    "expired": (-60, -10, "ACTIVE"),
    "future": (10, 60, "ACTIVE"),
    "revoked": (-30, 30, "REVOKED"),
}
NAMES = ["Müller, Söhne & Co", 'The "Plain" One', "株式会社 テスト", "O'Brien; Ltd", "Ünïcode, Inc"]


@dataclass
class Ecosystem:
    partners: list[str]
    customers: dict[str, str]  # key -> name
    accounts: dict[tuple[str, str], str]  # (partner, customer) -> status
    parents: list[tuple[str, str]]  # (child, parent)
    agreements: list[tuple[str, str, str, str, str]]  # key, grantor, grantee, scopes, validity
    deals: dict[str, tuple[str, str]]  # key -> (partner, customer), PENDING
    campaign: list[str] = field(default_factory=list)  # its participants
    # key -> (partner, customer, margin): WON yesterday, amount 100, with the margin imported.
    won: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    plans: dict[str, list[str]] = field(default_factory=dict)  # key -> its members

    def plans_of(self, partner: str) -> list[str]:
        return sorted(key for key, members in self.plans.items() if partner in members)

    def held(self, partner: str) -> set[str]:
        return {c for (p, c) in self.accounts if p == partner}

    def below(self, partner: str) -> set[str]:
        """The partner and its descendants in the sub-partner DAG."""
        found, todo = {partner}, [partner]
        while todo:
            parent = todo.pop()
            for child, above in self.parents:
                if above == parent and child not in found:
                    found.add(child)
                    todo.append(child)
        return found


@dataclass
class Sight:
    """What viewer P may see in an ecosystem — from the rules, not from the code."""

    me: str
    counts: set[str]  # partners whose accounts P may count (itself included)
    lists: set[str]  # partners whose customers P may see (itself included)
    customers: set[str]  # customers P may see
    deals: set[str]
    agreements: set[str]

    @classmethod
    def of(cls, eco: Ecosystem, me: str) -> Sight:
        counts, lists = {me}, {me}
        for _, grantor, grantee, scopes, validity in eco.agreements:
            start, end, status = VALIDITY[validity]
            if grantee != me or status != "ACTIVE" or start > 0 or (end is not None and end < 0):
                continue
            counts.add(grantor)
            if "ACCOUNT_LIST" in scopes:
                lists.add(grantor)
        deals = {key for key, (partner, _) in eco.deals.items() if partner == me}
        deals |= {key for key, (partner, _, _) in eco.won.items() if partner == me}
        seen = {c for (p, c) in eco.accounts if p in lists}
        seen |= {c for key, (p, c) in eco.deals.items() if p == me}
        seen |= {c for key, (p, c, _) in eco.won.items() if p == me}
        agreements = {a[0] for a in eco.agreements if me in (a[1], a[2])}
        return cls(me, counts, lists, seen, deals, agreements)


@st.composite
def ecosystems(draw: st.DrawFn) -> Ecosystem:
    partners = [f"P-{i}-x" for i in range(draw(st.integers(2, 5)))]
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6))
    customers = {f"C-{i}-x": f"{name} #{i}" for i, name in enumerate(names)}
    accounts = {
        (p, c): status
        for p in partners
        for c in customers
        if (status := draw(st.sampled_from([None, None, *STATUSES]))) is not None
    }
    parents = [
        (child, partners[parent])
        for i, child in enumerate(partners[1:], start=1)
        if (parent := draw(st.one_of(st.none(), st.integers(0, i - 1)))) is not None
    ]
    pairs = st.tuples(
        st.sampled_from(partners),
        st.sampled_from(partners),
        st.sampled_from(SCOPES),
        st.sampled_from(sorted(VALIDITY)),
    ).filter(lambda pair: pair[0] != pair[1])
    agreements = [(f"A-{i}-x", *pair) for i, pair in enumerate(draw(st.lists(pairs, max_size=7)))]
    dealt = st.tuples(st.sampled_from(partners), st.sampled_from(sorted(customers)))
    deals = {f"D-{i}-x": deal for i, deal in enumerate(draw(st.lists(dealt, max_size=3)))}
    campaign = draw(st.lists(st.sampled_from(partners), unique=True, max_size=3))
    closed = st.tuples(
        st.sampled_from(partners),
        st.sampled_from(sorted(customers)),
        st.sampled_from([0.05, 0.125, 0.3]),
    )
    won = {f"W-{i}-x": deal for i, deal in enumerate(draw(st.lists(closed, max_size=2)))}
    teams = st.lists(st.sampled_from(partners), unique=True, max_size=3)
    plans = {f"J-{i}-x": team for i, team in enumerate(draw(st.lists(teams, max_size=3)))}
    return Ecosystem(
        partners, customers, accounts, parents, agreements, deals, campaign, won, plans
    )


def bundle(eco: Ecosystem, folder: Path) -> Path:
    day = date.today()

    def on(offset: int | None) -> str:
        return "" if offset is None else (day + timedelta(days=offset)).isoformat()

    rows = partner_rows(eco.partners)
    write_csv(folder, "partners.csv", rows)
    write_csv(folder, "customers.csv", [[c, n, "", "", "", ""] for c, n in eco.customers.items()])
    write_csv(folder, "accounts.csv", [[p, c, s, "", ""] for (p, c), s in eco.accounts.items()])
    write_csv(
        folder, "sub_partners.csv", [[child, parent, "", ""] for child, parent in eco.parents]
    )
    write_csv(
        folder,
        "agreements.csv",
        [
            [key, grantor, grantee, scopes, on(VALIDITY[v][0]), on(VALIDITY[v][1]), VALIDITY[v][2]]
            for key, grantor, grantee, scopes, v in eco.agreements
        ],
    )
    write_csv(
        folder,
        "deals.csv",
        [[k, p, c, "100", "", "PENDING", on(-5), on(30), "", ""] for k, (p, c) in eco.deals.items()]
        + [
            [k, p, c, "100", "", "WON", on(-5), on(30), on(-1), str(m)]
            for k, (p, c, m) in eco.won.items()
        ],
    )
    write_csv(folder, "campaigns.csv", [["K-x", "Campaign", on(-5), "", "", "", "", ""]])
    write_csv(folder, "campaign_partners.csv", [["K-x", p, "", ""] for p in eco.campaign])
    write_csv(
        folder,
        "cosell_plans.csv",
        [[key, "Plan", on(-30), on(30), "1000", "", "", ""] for key in eco.plans],
    )
    write_csv(
        folder,
        "cosell_plan_partners.csv",
        [[key, p, "selling", "10"] for key, team in eco.plans.items() for p in team],
    )
    write_csv(folder, "cosell_plan_campaigns.csv", [[key, "K-x"] for key in eco.plans])
    return folder


def pid(key: str) -> str:
    return encode_id("Partner", key)


# Selections that reach accounts, reused by every probe; `scan` knows their shape.
ACCOUNTS = "accounts(first: 100) { totalCount edges { node { status customer { key name } } } }"
# What a deal tells of its closing, asked wherever a deal is.
CLOSING = "closedOn margin earnings"
PARTNER = f"__typename key {ACCOUNTS} deals(first: 100) {{ nodes {{ __typename key {CLOSING} partner {{ key }} customer {{ key }} }} }}"
CUSTOMER = (
    "__typename key name partners(first: 100) { totalCount nodes { partner { key } customer { key } } }"
    f" deals(first: 100) {{ totalCount nodes {{ __typename key {CLOSING} partner {{ key }} }} }}"
)
AGREEMENT = "__typename key grantor { key } grantee { key }"


def customer_strings(eco: Ecosystem, key: str) -> list[str]:
    return [key, eco.customers[key], encode_id("Customer", key)]


def scan(eco: Ecosystem, sight: Sight, answer: Answer, sent: str = "") -> Iterator[str]:
    """Every way the answer shows more than P may see. An error message may name a customer
    the request itself named (`sent`: its variables as text), as NOT_FOUND does."""
    hidden = [
        c
        for c in eco.customers
        if c not in sight.customers and encode_id("Customer", c) not in sent
    ]
    for error in answer.errors:
        text = json.dumps(error, ensure_ascii=False)
        for c in hidden:
            if any(word in text for word in customer_strings(eco, c)):
                yield f"error message names hidden customer {c}: {error.get('message')}"
    yield from _walk(eco, sight, answer.data)


def _walk(eco: Ecosystem, sight: Sight, value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(eco, sight, item)
        return
    if isinstance(value, str):
        for c in eco.customers:
            if c not in sight.customers and value in customer_strings(eco, c):
                yield f"hidden customer {c} shown as {value!r}"
        return
    if not isinstance(value, dict):
        return
    kind, key = value.get("__typename"), value.get("key")
    if kind == "Partner" and value.get("accounts") is not None:
        shown = {edge["node"]["customer"]["key"] for edge in value["accounts"]["edges"]}
        if key not in sight.lists:
            yield f"accounts of {key} shown without an account list: {sorted(shown)}"
        elif shown != eco.held(key) or value["accounts"]["totalCount"] != len(eco.held(key)):
            yield f"accounts of {key}: {sorted(shown)} shown, {sorted(eco.held(key))} held"
    if kind == "Customer" and value.get("partners") is not None:
        holders = {p for (p, c) in eco.accounts if c == key and p in sight.lists}
        shown = {node["partner"]["key"] for node in value["partners"]["nodes"]}
        if shown != holders or value["partners"]["totalCount"] != len(holders):
            yield f"holders of {key}: {sorted(shown)} shown, {sorted(holders)} visible"
    if kind == "Deal" and key not in sight.deals:
        yield f"deal {key} of another partner shown"
    elif kind == "Deal" and "margin" in value:
        margin = eco.won[key][2] if key in eco.won else None
        earnings = 100 * margin if margin is not None else None
        closed = (date.today() - timedelta(days=1)).isoformat() if key in eco.won else None
        if (value["margin"], value["earnings"], value["closedOn"]) != (margin, earnings, closed):
            yield f"deal {key}: closing {value['closedOn'], value['margin'], value['earnings']}"
    if kind == "Agreement" and key not in sight.agreements:
        yield f"agreement {key} between other partners shown"
    for item in value.values():
        yield from _walk(eco, sight, item)


def refused(answer: Answer, path: str) -> bool:
    return answer.data is None or answer.data.get(path) is None


def common(eco: Ecosystem, members: list[str]) -> set[str]:
    found = set(eco.customers)
    for member in members:
        found &= eco.held(member)
    return found


def overlap_figures(eco: Ecosystem, sight: Sight, a: str, b: str, roll: bool) -> tuple[int, float]:
    """Count and jaccard of a and b as P may count them: hidden descendants are left out."""

    def side(p: str) -> set[str]:
        members = (eco.below(p) if roll else {p}) & sight.counts
        return set().union(*(eco.held(m) for m in members))

    both, either = side(a) & side(b), side(a) | side(b)
    return len(both), (len(both) / len(either) if either else 0.0)


Check = Callable[[Ecosystem, Sight, dict[str, Any], Answer], Iterator[str]]


@dataclass
class Probe:
    """One query of the schema: the variables to ask it with, and what its answer may hold."""

    name: str
    query: str
    variables: Callable[[Ecosystem], list[dict[str, Any]]]
    check: Check = lambda eco, sight, asked, answer: iter(())


def check_partner(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    shown = (answer.data or {}).get("partner") or {}
    if asked["key"] not in sight.lists and shown.get("accounts") is not None:
        yield "accounts shown without an account list"


def check_customers(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    if answer.data and answer.data.get("customers"):
        total = answer.data["customers"]["totalCount"]
        if total != len(sight.customers):
            yield f"customers totalCount {total}, {len(sight.customers)} visible"


def check_overlap(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    a, b, roll = asked["keys"][0], asked["keys"][1], asked["roll"]
    if refused(answer, "overlap"):
        return
    if not {a, b} <= sight.counts:
        yield f"overlap of {a} and {b} answered without counts from both"
        return
    got = answer.data["overlap"]
    count, jaccard = overlap_figures(eco, sight, a, b, roll)
    if got["count"] != count or abs(got["jaccard"] - jaccard) > 1e-9:
        yield f"overlap {got['count']}/{got['jaccard']}, P may count {count}/{jaccard}"
    if got["customers"] is not None:
        if not {a, b} <= sight.lists:
            yield "overlap customers shown without account lists from both"
        elif not roll and {n["key"] for n in got["customers"]["nodes"]} != common(eco, [a, b]):
            yield "overlap customers differ from the shared customers"


def check_top(eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer) -> Iterator[str]:
    if refused(answer, "topOverlaps"):
        return
    me, roll = asked["keys"][0], asked["roll"]
    if me not in sight.counts:
        yield f"top overlaps of {me} answered without its counts"
    for row in answer.data["topOverlaps"]:
        other = row["partner"]["key"]
        if other not in sight.counts:
            yield f"top overlaps rank {other}, which grants no counts"
        elif not roll and row["count"] != overlap_figures(eco, sight, me, other, False)[0]:
            yield f"top overlap count {row['count']} with {other} is not the visible count"


def check_matrix(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    if refused(answer, "overlapMatrix"):
        return
    shown = [p["key"] for p in answer.data["overlapMatrix"]["partners"]]
    for i, a in enumerate(shown):
        if a not in sight.counts:
            yield f"the matrix shows {a}, which grants no counts"
            continue
        for j, b in enumerate(shown):
            if b in sight.counts and answer.data["overlapMatrix"]["counts"][i][j] != len(
                eco.held(a) & eco.held(b)
            ):
                yield f"matrix count of {a} and {b} is not the visible count"


def check_common(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    members = asked["keys"]
    if refused(answer, "commonAccounts"):
        return
    got = answer.data["commonAccounts"]
    if not set(members) <= sight.counts:
        yield f"common accounts of {members} counted without counts from each"
    elif got["count"] != len(common(eco, members)):
        yield f"common count {got['count']}, {len(common(eco, members))} shared"
    if got.get("customers") is not None and not set(members) <= sight.lists:
        yield "common customers shown without account lists from each"


def check_ecosystem_counts(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    """Counted over only the accounts P may list: its own and its ACCOUNT_LIST grantors'."""
    got = answer.data["ecosystem"] if answer.data else None
    if got is None:
        yield f"ecosystem not answered: {answer.errors}"
        return
    seen = [(p, c) for (p, c) in eco.accounts if p in sight.lists]
    if got["accounts"] != len(seen) or got["customers"] != len({c for _, c in seen}):
        yield f"ecosystem counts {got['accounts']} accounts / {got['customers']} customers, P may see {len(seen)} / {len({c for _, c in seen})}"
    if got["partners"] != len(eco.partners):
        yield f"ecosystem counts {got['partners']} partners of {len(eco.partners)}"


def check_paths(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    """The paths are exactly those over the ecosystem without the accounts P may not list."""
    if answer.errors:
        yield f"influencePaths between partners refused: {answer.errors[0].get('message')}"
        return
    names = {("Partner", p): f"Partner {p}" for p in eco.partners}
    names |= {("Customer", c): name for c, name in eco.customers.items()}
    relationships = [
        Relationship("HAS_ACCOUNT", ("Partner", p), ("Customer", c), ACCOUNT_DEFAULT[s], p)
        for (p, c), s in eco.accounts.items()
        if p in sight.lists
    ] + [
        Relationship("SUB_PARTNER_OF", ("Partner", child), ("Partner", parent), SUB_PARTNER_DEFAULT)
        for child, parent in eco.parents
    ]
    source, target = (("Partner", key) for key in asked["keys"])
    chains = brute_force(influence_graph(names, relationships), source, target, 10, 4)
    got = [
        {
            **path,
            "influence": rounded(path["influence"]),
            "steps": [{k: v for k, v in step.items() if k != "node"} for step in path["steps"]],
        }
        for path in answer.data["influencePaths"]
    ]
    if got != answer_of(chains, names):
        yield f"influencePaths {asked['keys']} differ from the paths over what P may see"


def check_map(eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer) -> Iterator[str]:
    """A map shows overlaps (exact) only between partners P may count, sizes only of those, and
    a customer only as a center P may see; nothing else of accounts."""
    if answer.errors:
        center = asked.get("center")
        if center is not None and center not in sight.customers and answer.codes == ["NOT_FOUND"]:
            return
        yield f"partnerMap refused: {answer.errors[0].get('message')}"
        return
    got = answer.data["partnerMap"]
    for node in got["nodes"]:
        kind, key = node["kind"], node["key"]
        if kind == "Customer" and (key != asked.get("center") or key not in sight.customers):
            yield f"partnerMap shows customer {key}"
        if kind == "Partner":
            size = len(eco.held(key)) if key in sight.counts else 0
            if (node["size"], node["sizeKnown"]) != (size, key in sight.counts):
                yield f"partnerMap sizes {key} as {node['size']}"
    keys = {node["id"]: node["key"] for node in got["nodes"]}
    for edge in got["edges"]:
        a, b = keys[edge["source"]], keys[edge["target"]]
        if edge["kind"] != "OVERLAP":
            continue
        if a not in sight.counts or b not in sight.counts:
            yield f"partnerMap shows the overlap of {a} and {b}"
        elif edge["weight"] != len(eco.held(a) & eco.held(b)):
            yield f"partnerMap overlap {a}-{b} weighs {edge['weight']}"


def team(eco: Ecosystem, partner: str, depth: int) -> set[str]:
    found, frontier = {partner}, {partner}
    for _ in range(depth):
        frontier = {child for child, parent in eco.parents if parent in frontier} - found
        found |= frontier
    return found


def reach_of(eco: Ecosystem, partners: list[str], depth: int, owners: set[str] | None) -> Any:
    """Each participant's reached customers, counting only the accounts of `owners`."""
    return {
        p: {
            c
            for (q, c) in eco.accounts
            if q in team(eco, p, depth) and (owners is None or q in owners)
        }
        for p in partners
    }


def check_reach(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    """campaignReach: only a participant gets an answer, with the whole campaign's total, only
    its own PartnerReach, and only customers reached through accounts it may list."""
    if sight.me not in eco.campaign:
        if not refused(answer, "campaignReach") or answer.codes != ["NOT_FOUND"]:
            yield "campaignReach answered for a campaign the viewer is not in"
        return
    if answer.errors:
        yield f"campaignReach refused to a participant: {answer.errors[0].get('message')}"
        return
    got, depth = answer.data["campaignReach"], asked["depth"]
    whole = reach_of(eco, eco.campaign, depth, None)
    if got["total"] != len(set().union(*whole.values())):
        yield "campaignReach total is not the whole campaign's"
    if [p["partner"]["key"] for p in got["participants"]] != [sight.me]:
        yield f"campaignReach shows participants {got['participants']}"
    seen = set().union(*reach_of(eco, eco.campaign, depth, sight.lists).values())
    listed = {e["node"]["customer"]["key"] for e in got["customers"]["edges"]}
    if listed != seen or got["customers"]["totalCount"] != len(seen):
        yield f"campaignReach customers {sorted(listed)}, {sorted(seen)} visible"
    for edge in got["customers"]["edges"]:
        if not {p["key"] for p in edge["node"]["participants"]} <= sight.lists:
            yield "campaignReach names a participant whose accounts the viewer may not list"


def check_plan(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    """planReach counts only the customers the viewer may see."""
    if answer.errors:
        yield f"planReach refused: {answer.errors[0].get('message')}"
        return
    got = answer.data["planReach"]
    seen = reach_of(eco, eco.partners, asked["depth"], sight.lists)
    if got["total"] != len(set().union(*seen.values())):
        yield "planReach total counts customers the viewer may not see"
    if [p["reach"] for p in got["participants"]] != [len(seen[p]) for p in sorted(eco.partners)]:
        yield "planReach reach counts customers the viewer may not see"
    if got["customers"]["totalCount"] != len(set().union(*seen.values())):
        yield "planReach customers count customers the viewer may not see"


REACH = (
    "total overlapShare participants { partner { key } reach exclusive } "
    "byIndustry { segment customers } byRegion { segment customers } "
    "customers(first: 50) { totalCount edges { node { customer { key name } "
    "participants { key } } } }"
)


def check_conflicts(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    """Every generated deal is PENDING over the same window: deals of different partners for one
    customer collide. P sees the customers where one of them is its own, only its own listed."""
    if asked.get("keys") and asked["keys"][0] not in sight.customers:
        if answer.codes != ["NOT_FOUND"] or answer.data is not None:
            yield f"dealConflicts about unseen customer {asked['keys'][0]} answered"
        return
    if answer.errors:
        yield f"dealConflicts refused: {answer.errors[0].get('message')}"
        return
    by_customer: dict[str, list[tuple[str, str]]] = {}
    for key, (partner, customer) in sorted(eco.deals.items()):
        by_customer.setdefault(customer, []).append((key, partner))
    wanted = {}
    for customer, deals in by_customer.items():
        if asked.get("keys") and customer not in asked["keys"]:
            continue
        if len({p for _, p in deals}) < 2 or sight.me not in {p for _, p in deals}:
            continue
        protected = min(deals)  # one registration day: the key decides
        own = [k for k, p in deals if p == sight.me]
        wanted[customer] = (
            own,
            len(deals) - len(own),
            protected[0] if protected[1] == sight.me else None,
        )
    got = answer.data["dealConflicts"]
    shown = {
        node["customer"]["key"]: (
            [d["key"] for d in node["deals"]],
            node["hiddenDeals"],
            (node["protected"] or {}).get("key"),
        )
        for node in got["nodes"]
    }
    if shown != wanted or got["totalCount"] != len(wanted):
        yield f"dealConflicts {shown} shown, {wanted} expected"
    text = json.dumps(answer.data)
    for other in eco.partners:
        if other != sight.me and other in text:
            yield f"dealConflicts names partner {other}"


def check_suggest(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    """Only a campaign P takes part in; every count over only the customers P may list."""
    taking = asked["keys"] if "partners" in asked else eco.campaign
    if "campaign" in asked and sight.me not in eco.campaign:
        if answer.codes != ["NOT_FOUND"]:
            yield f"suggestPartners of a campaign without P answered: {answer.data}"
        return
    if answer.errors:
        yield f"suggestPartners refused: {answer.errors[0].get('message')}"
        return

    every = reach_of(eco, eco.partners, 1, sight.lists)
    reached = set().union(*(every[p] for p in taking))
    sets = {p: found for p, found in every.items() if p not in taking}
    expected = plain_greedy(sets, reached, 50)[0]
    got = [(row["partner"]["key"], row["addedReach"]) for row in answer.data["suggestPartners"]]
    if got != expected:
        yield f"suggestPartners {got}, over what P may see {expected}"


def pairs(eco: Ecosystem) -> list[dict[str, Any]]:
    return [
        {"a": pid(a), "b": pid(b), "roll": roll, "keys": [a, b]}
        for a, b in combinations(eco.partners, 2)
        for roll in (False, True)
    ]


def check_tier_review(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    found = (answer.data or {}).get("tierReview") or {"nodes": [], "totalCount": 0}
    keys = [row["partner"]["key"] for row in found["nodes"]]
    if keys not in ([], [sight.me]) or found["totalCount"] != len(keys):
        yield f"tierReview lists {keys} (total {found['totalCount']}), not its own row alone"


def only_own(field: str) -> Check:
    """A check that `Partner.<field>` of a page of partners is shown for P itself alone, and
    left out of every other one with FORBIDDEN."""

    def check(eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer) -> Iterator[str]:
        nodes = ((answer.data or {}).get("partners") or {}).get("nodes") or []
        shown = [node["key"] for node in nodes if node[field] is not None]
        if shown not in ([], [sight.me]):
            yield f"Partner.{field} of {shown} shown"
        if len(nodes) - len(shown) != answer.codes.count("FORBIDDEN"):
            yield f"a Partner.{field} left out without FORBIDDEN"

    return check


def check_plans(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    found = (answer.data or {}).get("coSellPlans") or {"nodes": [], "totalCount": -1}
    keys = [row["key"] for row in found["nodes"]]
    if keys != eco.plans_of(sight.me) or found["totalCount"] != len(keys):
        yield f"coSellPlans lists {keys} (total {found['totalCount']}), not the plans P is in"


def check_cosell_plan(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    shown = (answer.data or {}).get("coSellPlan")
    if asked["key"] in eco.plans_of(sight.me):
        if shown is None or [m["partner"]["key"] for m in shown["members"]] != sorted(
            eco.plans[asked["key"]]
        ):
            yield f"coSellPlan {asked['key']} of P not shown whole"
        elif [row["partner"]["key"] for row in shown["progress"]["byMember"]] != [sight.me]:
            yield f"coSellPlan {asked['key']}'s progress byMember is not P's own row alone"
    elif shown is not None or answer.codes != ["NOT_FOUND"]:
        yield f"coSellPlan {asked['key']} shown though P is not a member"


def check_partner_plans(
    eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer
) -> Iterator[str]:
    mine = set(eco.plans_of(sight.me))
    for node in ((answer.data or {}).get("partners") or {}).get("nodes") or []:
        shown = [plan["key"] for plan in node["coSellPlans"]]
        if shown != sorted(mine & set(eco.plans_of(node["key"]))):
            yield f"Partner.coSellPlans of {node['key']} shows {shown}"


PLAN = (
    "key members { partner { key } responsibilities mdfCommitted } campaigns { key } mdfCommitted"
    " progress { wonAmount pipelineDeals byMember { partner { key } wonAmount }"
    " campaignInfluenced { wonDeals } }"
)


def staff_only(path: str, field: str | None = None) -> Check:
    """A check that a staff-only question is refused: the root field `path` null with
    FORBIDDEN; or, with `field`, that field null with FORBIDDEN on every node of `path`'s
    page."""

    def check(eco: Ecosystem, sight: Sight, asked: dict[str, Any], answer: Answer) -> Iterator[str]:
        if field is None:
            if not refused(answer, path) or answer.codes != ["FORBIDDEN"]:
                yield f"{path} answered a partner: {answer.data} {answer.codes}"
            return
        nodes = ((answer.data or {}).get(path) or {}).get("nodes") or []
        shown = [node["key"] for node in nodes if node[field] is not None]
        if shown:
            yield f"{path}.{field} of {shown} shown"
        if answer.codes != ["FORBIDDEN"] * len(nodes):
            yield f"a {path}.{field} left out without FORBIDDEN: {answer.codes}"

    return check


def window(days: int) -> dict[str, str]:
    """The days from `days` ago to today: the WON deals (closed yesterday) fall in it."""
    return {
        "from": (date.today() - timedelta(days=days)).isoformat(),
        "to": date.today().isoformat(),
    }


PROBES = [
    Probe(
        "coSellPlans",
        f"{{ coSellPlans(first: 100) {{ totalCount nodes {{ {PLAN} }} }} }}",
        lambda eco: [{}],
        check_plans,
    ),
    Probe(
        "coSellPlan",
        f"query($key: String!) {{ coSellPlan(key: $key) {{ {PLAN} }} }}",
        lambda eco: [{"key": key} for key in eco.plans],
        check_cosell_plan,
    ),
    Probe(
        "Partner.coSellPlans",
        f"{{ partners(first: 100) {{ nodes {{ key coSellPlans {{ {PLAN} }} }} }} }}",
        lambda eco: [{}],
        check_partner_plans,
    ),
    Probe(
        "partner",
        f"query($key: String!) {{ partner(key: $key) {{ {PARTNER} }} }}",
        lambda eco: [{"key": p} for p in eco.partners],
        check_partner,
    ),
    Probe(
        "partners",
        f"{{ partners(first: 100) {{ totalCount nodes {{ {PARTNER} }} }} }}",
        lambda eco: [{}],
    ),
    Probe(
        "customer",
        f"query($key: String!) {{ customer(key: $key) {{ {CUSTOMER} }} }}",
        lambda eco: [{"key": c} for c in eco.customers],
    ),
    Probe(
        "customers",
        f"{{ customers(first: 100) {{ totalCount nodes {{ {CUSTOMER} }} }} }}",
        lambda eco: [{}],
        check_customers,
    ),
    Probe(
        "node",
        f"query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ {CUSTOMER} }} ... on Partner {{ {PARTNER} }} ... on Deal {{ __typename key {CLOSING} customer {{ key }} }} ... on Agreement {{ {AGREEMENT} }} }} }}",
        lambda eco: (
            [{"id": encode_id("Customer", c)} for c in eco.customers]
            + [{"id": pid(p)} for p in eco.partners]
            + [{"id": encode_id("Deal", d)} for d in [*eco.deals, *eco.won]]
            + [{"id": encode_id("Agreement", a[0])} for a in eco.agreements]
        ),
    ),
    Probe(
        "nodes",
        f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Customer {{ {CUSTOMER} }} ... on Partner {{ {PARTNER} }} }} }}",
        lambda eco: [
            {
                "ids": [encode_id("Customer", c) for c in eco.customers]
                + [pid(p) for p in eco.partners]
            }
        ],
    ),
    Probe(
        "overlap",
        "query($a: ID!, $b: ID!, $roll: Boolean!) { overlap(a: $a, b: $b, includeSubPartners: $roll) { count jaccard customers(first: 100) { totalCount nodes { key name } } } }",
        pairs,
        check_overlap,
    ),
    Probe(
        "topOverlaps",
        "query($p: ID!, $roll: Boolean!) { topOverlaps(partner: $p, first: 100, includeSubPartners: $roll) { partner { key } count jaccard } }",
        lambda eco: [
            {"p": pid(p), "roll": roll, "keys": [p]} for p in eco.partners for roll in (False, True)
        ],
        check_top,
    ),
    Probe(
        "overlapMatrix",
        "query($ps: [ID!]!) { overlapMatrix(partners: $ps) { partners { key } counts } }",
        lambda eco: [{"ps": [pid(p) for p in eco.partners]}],
        check_matrix,
    ),
    Probe(
        "commonAccounts",
        "query($ms: [OverlapMember!]!) { commonAccounts(members: $ms) { count customers { totalCount nodes { key name } } } }",
        lambda eco: [
            {"ms": [{"partner": pid(p)} for p in group], "keys": list(group)}
            for size in (2, 3)
            for group in combinations(eco.partners, size)
        ][:8],
        check_common,
    ),
    Probe(
        "influencePaths",
        "query($from: ID!, $to: ID!) { influencePaths(from: $from, to: $to, first: 10, maxHops: 4) { influence hops steps { node { __typename id ... on Customer { key name } } key label kind via strength } } }",
        lambda eco: [
            {"from": pid(a), "to": pid(b), "keys": [a, b]}
            for a, b in list(combinations(eco.partners, 2))[:6]
        ],
        check_paths,
    ),
    Probe(
        "suggestPartners",
        "query($c: ID, $ps: [ID!]) { suggestPartners(campaign: $c, partners: $ps, first: 50) { partner { key } addedReach } }",
        lambda eco: [
            {"c": encode_id("Campaign", "K-x"), "campaign": True},
            {"ps": [pid(eco.partners[0])], "partners": True, "keys": eco.partners[:1]},
        ],
        check_suggest,
    ),
    Probe(
        "deals",
        f"{{ deals(first: 100) {{ totalCount nodes {{ __typename key {CLOSING} partner {{ key }} customer {{ key name }} }} }} }}",
        lambda eco: [{}],
    ),
    Probe(
        "deal",
        f"query($key: String!) {{ deal(key: $key) {{ __typename key {CLOSING} customer {{ key name }} }} }}",
        lambda eco: [{"key": d} for d in [*eco.deals, *eco.won]],
    ),
    Probe(
        "dealConflicts",
        "query($customer: ID) { dealConflicts(first: 50, customer: $customer) { totalCount nodes { customer { key name } deals { __typename key amount stage status partner { key } conflicts { __typename key partner { key } } } protected { __typename key amount partner { key } } protectedOn protectedIsYours hiddenDeals notice } } }",
        lambda eco: (
            [{}]
            + [{"customer": encode_id("Customer", c), "keys": [c]} for _, c in eco.deals.values()]
        ),
        check_conflicts,
    ),
    Probe(
        "agreements",
        f"{{ agreements(first: 100) {{ nodes {{ {AGREEMENT} }} }} }}",
        lambda eco: [{}],
    ),
    Probe(
        "campaigns",
        f"{{ campaigns(first: 10) {{ nodes {{ key partners(first: 10) {{ nodes {{ partner {{ {PARTNER} }} }} }} }} }} }}",
        lambda eco: [{}],
    ),
    Probe(
        "campaignReach",
        f"query($k: ID!, $depth: Int!) {{ campaignReach(campaign: $k, depth: $depth) {{ {REACH} }} }}",
        lambda eco: [{"k": encode_id("Campaign", "K-x"), "depth": depth} for depth in (0, 2)],
        check_reach,
    ),
    Probe(
        "planReach",
        f"query($ps: [ID!]!, $depth: Int!) {{ planReach(partners: $ps, depth: $depth) {{ {REACH} }} }}",
        lambda eco: [{"ps": [pid(p) for p in eco.partners], "depth": depth} for depth in (0, 2)],
        check_plan,
    ),
    Probe(
        "partnerMap",
        "query($c: ID, $d: Int) { partnerMap(center: $c, depth: $d) { nodes { id key kind label size sizeKnown } edges { source target kind weight } truncated omittedOverlaps } }",
        lambda eco: (
            [{}, {"c": pid(eco.partners[0]), "d": 3}]
            + [
                {"c": encode_id("Customer", c), "d": 2, "center": c}
                for c in list(eco.customers)[:2]
            ]
        ),
        check_map,
    ),
    Probe(
        "tierReview",
        "query($c: TierChange) { tierReview(first: 100, change: $c) { totalCount nodes {"
        " partner { key } current qualified change sales wonDeals nextTier salesToNext"
        " dealsToNext } } }",
        lambda eco: [{}, {"c": "UPGRADE"}, {"c": "DOWNGRADE"}, {"c": "HOLD"}],
        check_tier_review,
    ),
    Probe(
        "Partner.tierReview",
        "{ partners(first: 100) { nodes { key tierReview { partner { key } sales wonDeals } } } }",
        lambda eco: [{}],
        only_own("tierReview"),
    ),
    Probe(
        "Partner.tierHistory",
        "{ partners(first: 100) { nodes { key tierHistory { from to on sales wonDeals by } } } }",
        lambda eco: [{}],
        only_own("tierHistory"),
    ),
    Probe(
        "partnerImpact",
        "query($from: Date!, $to: Date!) { partnerImpact(from: $from, to: $to, first: 100) {"
        " totalCount baselineWinRate nodes { partner { key } sourcedWonAmount sourcedWonDeals"
        " influencedWonAmount influencedWonDeals influencedClosedDeals winRateInfluenced lift } } }",
        lambda eco: [window(30), window(0)],
        staff_only("partnerImpact"),
    ),
    Probe(
        "Deal.influencedBy",
        "{ deals(first: 100) { nodes { __typename key influencedBy { __typename key } } } }",
        lambda eco: [{}],
        staff_only("deals", "influencedBy"),
    ),
    Probe(
        "ecosystem",
        "{ ecosystem { partners customers accounts communities stale analyzedAt importedAt } }",
        lambda eco: [{}],
        check_ecosystem_counts,
    ),
]

INTERNAL = {"roll", "keys", "campaign", "partners", "center"}  # the checks' own, not sent


@dataclass
class Tally:
    ecosystems: int = 0
    cases: int = 0
    leaks: dict[str, str] = field(default_factory=dict)


async def check_ecosystem(graph: Graph, eco: Ecosystem, folder: Path, tally: Tally) -> None:
    await wipe(graph)
    assert (await import_bundle(graph, bundle(eco, folder))).validation.ok
    # Every partner's tier review applied (as staff), so that tier histories hold changes.
    program = await read_program(graph)
    await apply_tiers(graph, program, list(eco.partners), today(), today(), "tests")
    tally.ecosystems += 1
    for me in eco.partners:
        sight = Sight.of(eco, me)
        for probe in PROBES:
            for asked in probe.variables(eco):
                sent = {k: v for k, v in asked.items() if k not in INTERNAL}
                answer = await ask(graph, probe.query, sent, partner_viewer(me))
                tally.cases += 1
                said = json.dumps(sent)
                errors = [*scan(eco, sight, answer, said), *probe.check(eco, sight, asked, answer)]
                if errors:
                    where = f"{probe.name} {json.dumps(sent, ensure_ascii=False)} as {me}"
                    tally.leaks.setdefault(f"{probe.name}: {errors[0]}", where)


@pytest.mark.timeout(300)  # a long run by design; a hang still fails
async def test_a_partner_never_sees_what_it_may_not(graph: Graph) -> None:
    tally = Tally()
    began = time.monotonic()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as folder:
        # Hypothesis runs in a thread; each ecosystem is checked on this loop, where the driver is.
        @settings(
            max_examples=ECOSYSTEMS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(eco=ecosystems())
        def every(eco: Ecosystem) -> None:
            work = check_ecosystem(graph, eco, Path(folder), tally)
            asyncio.run_coroutine_threadsafe(work, loop).result()

        try:
            await loop.run_in_executor(None, every)
        finally:
            await wipe(graph)
    took = time.monotonic() - began
    print(f"\nleaks: {tally.cases} cases over {tally.ecosystems} ecosystems in {took:.1f} s")
    report = "\n".join(f"- {what}\n  ({where})" for what, where in list(tally.leaks.items())[:30])
    assert not tally.leaks, f"{len(tally.leaks)} kinds of leak in {tally.cases} cases:\n{report}"
