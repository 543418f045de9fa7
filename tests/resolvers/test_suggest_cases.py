"""suggestPartners on a hand-made ecosystem, against the plain greedy: ties in gain (the key
decides), candidates adding nothing (it stops early), an empty campaign, targets matching
nothing, a sub-partner met at two depths, depth 0, a partner viewer (only the customers it may
see count), the campaign and the what-if forms, limits and argument errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from paths_support import load_bundle
from suggest_oracle import Model
from suggest_support import ask_suggest, picks
from support import ask, partner_rows, partner_viewer, trail_events, wipe, write_csv

from graph.analytics import suggest
from graph.audit import AuditTrail
from graph.db import Graph
from resolvers.context import Context
from resolvers.node import encode_id
from resolvers.schema import schema

# D stands for U and T at depth 1; T is also below U, so at depth 2 it is met twice. X1 and X2
# add two customers each (a tie), Z only customers the participants reach already, N nobody.
PARTNERS = ["P1", "P2", "D", "U", "T", "X1", "X2", "Z", "N", "G", "H"]
NAMES = {"P1": 'Müller, "Söhne" & Co', "X1": "株式会社, テスト", "X2": "O'Brien; Ltd"}
HOLDINGS = {
    "P1": {"c1": "CUSTOMER", "c2": "PROSPECT"},
    "P2": {"c3": "OPPORTUNITY"},
    "D": {"c4": "CUSTOMER"},
    "U": {"c5": "CUSTOMER", "c1": "CUSTOMER"},
    "T": {"c6": "PROSPECT", "c7": "CUSTOMER", "c8": "CUSTOMER"},
    "X1": {"c9": "CUSTOMER", "c10": "OPPORTUNITY"},
    "X2": {"c11": "CUSTOMER", "c12": "CUSTOMER", "c1": "PROSPECT"},
    "Z": {"c1": "CUSTOMER", "c3": "CUSTOMER"},
    "G": {"c13": "CUSTOMER", "c9": "CUSTOMER", "c1": "CUSTOMER"},
    "H": {"c14": "CUSTOMER", "c15": "CUSTOMER", "c16": "CUSTOMER"},
}
INDUSTRY = {"c1": "Retail", "c4": "Retail", "c9": "Retail", "c11": "Retail", "c14": "Energy"}
REGION = {"c1": "EMEA", "c4": "EMEA", "c11": "EMEA", "c9": "NA", "c15": "EMEA"}
SUBS = [("U", "D"), ("T", "D"), ("T", "U")]
# name, participants, target industries, target regions
CAMPAIGNS = {
    "K1": (["P1", "P2"], "", ""),
    "K0": ([], "", ""),
    "KT": (["P1"], "Nothing", ""),
    "KR": (["P2"], "Retail", "EMEA;NA"),
}
# P1 sees its own accounts and G's (ACCOUNT_LIST in force); H only shares counts, X1's list
# expired: neither counts for P1.
GRANTS = [
    ("A1", "G", "P1", "ACCOUNT_LIST", -30, 30),
    ("A2", "H", "P1", "OVERLAP_COUNTS", -30, 30),
    ("A3", "X1", "P1", "ACCOUNT_LIST", -60, -10),
]
SEEN_BY_P1 = {"P1", "G"}


def write_bundle(folder: Path) -> None:
    day = date.today()

    def on(offset: int) -> str:
        return (day + timedelta(days=offset)).isoformat()

    write_csv(folder, "partners.csv", partner_rows(PARTNERS, NAMES))
    customers = {c for held in HOLDINGS.values() for c in held}
    write_csv(
        folder,
        "customers.csv",
        [
            [c, f"Customer {c}, Inc", "", INDUSTRY.get(c, ""), REGION.get(c, ""), ""]
            for c in sorted(customers)
        ],
    )
    write_csv(
        folder,
        "accounts.csv",
        [[p, c, status, "", ""] for p, held in HOLDINGS.items() for c, status in held.items()],
    )
    write_csv(folder, "sub_partners.csv", [[child, parent, "", ""] for child, parent in SUBS])
    write_csv(
        folder,
        "campaigns.csv",
        [
            [k, f"Campaign {k}", on(-5), "", "", "", ind, reg]
            for k, (_, ind, reg) in CAMPAIGNS.items()
        ],
    )
    write_csv(
        folder,
        "campaign_partners.csv",
        [[k, p, "", ""] for k, (taking, _, _) in CAMPAIGNS.items() for p in taking],
    )
    write_csv(
        folder,
        "agreements.csv",
        [[key, g, to, scopes, on(a), on(b), "ACTIVE"] for key, g, to, scopes, a, b in GRANTS],
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def model(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Model]:
    folder = Path(tmp_path_factory.mktemp("suggest-cases"))
    write_bundle(folder)
    await load_bundle(graph, folder)
    yield Model.read(folder)
    await wipe(graph)


@pytest.mark.parametrize("depth", [0, 1, 2, 5])
@pytest.mark.parametrize("campaign", sorted(CAMPAIGNS))
async def test_campaigns_as_the_plain_greedy(
    graph: Graph, model: Model, campaign: str, depth: int
) -> None:
    answer = await ask_suggest(graph, campaign=campaign, first=50, depth=depth)
    assert picks(answer) == model.suggest_for(campaign, 50, depth)


async def test_the_awkward_cases_by_hand(graph: Graph, model: Model) -> None:
    # Depth 0: H and T tie at 3, G and X2 at 2 (G took c9 from X1), D, U and X1 at 1: the
    # smaller key first each time; Z adds nothing (c1, c3 are reached) and N reaches nobody:
    # neither is picked, and it stops before `first`.
    found = picks(await ask_suggest(graph, campaign="K1", first=50, depth=0))
    assert found == model.suggest_for("K1", 50, 0)
    assert found == [("H", 3), ("T", 3), ("G", 2), ("X2", 2), ("D", 1), ("U", 1), ("X1", 1)]
    # D at depth 2 stands for U and T once each: c4, c5, c6, c7, c8 (c1 is reached).
    assert picks(await ask_suggest(graph, campaign="K1", first=1, depth=2)) == [("D", 5)]
    # An empty campaign starts from nobody: the largest reach wins.
    assert picks(await ask_suggest(graph, campaign="K0", first=1, depth=1)) == [("D", 6)]
    # Targets matching nothing: nothing to add.
    assert picks(await ask_suggest(graph, campaign="KT", depth=5)) == []


async def test_what_if_lists_and_their_targets(graph: Graph, model: Model) -> None:
    for taking, industries, regions, depth in [
        (["P1"], None, None, 1),
        (["D", "X1"], ["Retail"], None, 2),
        (["Z"], None, ["EMEA"], 0),
        (["N"], ["Nothing"], None, 1),
        (["P2", "H"], ["Retail", "Energy"], ["EMEA", "NA"], 3),
    ]:
        answer = await ask_suggest(
            graph, partners=taking, first=50, depth=depth, industries=industries, regions=regions
        )
        expected = model.suggest(taking, 50, depth, industries=industries, regions=regions)
        assert picks(answer) == expected, (taking, industries, regions, depth)
    nothing = await ask_suggest(graph, partners=["P1"], industries=["Nothing"])
    assert picks(nothing) == []


async def test_a_partner_viewer_counts_only_what_it_may_see(graph: Graph, model: Model) -> None:
    me = partner_viewer("P1")
    for depth in (0, 1, 2):
        answer = await ask_suggest(graph, me, campaign="K1", first=50, depth=depth)
        assert picks(answer) == model.suggest_for("K1", 50, depth, allowed=SEEN_BY_P1)
        answer = await ask_suggest(graph, me, partners=["X1", "H"], first=50, depth=depth)
        assert picks(answer) == model.suggest(["X1", "H"], 50, depth, allowed=SEEN_BY_P1)
    # G's accounts are all it may count beyond its own: G adds c13, c9 (c1 is reached).
    assert picks(await ask_suggest(graph, me, campaign="K1")) == [("G", 2)]


async def test_a_campaign_the_viewer_takes_no_part_in_is_not_found(
    graph: Graph, model: Model
) -> None:
    answer = await ask_suggest(graph, partner_viewer("P1"), campaign="KR")
    assert answer.codes == ["NOT_FOUND"]
    unknown = await ask_suggest(graph, partner_viewer("P1"), campaign="NOPE")
    assert unknown.codes == ["NOT_FOUND"]
    assert answer.errors[0]["message"] == unknown.errors[0]["message"].replace("NOPE", "KR")
    assert answer.data is None


def field_of(answer: object) -> tuple[list[str], list[str]]:
    errors = answer.errors  # type: ignore[attr-defined]
    return [e["extensions"]["code"] for e in errors], [e["extensions"].get("field") for e in errors]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "campaign"),
        ({"campaign": "K1", "partners": ["P1"]}, "campaign"),
        ({"campaign": "K1", "industries": ["Retail"]}, "targetIndustries"),
        ({"campaign": "K1", "regions": ["EMEA"]}, "targetRegions"),
        ({"campaign": "K1", "first": 0}, "first"),
        ({"campaign": "K1", "first": 51}, "first"),
        ({"campaign": "K1", "depth": -1}, "depth"),
        ({"campaign": "K1", "depth": 6}, "depth"),
        ({"partners": [f"Q{i}" for i in range(501)]}, "partners"),
        ({"partners": ["P1"], "industries": [f"I{i}" for i in range(51)]}, "targetIndustries"),
        ({"partners": ["P1"], "regions": [f"R{i}" for i in range(51)]}, "targetRegions"),
    ],
)
async def test_bad_arguments_name_the_argument(
    graph: Graph, model: Model, arguments: dict[str, object], field: str
) -> None:
    answer = await ask_suggest(graph, **arguments)
    assert field_of(answer) == (["BAD_USER_INPUT"], [field])
    assert answer.round_trips == 0


async def test_fifty_picks_and_fifty_targets_are_allowed(graph: Graph, model: Model) -> None:
    targets = ["Retail", *(f"I{i}" for i in range(49))]
    answer = await ask_suggest(graph, partners=["P1"], first=50, depth=5, industries=targets)
    assert picks(answer) == model.suggest(["P1"], 50, 5, industries=targets)


async def test_unknowns_are_not_found_naming_the_argument(graph: Graph, model: Model) -> None:
    assert field_of(await ask_suggest(graph, campaign="NOPE")) == (["NOT_FOUND"], ["campaign"])
    answer = await ask_suggest(graph, partners=["P1", "NOPE", "GONE"])
    assert field_of(answer) == (["NOT_FOUND"], ["partners[1]"])
    wrong = await ask(
        graph,
        "query($c: ID) { suggestPartners(campaign: $c) { addedReach } }",
        {"c": encode_id("Partner", "P1")},
    )
    assert field_of(wrong) == (["BAD_USER_INPUT"], ["campaign"])


@pytest.mark.parametrize("limit", [0, 1_000_000])
async def test_both_bounds_for_targets_give_the_same_picks(
    graph: Graph, model: Model, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """Targets up to TARGETED_LIMIT customers bound by the accounts of targeted customers,
    wider ones by the degree: both are upper bounds, so the picks are the same."""
    monkeypatch.setattr(suggest, "TARGETED_LIMIT", limit)
    for campaign in ("KR", "KT"):
        for depth in (0, 1, 2):
            answer = await ask_suggest(graph, campaign=campaign, first=50, depth=depth)
            assert picks(answer) == model.suggest_for(campaign, 50, depth)
    me = partner_viewer("P1")
    answer = await ask_suggest(graph, me, partners=["X2"], first=50, regions=["EMEA", "NA"])
    expected = model.suggest(["X2"], 50, 1, regions=["EMEA", "NA"], allowed=SEEN_BY_P1)
    assert picks(answer) == expected


async def test_every_question_of_a_partner_is_audited(
    graph: Graph, model: Model, trail: AuditTrail
) -> None:
    query = (
        "query($c: ID, $ps: [ID!]) { suggestPartners(campaign: $c, partners: $ps) { addedReach } }"
    )
    asked = [
        {"c": encode_id("Campaign", "K1")},
        {"c": encode_id("Campaign", "KR")},  # not one of P1's: NOT_FOUND, and refused
        {"ps": [encode_id("Partner", "X1"), encode_id("Partner", "H")]},
    ]
    for variables in asked:
        context = Context(graph, partner_viewer("P1"), trail=trail)
        await schema.execute(query, variable_values=variables, context_value=context)
    events = list(reversed((await trail_events(trail))[0]))
    assert [(e.operation, e.partners, e.allowed, e.viewer) for e in events] == [
        ("suggestPartners", ("P1", "P2"), True, "P1"),
        ("suggestPartners", (), False, "P1"),
        ("suggestPartners", ("X1", "H"), True, "P1"),
    ]
