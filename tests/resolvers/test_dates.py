"""A Date argument is an ISO calendar date; anything else is refused in the API's own words."""

from __future__ import annotations

import pytest
from support import ask, counts

from graph.db import Graph

CREATE = "mutation($i: PartnerCreateInput!) { partnerCreate(input: $i) { partner { joinedOn } } }"
PARTNER = {"key": "PD", "name": "Dated", "type": "RESELLER", "tier": "GOLD"}


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "2020-13-01",
        "2020-02-30",
        "20200101",
        "2020-01-01T00:00",
        "}) MATCH (n) DETACH DELETE n //",
        "9" * 500,
        20200101,
    ],
)
async def test_a_date_that_is_not_one_is_refused_plainly_and_writes_nothing(
    empty_graph: Graph, value: object
) -> None:
    answer = await ask(empty_graph, CREATE, {"i": {**PARTNER, "joinedOn": value}})
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors
    message = answer.errors[0]["message"]
    assert "is not a date: give an ISO date such as 2026-03-31" in message
    assert ".joinedOn" in message
    assert "isoformat" not in message and "must be in" not in message
    assert len(message) < 200  # a long value is shown only in part
    assert await counts(empty_graph) == {}


async def test_a_date_literal_that_is_not_one_is_refused_plainly(empty_graph: Graph) -> None:
    literal = 'mutation { partnerCreate(input: {key: "PD", name: "Dated", type: RESELLER, tier: GOLD, joinedOn: "2020-13-01"}) { partner { key } } }'
    answer = await ask(empty_graph, literal)
    assert answer.codes == ["BAD_USER_INPUT"], answer.errors
    assert "'2020-13-01' is not a date" in answer.errors[0]["message"]
    assert await counts(empty_graph) == {}


async def test_an_iso_date_is_taken_and_given_back(empty_graph: Graph) -> None:
    answer = await ask(empty_graph, CREATE, {"i": {**PARTNER, "joinedOn": "2024-02-29"}})
    assert answer.errors == []
    assert answer.data["partnerCreate"]["partner"]["joinedOn"] == "2024-02-29"
