"""Linking a partner to itself is SELF_REFERENCE, whichever mutation links it."""

from __future__ import annotations

from typing import Any

import pytest
from mutation_support import VIEWERS, partner_id, seed, unchanged, user_errors
from support import ask

from graph.db import Graph

# Each mutation linking two partners, with an input naming P1 at both ends, and the field that
# names the second end.
SELF_LINKS = {
    "subPartnerLink": (
        "SubPartnerLinkInput",
        {"child": partner_id("P1"), "parent": partner_id("P1")},
        "parent",
    ),
    "partnerLink": (
        "PartnerLinkInput",
        {"from": partner_id("P1"), "to": partner_id("P1"), "kind": "CO_SELLS_WITH"},
        "to",
    ),
    "agreementGrant": (
        "AgreementGrantInput",
        {"grantor": partner_id("P1"), "grantee": partner_id("P1"), "scopes": ["OVERLAP_COUNTS"]},
        "grantee",
    ),
}


@pytest.mark.parametrize("mutation", sorted(SELF_LINKS))
async def test_a_partner_linked_to_itself_is_a_self_reference(
    empty_graph: Graph, mutation: str
) -> None:
    graph = await seed(empty_graph)
    input_type, given, field = SELF_LINKS[mutation]
    document = f"""mutation($input: {input_type}!) {{
      {mutation}(input: $input) {{ userErrors {{ field message code }} }} }}"""
    variables: dict[str, Any] = {"input": given}
    answer = await unchanged(graph, ask(graph, document, variables, VIEWERS["admin"]))
    assert user_errors(answer, mutation) == [(field, "SELF_REFERENCE")]
    assert "'P1'" in answer.data[mutation]["userErrors"][0]["message"]
    assert answer.round_trips == 0
