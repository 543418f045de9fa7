"""A partner map's audit event: one per map, naming its center and every other partner whose
accounts the answer shows (a known size, an overlap, an account at a customer center), so that
`auditEvents(filter: {partner: X})` finds every map that showed X, and no map that hid X; a
center the viewer may not see is a refusal. Staff maps are not recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from support import Answer, ask, partner_viewer, trail_events, wipe, write_csv, write_holders

from graph import audit
from graph.access import Role, Viewer, today
from graph.audit import AuditFilter, AuditTrail
from graph.db import Graph
from graph.ingest.load import import_bundle
from resolvers.node import decode_id, encode_id

# P asks (and Q). A lists its accounts to P, C lets P count them, N and L grant P nothing; N
# lists its accounts to Q. P co-sells with N and A refers L, so N and L are on P's maps with
# their sizes hidden.
PARTNERS = ["P", "Q", "A", "C", "N", "L"]
HOLDERS = {
    "c-shared": ["P", "A", "C", "N", "Q"],
    "c-a": ["A", "C"],
    "c-n": ["N", "L"],
    "c-p": ["P"],
    "c-l": ["L"],
}
GRANTS = [("A", "P", "ACCOUNT_LIST"), ("C", "P", "OVERLAP_COUNTS"), ("N", "Q", "ACCOUNT_LIST")]
LINKS = [("P", "N", "CO_SELLS_WITH"), ("A", "L", "REFERS_TO")]

FULL = """query($center: ID, $depth: Int) { partnerMap(center: $center, depth: $depth) {
  nodes { id key kind size sizeKnown } edges { source target kind weight } omittedOverlaps } }"""
EVENTS = """query($partner: String, $after: String) {
  auditEvents(first: 100, after: $after, filter: {partner: $partner}) {
    nodes { requestId operation partners allowed } } }"""
ADMIN = Viewer(Role.ADMIN, subject="tests")
# Some of the partners each viewer's maps show, and some they hide: the world covers both.
SHOWN_SOME = {"P": {"A", "C"}, "Q": {"N"}}
HIDDEN_SOME = {"P": {"N", "L", "Q"}, "Q": {"P", "A", "C", "L"}}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    folder = tmp_path_factory.mktemp("map-audit")
    start = (today() - timedelta(days=30)).isoformat()
    write_holders(folder, PARTNERS, HOLDERS)
    write_csv(
        folder,
        "agreements.csv",
        [[f"ag-{g}-{p}", g, p, scope, start, "", "ACTIVE"] for g, p, scope in GRANTS],
    )
    write_csv(folder, "partner_links.csv", [[a, b, kind, "", ""] for a, b, kind in LINKS])
    await wipe(graph)
    assert (await import_bundle(graph, folder)).validation.ok
    yield
    await wipe(graph)


def pid(key: str) -> str:
    return encode_id("Partner", key)


def cid(key: str) -> str:
    return encode_id("Customer", key)


def shown_by(answer: Answer, viewer: str) -> set[str]:
    """The partners other than the viewer whose accounts a full map answer shows, read from the
    answer alone: a size it knows, an end of an overlap or of an account at the center."""
    assert not answer.errors, answer.errors
    found = answer.data["partnerMap"]
    sized = {
        node["key"] for node in found["nodes"] if node["kind"] == "Partner" and node["sizeKnown"]
    }
    ends = {
        key
        for edge in found["edges"]
        if edge["kind"] in ("OVERLAP", "HAS_ACCOUNT")
        for kind, key in (decode_id(edge["source"], "id"), decode_id(edge["target"], "id"))
        if kind == "Partner"
    }
    return (sized | ends) - {viewer}


def on_map(answer: Answer) -> set[str]:
    return {n["key"] for n in answer.data["partnerMap"]["nodes"] if n["kind"] == "Partner"}


async def found_by_partner(graph: Graph, trail: AuditTrail) -> dict[str, set[str]]:
    """For each partner, the request ids of the maps whose events name it, as admins find them."""
    found: dict[str, set[str]] = {}
    await trail.drain()
    with audit.bind(trail, "admin"):
        for key in PARTNERS:
            answer = await ask(graph, EVENTS, {"partner": key}, ADMIN)
            assert not answer.errors, answer.errors
            nodes = answer.data["auditEvents"]["nodes"]
            assert {node["operation"] for node in nodes} <= {"partnerMap"}
            found[key] = {node["requestId"] for node in nodes}
    return found


# (center, depth) of the maps P and Q ask.
MAPS: list[tuple[str | None, int]] = [
    (pid("P"), 2),
    (pid("P"), 1),
    (pid("A"), 1),
    (pid("N"), 2),
    (cid("c-shared"), 1),
    (cid("c-shared"), 2),
    (None, 2),
]


@pytest.mark.parametrize("me", ["P", "Q"])
async def test_every_partner_a_map_shows_finds_it_and_none_it_hides(
    graph: Graph, world: None, trail: AuditTrail, me: str
) -> None:
    viewer = partner_viewer(me)
    shown: dict[str, set[str]] = {}
    hidden: dict[str, set[str]] = {}
    for i, (center, depth) in enumerate(MAPS):
        request = f"map-{i}"
        with audit.bind(trail, request):
            answer = await ask(graph, FULL, {"center": center, "depth": depth}, viewer)
        shown[request] = shown_by(answer, me) | set(_center_of(center))
        hidden[request] = on_map(answer) - shown[request] - {me}
    # The world shows some partners and hides others.
    assert set().union(*shown.values()) >= SHOWN_SOME[me]
    assert set().union(*hidden.values()) >= HIDDEN_SOME[me]
    found = await found_by_partner(graph, trail)
    for key in PARTNERS:
        if key == me:
            continue
        want = {request for request, keys in shown.items() if key in keys}
        assert found[key] == want, key
        assert not found[key] & {request for request, keys in hidden.items() if key in keys}
    events, total, _ = await trail_events(trail)
    assert total == len(MAPS)  # one event per map
    assert all(event.allowed and event.viewer == me for event in events)


def _center_of(center: str | None) -> list[str]:
    if center is None:
        return []
    kind, key = decode_id(center, "center")
    return [key] if kind == "Partner" else []


@pytest.mark.parametrize(
    ("fields", "shows"),
    [
        # Nothing that names or counts a partner's accounts.
        ("truncated", "nothing"),
        ("nodes { key label kind } truncated", "nothing without a center"),
        ("nodes { k: key s: size @skip(if: true) }", "nothing without a center"),
        (
            "nodes { key size @include(if: false) } edges @skip(if: true) { kind }",
            "nothing without a center",
        ),
        # Sizes, however asked for.
        ("nodes { key size }", "counted"),
        ("...Sized", "counted"),
        ("nodes { ... on MapNode { n: size } }", "counted"),
        ("omittedOverlaps", "counted"),
        # Overlaps and accounts at the center.
        ("edges { kind }", "ends"),
        ("e: edges @include(if: true) { weight }", "ends"),
    ],
)
async def test_what_a_map_records_follows_what_its_answer_holds(
    graph: Graph, world: None, trail: AuditTrail, fields: str, shows: str
) -> None:
    query = (
        "query($center: ID) { partnerMap(center: $center) { " + fields + " } }"
        " fragment Sized on PartnerMap { nodes { size } }"
    )
    if "Sized" not in fields:
        query = query.split(" fragment")[0]
    viewer = partner_viewer("P")
    for asked_before, center in enumerate((pid("P"), cid("c-shared"), None)):
        whole = await ask(graph, FULL, {"center": center}, viewer)
        counted = {
            n["key"]
            for n in whole.data["partnerMap"]["nodes"]
            if n["kind"] == "Partner" and n["sizeKnown"]
        } - {"P"}
        ends = _edge_ends(whole) - {"P"}
        want = {
            "nothing": set(),
            "nothing without a center": counted if center is not None else set(),
            "counted": counted,
            "ends": ends,
        }[shows]
        with audit.bind(trail, "req"):
            answer = await ask(graph, query, {"center": center}, viewer)
        assert not answer.errors, answer.errors
        events, total, _ = await trail_events(trail)
        event = events[0]
        assert total == asked_before + 1  # one event per map
        asked = _center_of(center)
        assert list(event.partners[: len(asked)]) == asked
        assert set(event.partners[len(asked) :]) == want - set(asked), (fields, center)
        assert counted and ends  # the world shows some of each


def _edge_ends(answer: Answer) -> set[str]:
    return {
        key
        for edge in answer.data["partnerMap"]["edges"]
        if edge["kind"] in ("OVERLAP", "HAS_ACCOUNT")
        for kind, key in (decode_id(edge["source"], "id"), decode_id(edge["target"], "id"))
        if kind == "Partner"
    }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ALLIANCE_MANAGER])
async def test_a_staff_map_is_not_recorded(
    graph: Graph, world: None, trail: AuditTrail, role: Role
) -> None:
    with audit.bind(trail, "staff"):
        answer = await ask(graph, FULL, {"center": pid("P")}, Viewer(role, subject="staff"))
    assert shown_by(answer, "") >= {"P", "A", "C", "N", "L"}  # staff see every size
    assert await trail_events(trail) == ([], 0, False)


async def test_a_center_the_viewer_may_not_see_is_a_refusal(
    graph: Graph, world: None, trail: AuditTrail
) -> None:
    """c-n is held by N and L, neither of which lists its accounts to P; Q sees it through N."""
    with audit.bind(trail, "req"):
        hidden = await ask(graph, FULL, {"center": cid("c-n")}, partner_viewer("P"))
        unknown = await ask(graph, FULL, {"center": cid("c-none")}, partner_viewer("P"))
        seen = await ask(graph, FULL, {"center": cid("c-n")}, partner_viewer("Q"))
    for answer in (hidden, unknown):
        assert answer.codes == ["NOT_FOUND"]
        assert answer.errors[0]["extensions"]["field"] == "center"
    assert not seen.errors
    events = list(reversed((await trail_events(trail))[0]))
    assert [(e.viewer, e.allowed) for e in events] == [("P", False), ("P", False), ("Q", True)]
    assert events[2].partners == tuple(sorted(shown_by(seen, "Q")))
    assert "N" in events[2].partners
    refused, total, _ = await trail_events(
        trail, AuditFilter(allowed=False, operation="partnerMap")
    )
    assert total == 2 and all(event.partners == () for event in refused)
