"""agreementGrant / agreementRevoke: data-sharing agreements, by staff and by partners for
themselves."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from mutation_support import (
    VIEWERS,
    customer_id,
    forbidden,
    partner_id,
    seed,
    unchanged,
    user_errors,
)
from support import Answer, ask, partner_viewer, trail_events

from graph import audit
from graph.access import Viewer, today
from graph.audit import AuditTrail
from graph.db import Graph
from resolvers.node import encode_id

STAFF_WRITERS = ["admin", "alliance_manager"]

GRANT = """
mutation($input: AgreementGrantInput!) {
  agreementGrant(input: $input) {
    agreement { id key scopes validFrom validTo status inForce grantor { key } grantee { key } }
    userErrors { field message code }
  }
}"""

REVOKE = """
mutation($input: AgreementRevokeInput!) {
  agreementRevoke(input: $input) {
    agreement { key status inForce grantor { key } grantee { key } }
    userErrors { field message code }
  }
}"""

AGREEMENTS = """
MATCH (grantor:Partner)-[:GRANTS]->(a:Agreement)-[:TO]->(grantee:Partner)
RETURN a.key AS key, grantor.key AS grantor, grantee.key AS grantee, properties(a) AS props
ORDER BY key
"""
# A12: P1 → P2, A21: P2 → P1, A23: P2 → P3 (P1 has no part in it).
AGREEMENTS_SEED = """
UNWIND [['A12', 'P1', 'P2'], ['A21', 'P2', 'P1'], ['A23', 'P2', 'P3']] AS row
MATCH (grantor:Partner {key: row[1]}) MATCH (grantee:Partner {key: row[2]})
CREATE (grantor)-[:GRANTS]->(a:Agreement {key: row[0]})-[:TO]->(grantee)
SET a.scopes = ['OVERLAP_COUNTS'], a.validFrom = date('2025-01-01'), a.status = 'ACTIVE'
"""
FOREIGN = "a partner may revoke only the agreements it granted"


def agreement_id(key: str) -> str:
    return encode_id("Agreement", key)


def viewer_of(name: str) -> Viewer:
    return VIEWERS[name] if name in VIEWERS else partner_viewer(name)


async def grant(
    graph: Graph, grantor: str, grantee: str, viewer: str = "alliance_manager", **more: Any
) -> Answer:
    given = {"grantor": partner_id(grantor), "grantee": partner_id(grantee), **more}
    given.setdefault("scopes", ["OVERLAP_COUNTS"])
    return await ask(graph, GRANT, {"input": given}, viewer_of(viewer))


async def revoke(graph: Graph, key: str, viewer: str = "alliance_manager") -> Answer:
    variables = {"input": {"agreement": agreement_id(key)}}
    return await ask(graph, REVOKE, variables, viewer_of(viewer))


async def agreements(graph: Graph) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        r["key"]: (r["grantor"], r["grantee"], r["props"]) for r in await graph.read(AGREEMENTS)
    }


async def seeded(graph: Graph) -> Graph:
    return await seed(graph, AGREEMENTS_SEED)


async def test_grant_creates_an_active_agreement(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await grant(
        graph,
        "P1",
        "P2",
        key=" A1 ",
        scopes=["ACCOUNT_LIST", "OVERLAP_COUNTS", "ACCOUNT_LIST"],
        validFrom="2025-01-01",
        validTo="2099-12-31",
    )
    assert user_errors(answer, "agreementGrant") == []
    assert answer.data["agreementGrant"]["agreement"] == {
        "id": agreement_id("A1"),
        "key": "A1",
        "scopes": ["OVERLAP_COUNTS", "ACCOUNT_LIST"],
        "validFrom": "2025-01-01",
        "validTo": "2099-12-31",
        "status": "ACTIVE",
        "inForce": True,
        "grantor": {"key": "P1"},
        "grantee": {"key": "P2"},
    }
    assert await agreements(graph) == {
        "A1": (
            "P1",
            "P2",
            {
                "key": "A1",
                "scopes": ["OVERLAP_COUNTS", "ACCOUNT_LIST"],
                "validFrom": datetime.date(2025, 1, 1),
                "validTo": datetime.date(2099, 12, 31),
                "status": "ACTIVE",
            },
        )
    }
    # It is in force for the grantee at once.
    found = await ask(graph, '{ agreement(key: "A1") { inForce } }', viewer=partner_viewer("P2"))
    assert found.data == {"agreement": {"inForce": True}}


async def test_grant_defaults_the_key_and_the_start(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    began = today()
    first = (await grant(graph, "P1", "P2")).data["agreementGrant"]["agreement"]
    second = (await grant(graph, "P1", "P2")).data["agreementGrant"]["agreement"]
    assert first["key"].startswith("A-") and second["key"].startswith("A-")
    assert first["key"] != second["key"]
    assert first["validFrom"] in {began.isoformat(), today().isoformat()}  # midnight may pass
    assert first["validTo"] is None
    stored = await agreements(graph)
    assert sorted(stored) == sorted([first["key"], second["key"]])
    assert stored[first["key"]][2] == {
        "key": first["key"],
        "scopes": ["OVERLAP_COUNTS"],
        "validFrom": datetime.date.fromisoformat(first["validFrom"]),
        "status": "ACTIVE",
    }


async def test_a_taken_key_is_a_conflict_and_nothing_changes(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, grant(graph, "P3", "P4", key="A12"))
    assert user_errors(answer, "agreementGrant") == [("key", "CONFLICT")]
    assert answer.data["agreementGrant"]["agreement"] is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"grantee": partner_id("P1")}, [("grantee", "SELF_REFERENCE")]),
        ({"validFrom": "2025-02-01", "validTo": "2025-01-31"}, [("validTo", "INVALID")]),
        ({"validTo": "2000-01-01"}, [("validTo", "INVALID")]),  # before today, the default start
        ({"key": "  "}, [("key", "REQUIRED")]),
        ({"grantor": partner_id("P9")}, [("grantor", "NOT_FOUND")]),
        ({"grantee": partner_id("P9")}, [("grantee", "NOT_FOUND")]),
        (
            {"grantor": partner_id("P8"), "grantee": partner_id("P9")},
            [("grantor", "NOT_FOUND"), ("grantee", "NOT_FOUND")],
        ),
        ({"grantor": customer_id("C1")}, [("grantor", "INVALID")]),
        ({"grantee": "nope"}, [("grantee", "INVALID")]),
    ],
)
async def test_grant_with_bad_input_is_a_user_error_and_nothing_written(
    empty_graph: Graph, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    graph = await seeded(empty_graph)
    variables = {
        "input": {
            "grantor": partner_id("P1"),
            "grantee": partner_id("P2"),
            "scopes": ["ACCOUNT_LIST"],
            **given,
        }
    }
    answer = await unchanged(graph, ask(graph, GRANT, variables, VIEWERS["alliance_manager"]))
    assert user_errors(answer, "agreementGrant") == expected
    assert answer.data["agreementGrant"]["agreement"] is None


async def test_revoke_sets_it_revoked_and_again_changes_nothing(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await revoke(graph, "A23")
    assert answer.data["agreementRevoke"] == {
        "agreement": {
            "key": "A23",
            "status": "REVOKED",
            "inForce": False,
            "grantor": {"key": "P2"},
            "grantee": {"key": "P3"},
        },
        "userErrors": [],
    }
    stored = await agreements(graph)
    assert [stored[key][2]["status"] for key in sorted(stored)] == ["ACTIVE", "ACTIVE", "REVOKED"]
    answer = await unchanged(graph, revoke(graph, "A23"))
    assert user_errors(answer, "agreementRevoke") == []
    assert answer.data["agreementRevoke"]["agreement"]["status"] == "REVOKED"


async def test_revoke_of_an_unknown_agreement_is_not_found_for_staff(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, revoke(graph, "A99"))
    assert user_errors(answer, "agreementRevoke") == [("agreement", "NOT_FOUND")]
    variables = {"input": {"agreement": partner_id("P1")}}
    answer = await unchanged(graph, ask(graph, REVOKE, variables, VIEWERS["admin"]))
    assert user_errors(answer, "agreementRevoke") == [("agreement", "INVALID")]


async def test_a_partner_grants_as_itself(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await grant(graph, "P1", "P3", viewer="P1", scopes=["ACCOUNT_LIST"])
    assert user_errors(answer, "agreementGrant") == []
    key = answer.data["agreementGrant"]["agreement"]["key"]
    assert [(grantor, grantee) for grantor, grantee, _ in (await agreements(graph)).values()] == [
        ("P1", "P3")
    ]
    found = await ask(
        graph,
        "query($key: String!) { agreement(key: $key) { key } }",
        {"key": key},
        partner_viewer("P3"),
    )
    assert found.data == {"agreement": {"key": key}}


async def test_a_partner_may_not_grant_as_another(empty_graph: Graph) -> None:
    graph = await seed(empty_graph)
    answer = await unchanged(graph, grant(graph, "P2", "P1", viewer="P1"))
    forbidden(answer)
    assert answer.round_trips == 0
    # Even with other faults in the input: who acts is checked first.
    answer = await unchanged(graph, grant(graph, "P2", "P2", viewer="P1", key=" "))
    forbidden(answer)


async def test_a_partner_revokes_what_it_granted(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    answer = await revoke(graph, "A12", viewer="P1")
    assert user_errors(answer, "agreementRevoke") == []
    assert answer.data["agreementRevoke"]["agreement"]["status"] == "REVOKED"
    assert (await agreements(graph))["A12"][2]["status"] == "REVOKED"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("A21", id="received"),
        pytest.param("A23", id="between-others"),
        pytest.param("A99", id="unknown"),
    ],
)
async def test_a_partner_may_not_revoke_anything_else(empty_graph: Graph, key: str) -> None:
    graph = await seeded(empty_graph)
    answer = await unchanged(graph, revoke(graph, key, viewer="P1"))
    forbidden(answer)
    # One message for all: it does not tell whether the agreement exists.
    assert answer.errors[0]["message"] == FOREIGN


async def test_a_partner_without_a_partner_key_may_do_nothing(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    keyless = Viewer(VIEWERS["partner"].role, subject="tests:keyless")
    answer = await unchanged(
        graph, ask(graph, REVOKE, {"input": {"agreement": agreement_id("A12")}}, keyless)
    )
    forbidden(answer)
    variables = {
        "input": {
            "grantor": partner_id("P1"),
            "grantee": partner_id("P2"),
            "scopes": ["OVERLAP_COUNTS"],
        }
    }
    forbidden(await unchanged(graph, ask(graph, GRANT, variables, keyless)))


async def test_marketers_may_not_grant_or_revoke(empty_graph: Graph) -> None:
    graph = await seeded(empty_graph)
    for asking in (grant(graph, "P1", "P2", viewer="marketer"), revoke(graph, "A12", "marketer")):
        answer = await unchanged(graph, asking)
        forbidden(answer)
        assert answer.round_trips == 0


@pytest.mark.parametrize("viewer", STAFF_WRITERS)
async def test_staff_grant_and_revoke_for_any_partner(empty_graph: Graph, viewer: str) -> None:
    graph = await seeded(empty_graph)
    answer = await grant(graph, "P4", "P5", viewer=viewer, key="A45")
    assert user_errors(answer, "agreementGrant") == []
    assert user_errors(await revoke(graph, "A45", viewer), "agreementRevoke") == []
    assert user_errors(await revoke(graph, "A21", viewer), "agreementRevoke") == []
    stored = await agreements(graph)
    assert {key: props["status"] for key, (_, _, props) in stored.items()} == {
        "A12": "ACTIVE",
        "A21": "REVOKED",
        "A23": "ACTIVE",
        "A45": "REVOKED",
    }


async def test_a_partner_s_grants_and_revocations_are_audited(
    empty_graph: Graph, trail: AuditTrail
) -> None:
    graph = await seeded(empty_graph)
    with audit.bind(trail, "req-7"):
        await grant(graph, "P1", "P3", viewer="P1", scopes=["ACCOUNT_LIST"])
        await grant(graph, "P2", "P1", viewer="P1")
        await revoke(graph, "A12", viewer="P1")
        await revoke(graph, "A21", viewer="P1")
        await revoke(graph, "A23", viewer="alliance_manager")  # staff: not audited
    events, _, _ = await trail_events(trail)
    assert [(e.operation, e.partners, e.allowed) for e in reversed(events)] == [
        ("agreementGrant", ("P1", "P3"), True),
        ("agreementGrant", ("P2", "P1"), False),
        ("agreementRevoke", ("P1", "P2"), True),
        ("agreementRevoke", ("P1",), False),
    ]
    assert {(e.viewer, e.request_id) for e in events} == {("P1", "req-7")}
