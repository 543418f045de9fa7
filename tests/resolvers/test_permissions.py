"""Who may write what: every mutation of the schema, by every role.

The expectations come from the README's "Roles" paragraph, written down as WRITERS below, not
from the code: admin writes everything; alliance_manager partners, accounts, customers, the
hierarchy, links, solutions, agreements, deals, the partner program and co-selling plans;
marketer campaigns and the campaigns that promote a plan; a
partner token grants and revokes its own agreements, registers its own deals and marks them WON
or LOST. Whatever a role may not do is FORBIDDEN and writes nothing; without a token the API answers 401.

Each mutation has two inputs: one acting for P1 (the partner token's own partner) and one
acting for P2 (another partner). Both are inputs an allowed role writes successfully, so a
refusal can only come from the role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, build_schema
from mutation_support import VIEWERS, forbidden, seed
from starlette.testclient import TestClient
from support import ask, dump, partner_viewer

from api.app import create_app
from api.settings import Settings
from graph.access import Viewer
from graph.db import Graph
from resolvers.node import encode_id
from resolvers.schema import schema

# The README's rules: the roles that may write each area. "own" is a partner token acting for
# its own partner; a partner token acting for another partner may write nothing.
STAFF_WRITERS = frozenset({"admin", "alliance_manager"})
WRITERS: dict[str, frozenset[str]] = {
    "partners": STAFF_WRITERS,
    "accounts": STAFF_WRITERS,
    "customers": STAFF_WRITERS,
    "hierarchy": STAFF_WRITERS,
    "links": STAFF_WRITERS,
    "solutions": STAFF_WRITERS,
    "agreements": STAFF_WRITERS | {"own"},
    "deals": STAFF_WRITERS | {"own"},
    "campaigns": frozenset({"admin", "marketer"}),
    "program": STAFF_WRITERS,
    "plans": STAFF_WRITERS,
    "plan campaigns": STAFF_WRITERS | {"marketer"},
}
ROLES: dict[str, Viewer] = {
    "admin": VIEWERS["admin"],
    "alliance_manager": VIEWERS["alliance_manager"],
    "marketer": VIEWERS["marketer"],
    "own": partner_viewer("P1"),
    "another": partner_viewer("P1"),
}


def pid(key: str) -> str:
    return encode_id("Partner", key)


@dataclass(frozen=True)
class Row:
    area: str
    own: dict[str, Any]  # an input acting for P1
    other: dict[str, Any] | None = None  # acting for P2; None: the write is for no partner

    def input_for(self, role: str) -> dict[str, Any]:
        return self.other if role == "another" and self.other is not None else self.own


def both(area: str, make: Callable[[str], dict[str, Any]]) -> Row:
    """A row whose two inputs differ only in the partner they act for."""
    return Row(area, make("P1"), make("P2"))


# Every mutation of the schema, with inputs the seed below makes valid.
TABLE: dict[str, Row] = {
    "partnerCreate": Row(
        "partners", {"key": "P8", "name": "Partner 8", "type": "RESELLER", "tier": "GOLD"}
    ),
    "partnerUpdate": both("partners", lambda p: {"partner": pid(p), "name": "Renamed"}),
    "subPartnerLink": both("hierarchy", lambda p: {"child": pid(p), "parent": pid("P4")}),
    "subPartnerUnlink": both("hierarchy", lambda p: {"child": pid(p), "parent": pid("P3")}),
    "partnerLink": both(
        "links", lambda p: {"from": pid(p), "to": pid("P4"), "kind": "CO_SELLS_WITH"}
    ),
    "partnerUnlink": both(
        "links", lambda p: {"from": pid(p), "to": pid("P3"), "kind": "CO_SELLS_WITH"}
    ),
    "accountUpsert": both(
        "accounts",
        lambda p: {
            "partner": pid(p),
            "customer": encode_id("Customer", "C3"),
            "status": "PROSPECT",
        },
    ),
    "accountRemove": both(
        "accounts", lambda p: {"partner": pid(p), "customer": encode_id("Customer", f"C{p[1]}")}
    ),
    "customerCreate": Row("customers", {"key": "C9", "name": "Nine"}),
    "solutionCreate": Row("solutions", {"key": "S9", "name": "Nine"}),
    "solutionAddPartners": both(
        "solutions",
        lambda p: {"solution": encode_id("Solution", "S1"), "partners": [{"partner": pid(p)}]},
    ),
    "agreementGrant": both(
        "agreements",
        lambda p: {"grantor": pid(p), "grantee": pid("P4"), "scopes": ["OVERLAP_COUNTS"]},
    ),
    "agreementRevoke": both(
        "agreements", lambda p: {"agreement": encode_id("Agreement", f"A{p[1]}")}
    ),
    "campaignCreate": Row("campaigns", {"key": "K9", "name": "Nine", "startsOn": "2026-01-01"}),
    "campaignAddPartners": both(
        "campaigns",
        lambda p: {"campaign": encode_id("Campaign", "K2"), "partners": [{"partner": pid(p)}]},
    ),
    "campaignRemovePartners": both(
        "campaigns", lambda p: {"campaign": encode_id("Campaign", "K1"), "partners": [pid(p)]}
    ),
    "dealRegister": both(
        "deals",
        # Pn's own deal Dn is on Cn, so no conflict; the flag lets no one write more.
        lambda p: {
            "partner": pid(p),
            "customer": encode_id("Customer", f"C{p[1]}"),
            "allowConflict": True,
        },
    ),
    "dealChangeStatus": both(
        "deals", lambda p: {"deal": encode_id("Deal", f"D{p[1]}"), "status": "WON"}
    ),
    "tierApply": both("program", lambda p: {"partners": [pid(p)], "asOf": "2026-06-01"}),
    "programTierSet": Row(
        "program",
        {
            "tier": "GOLD",
            "minSales": 1_000_000.0,
            "minWonDeals": 5,
            "margin": 0.2,
            "benefits": ["shared leads"],
        },
    ),
    "coSellPlanCreate": Row(
        "plans",
        {
            "key": "J9",
            "name": "Nine",
            "startsOn": "2026-01-01",
            "endsOn": "2026-12-31",
            "targetAmount": 1000.0,
        },
    ),
    "coSellPlanUpdate": Row("plans", {"plan": encode_id("CoSellPlan", "J1"), "name": "Renamed"}),
    "coSellPlanDelete": Row("plans", {"plan": encode_id("CoSellPlan", "J1")}),
    "coSellPlanMemberSet": both(
        "plans", lambda p: {"plan": encode_id("CoSellPlan", "J1"), "partner": pid(p)}
    ),
    "coSellPlanMemberRemove": Row(
        "plans", {"plan": encode_id("CoSellPlan", "J1"), "partner": pid("P3")}
    ),
    "coSellPlanCampaignAdd": Row(
        "plan campaigns",
        {"plan": encode_id("CoSellPlan", "J1"), "campaign": encode_id("Campaign", "K2")},
    ),
    "coSellPlanCampaignRemove": Row(
        "plan campaigns",
        {"plan": encode_id("CoSellPlan", "J1"), "campaign": encode_id("Campaign", "K1")},
    ),
}

# Pn (n = 1, 2) holds an account with Cn, sits under P3, co-sells with P3, grants An to P3,
# takes part in K1 and has the APPROVED deal Dn for Cn. S1 and K2 have no partners yet. The plan
# J1 has P3 as its member and K1 as its campaign.
WORLD = """
UNWIND [1, 2] AS n
MATCH (p:Partner {key: 'P' + n}) MATCH (c:Customer {key: 'C' + n})
MATCH (p3:Partner {key: 'P3'})
MERGE (k1:Campaign {key: 'K1'})
  ON CREATE SET k1.name = 'One', k1.nameLower = 'one', k1.startsOn = date('2026-01-01')
