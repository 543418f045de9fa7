"""One rule for every list argument and input field: a list is a set (a value listed twice counts
once, limits count distinct values), an empty list is refused in words that fit the argument,
and `nodes(ids:)` is the stated exception. The lists are found by walking the schema
(`schema_walk`), so a new one is held to the rule without anyone listing it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, get_nullable_type
from mutation_support import partner_id, seed
from neo4j.time import DateTime
from schema_walk import SEEDED, Place, dummy, lists, places
from support import ask, dump, wipe

from graph.db import Graph
from resolvers.node import encode_id

LISTS = places(lists)
OBJECT_LISTS = {"commonAccounts(members)", "solutionAddPartners(input.partners)"}
OBJECT_LISTS |= {"campaignAddPartners(input.partners)"}
PAYLOAD = "{ __typename userErrors { field message code } }"
GENERATED = re.compile(r"-[0-9a-f]{32}$")  # a key the API made up: new on every write


def _item(place: Place) -> Any:
    """A valid item of the list at the place (an id of a seeded node where it names one)."""
    inner = get_nullable_type(place.leaf)
    assert isinstance(inner, GraphQLList)
    name = next((str(step) for step in reversed(place.slot) if isinstance(step, str)), "")
    return dummy(inner.of_type, name or place.argument, place.path[-1][0])


def _document(place: Place, value: Any) -> tuple[str, dict[str, Any]]:
    query, variables = place.document(value)
    if place.operation == "mutation":  # what a mutation said about its input
        head, _, _ = query.rpartition("{ __typename }")
        query = head + PAYLOAD + " }"
    return query, variables


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return GENERATED.sub("-generated", value)
    if isinstance(value, DateTime):  # the moment a write was made (a tier change's `at`)
        return "moment"
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


async def _outcome(graph: Graph, place: Place, value: Any) -> tuple[Any, Any, Any]:
    """The answer and, for a mutation, the graph it leaves (from the same seeded start)."""
    if place.operation == "mutation":
        await wipe(graph)
        await seed(graph, SEEDED)
    answer = await ask(graph, *_document(place, value))
    after = await dump(graph) if place.operation == "mutation" else None
    return _masked(answer.data), answer.errors, _masked(after)


def test_the_walk_finds_the_lists() -> None:
    found = {str(place) for place in LISTS}
    assert {"nodes(ids)", "planReach(partners)", "partners(filter.tier)"} <= found
    assert found >= OBJECT_LISTS
    assert {"partnerCreate(input.industries)", "campaignRemovePartners(input.partners)"} <= found


async def test_a_value_listed_twice_counts_once_everywhere(seeded: Graph) -> None:
    """Every list but `nodes(ids:)` and the lists of input objects answers, and writes, the same
    for [v, v] as for [v]."""
    differs = []
    for place in LISTS:
        if str(place) == "nodes(ids)" or str(place) in OBJECT_LISTS:
            continue
        item = _item(place)
        once = await _outcome(seeded, place, [item])
        twice = await _outcome(seeded, place, [item, item])
        if once[1]:
            differs.append(f"{place}: {once[1]}")  # the dummy itself must be a good value
        elif twice != once:
            differs.append(f"{place}: {twice[1] or twice}")
    assert differs == []


async def test_an_empty_list_is_refused_in_words_that_fit_the_argument(seeded: Graph) -> None:
    """A required list is not told to be left out; an optional one is."""
    wrong = []
    for place in LISTS:
        required = isinstance(place.leaf, GraphQLNonNull)
        for inline in (False, True):
            query, variables = place.document([], inline=inline)
            answer = await ask(seeded, query, variables)
            message = answer.errors[0]["message"] if answer.errors else ""
            if answer.codes != ["BAD_USER_INPUT"] or not message.startswith(place.field + ": "):
                wrong.append(f"{place}: {answer.errors}")
            elif ("leave it out" in message) == required:
                wrong.append(f"{place} ({place.leaf}): {message}")
    assert wrong == []


async def test_nodes_answers_one_entry_per_id_duplicates_included(seeded: Graph) -> None:
    ids = [partner_id("P1"), partner_id("P2"), partner_id("P1"), encode_id("Partner", "nobody")]
    answer = await ask(seeded, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert answer.errors == []
    assert [node and node["id"] for node in answer.data["nodes"]] == [*ids[:3], None]
    empty = await ask(seeded, "{ nodes(ids: []) { id } }")
    assert empty.errors[0]["message"] == "ids: give at least one value"


MATRIX = """query($ps: [ID!]!) { overlapMatrix(partners: $ps) { partners { key } counts } }"""


async def test_a_matrix_keeps_the_first_place_of_a_partner_listed_twice(seeded: Graph) -> None:
    p1, p2 = partner_id("P1"), partner_id("P2")
    twice = await ask(seeded, MATRIX, {"ps": [p2, p1, p2, p1]})
    once = await ask(seeded, MATRIX, {"ps": [p2, p1]})
    assert twice.errors == [] and once.errors == []
    assert twice.data == once.data
    assert [p["key"] for p in twice.data["overlapMatrix"]["partners"]] == ["P2", "P1"]


async def test_an_unknown_partner_is_named_where_it_was_first_listed(seeded: Graph) -> None:
    nobody = encode_id("Partner", "nobody")
    answer = await ask(seeded, MATRIX, {"ps": [nobody, partner_id("P1"), nobody]})
    assert answer.codes == ["NOT_FOUND"]
    assert answer.errors[0]["extensions"]["field"] == "partners[0]"


# planReach and suggestPartners: 500 different partners at most, and 50 different targets.
MANY = """
UNWIND range(0, 509) AS i
CREATE (p:Partner {key: 'M' + i, name: 'Many ' + i, nameLower: 'many ' + i, type: 'RESELLER',
                   tier: 'GOLD'})
MERGE (c:Customer {key: 'MC' + (i % 37)})
  ON CREATE SET c.name = 'Customer ' + (i % 37), c.nameLower = 'customer ' + (i % 37),
                c.industry = CASE WHEN i % 2 = 0 THEN 'Retail' ELSE 'Energy' END
CREATE (p)-[:HAS_ACCOUNT {status: 'CUSTOMER', strength: 0.9}]->(c)
"""
PLAN = """query($ps: [ID!]!, $industries: [String!]) {
  planReach(partners: $ps, depth: 0, targetIndustries: $industries) {
    total participants { partner { key } reach } } }"""
SUGGEST = """query($ps: [ID!], $industries: [String!]) {
  suggestPartners(partners: $ps, first: 3, depth: 0, targetIndustries: $industries) {
    partner { key } addedReach } }"""


@pytest.fixture
async def many(empty_graph: Graph) -> AsyncIterator[Graph]:
    await empty_graph.write(MANY)
    yield empty_graph
    await wipe(empty_graph)


def _ids(numbers: range | list[int]) -> list[str]:
    return [partner_id(f"M{i}") for i in numbers]


async def test_a_plan_of_500_different_partners_with_repeats_counts_each_once(many: Graph) -> None:
    given = _ids(range(500)) + _ids(range(0, 500, 7))  # 72 repeats: 572 ids, 500 partners
    answer = await ask(many, PLAN, {"ps": given})
    assert answer.errors == []
    reach = answer.data["planReach"]
    assert sorted(p["partner"]["key"] for p in reach["participants"]) == sorted(
        f"M{i}" for i in range(500)
    )
    assert reach["total"] == len({i % 37 for i in range(500)})
    assert reach == (await ask(many, PLAN, {"ps": _ids(range(500))})).data["planReach"]
    over = await ask(many, PLAN, {"ps": _ids(range(501))})
    assert over.codes == ["BAD_USER_INPUT"]
    assert over.errors[0]["message"] == "partners: give at most 500 different partners, not 501"


async def test_suggestions_for_a_list_with_a_repeat_are_those_for_the_list(many: Graph) -> None:
    twice = await ask(many, SUGGEST, {"ps": _ids([0, 1, 0])})
    once = await ask(many, SUGGEST, {"ps": _ids([0, 1])})
    assert twice.errors == [] and once.errors == []
    assert twice.data == once.data and len(once.data["suggestPartners"]) == 3


@pytest.mark.parametrize(("query", "field"), [(PLAN, "planReach"), (SUGGEST, "suggestPartners")])
async def test_51_copies_of_one_industry_are_one_target(
    many: Graph, query: str, field: str
) -> None:
    copies = await ask(many, query, {"ps": _ids([0, 1]), "industries": ["Retail"] * 51})
    one = await ask(many, query, {"ps": _ids([0, 1]), "industries": ["Retail"]})
    assert copies.errors == [] and one.errors == []
    assert copies.data == one.data
    different = [f"I{i}" for i in range(51)]
    over = await ask(many, query, {"ps": _ids([0, 1]), "industries": different})
    assert over.codes == ["BAD_USER_INPUT"]
    assert over.errors[0]["extensions"]["field"] == "targetIndustries"
    assert "50 different values, not 51" in over.errors[0]["message"]