CREATE (p)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c)
CREATE (p)-[:SUB_PARTNER_OF {strength: 0.8}]->(p3)
CREATE (p)-[:CO_SELLS_WITH {strength: 0.7}]->(p3)
CREATE (p)-[:GRANTS]->(:Agreement {key: 'A' + n, scopes: ['OVERLAP_COUNTS'],
                                   validFrom: date('2026-01-01'), status: 'ACTIVE'})-[:TO]->(p3)
CREATE (p)-[:PARTICIPATES_IN {role: 'guest'}]->(k1)
CREATE (p)-[:REGISTERED]->(:Deal {key: 'D' + n, status: 'APPROVED',
                                  registeredOn: date('2026-01-05')})-[:FOR]->(c)
WITH count(*) AS done
CREATE (:Customer {key: 'C3', name: 'Three', nameLower: 'three'})
CREATE (:Solution {key: 'S1', name: 'One', nameLower: 'one'})
CREATE (:Campaign {key: 'K2', name: 'Two', nameLower: 'two', startsOn: date('2026-02-01')})
WITH count(*) AS done
MATCH (p3:Partner {key: 'P3'}) MATCH (k1:Campaign {key: 'K1'})
CREATE (j1:CoSellPlan {key: 'J1', name: 'One', nameLower: 'one', startsOn: date('2026-01-01'),
  endsOn: date('2026-12-31'), targetAmount: 5000.0, targetIndustries: [], targetRegions: []})
CREATE (p3)-[:MEMBER_OF {responsibilities: []}]->(j1)
CREATE (j1)-[:PROMOTED_BY]->(k1)
"""


def mutations() -> dict[str, str]:
    """Every mutation of the schema as it is printed, with the type of its `input`."""
    mutation_type = build_schema(schema.as_str()).mutation_type
    assert isinstance(mutation_type, GraphQLObjectType)
    found: dict[str, str] = {}
    for name, field in mutation_type.fields.items():
        input_type = field.args["input"].type
        assert isinstance(input_type, GraphQLNonNull), name
        found[name] = input_type.of_type.name
    return found


MUTATIONS = mutations()


def document(mutation: str) -> str:
    return f"""mutation($input: {MUTATIONS[mutation]}!) {{
      {mutation}(input: $input) {{ userErrors {{ field message code }} }} }}"""


def allowed(mutation: str, role: str) -> bool:
    return role in WRITERS[TABLE[mutation].area]


def test_every_mutation_has_a_row() -> None:
    assert sorted(set(MUTATIONS) - set(TABLE)) == [], "mutations without a row in TABLE"
    assert sorted(set(TABLE) - set(MUTATIONS)) == [], "rows for mutations the schema lacks"
    assert set(WRITERS) == {row.area for row in TABLE.values()}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_each_role_writes_only_what_the_readme_allows(
    empty_graph: Graph, mutation: str, role: str
) -> None:
    assert mutation in TABLE, f"{mutation} has no row in TABLE"
    graph = await seed(empty_graph, WORLD)
    before = await dump(graph)
    variables = {"input": TABLE[mutation].input_for(role)}
    answer = await ask(graph, document(mutation), variables, ROLES[role])
    if allowed(mutation, role):
        assert not answer.errors, answer.errors
        assert answer.data[mutation]["userErrors"] == []
        assert await dump(graph) != before, "an allowed write changed nothing"
    else:
        forbidden(answer)
        assert await dump(graph) == before


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_without_a_token_every_mutation_is_401_and_writes_nothing(
    empty_graph: Graph, client: TestClient, mutation: str
) -> None:
    graph = await seed(empty_graph, WORLD)
    before = await dump(graph)
    body = {"query": document(mutation), "variables": {"input": TABLE[mutation].own}}
    response = client.post("/graphql", json=body)
    assert response.status_code == 401
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]
    assert await dump(graph) == before
