"""Every argument and input field refuses what it cannot hold — oversized or broken strings,
non-finite numbers, empty lists — as BAD_USER_INPUT naming the field, with nothing written.
The arguments are found by walking the schema (`schema_walk`), not listed by hand."""

from __future__ import annotations

from typing import Any

import pytest
from mutation_support import customer_id, partner_id
from schema_walk import Place, lists, named, places
from support import ask, dump

from graph.db import Graph
from resolvers.inputs import MAX_CURSOR, MAX_ID, MAX_TEXT

STRINGS = places(named("String", "ID"))
FLOATS = places(named("Float"))
LISTS = places(lists)
OVERSIZED = "x" * 40_000  # beyond every limit
BROKEN = {"lone surrogate": "a\ud800b", "NUL": "a\x00b", "oversized": OVERSIZED}


def test_the_walk_finds_the_arguments() -> None:
    found = {str(place) for place in STRINGS}
    assert {"customerCreate(input.name)", "partner(key)", "partners(after)"} <= found
    assert {"dealRegister(input.amount)", "campaignCreate(input.budget)"} <= {
        str(place) for place in FLOATS
    }
    assert "partners(filter.tier)" in {str(place) for place in LISTS}
    assert len(STRINGS) > 60 and len(LISTS) > 20


def refused(place: Place, answer: Any) -> str | None:
    """What is wrong with the answer: None when it is BAD_USER_INPUT naming the field."""
    if answer.codes != ["BAD_USER_INPUT"]:
        return f"{place}: {answer.errors}"
    if answer.errors[0]["extensions"].get("field") != place.field:
        return f"{place}: names {answer.errors[0]['extensions'].get('field')}, not {place.field}"
    return None


async def test_broken_strings_are_refused_everywhere(seeded: Graph) -> None:
    before = await dump(seeded)
    wrong = []
    for place in STRINGS:
        for what, value in BROKEN.items():
            query, variables = place.document(value)
            wrong.append(refused(place, await ask(seeded, query, variables)))
            if what != "lone surrogate":  # not even a literal: a syntax error
                query, variables = place.document(value, inline=True)
                wrong.append(refused(place, await ask(seeded, query, variables)))
    assert [problem for problem in wrong if problem] == []
    assert await dump(seeded) == before


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
async def test_non_finite_numbers_are_refused_everywhere(seeded: Graph, value: float) -> None:
    before = await dump(seeded)
    wrong = []
    for place in FLOATS:
        query, variables = place.document(value)
        wrong.append(refused(place, await ask(seeded, query, variables)))
        if value == value:  # NaN has no literal; 1e999 is Infinity
            query, variables = place.document(value, inline=True)
            wrong.append(refused(place, await ask(seeded, query, variables)))
    assert [problem for problem in wrong if problem] == []
    assert await dump(seeded) == before


async def test_empty_lists_are_refused_everywhere(seeded: Graph) -> None:
    before = await dump(seeded)
    wrong = []
    for place in LISTS:
        for inline in (False, True):
            query, variables = place.document([], inline=inline)
            wrong.append(refused(place, await ask(seeded, query, variables)))
    assert [problem for problem in wrong if problem] == []
    assert await dump(seeded) == before


async def test_a_literal_1e999_amount_is_not_stored(seeded: Graph) -> None:
    before = await dump(seeded)
    answer = await ask(
        seeded,
        f"""mutation {{ dealRegister(input: {{partner: "{partner_id("P1")}",
            customer: "{customer_id("C1")}", amount: 1e999}}) {{ deal {{ key }} }} }}""",
    )
    assert answer.codes == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["field"] == "input.amount"
    assert "input.amount" in answer.errors[0]["message"]
    assert await dump(seeded) == before


CREATE = """mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { key name } userErrors { field } } }"""


async def test_the_limits_are_where_the_readme_says(seeded: Graph) -> None:
    longest = "é" * MAX_TEXT
    answer = await ask(seeded, CREATE, {"input": {"key": "C-long", "name": longest}})
    assert answer.data["customerCreate"]["customer"]["name"] == longest
    answer = await ask(seeded, CREATE, {"input": {"key": "C-longer", "name": longest + "é"}})
    assert answer.codes == ["BAD_USER_INPUT"]
    assert f"{MAX_TEXT:,} characters" in answer.errors[0]["message"]
    tabbed = await ask(seeded, CREATE, {"input": {"key": "C-tab", "name": "a\tb"}})
    assert tabbed.errors[0]["extensions"]["field"] == "input.name"
    assert "U+0009" in tabbed.errors[0]["message"]
    assert MAX_TEXT < MAX_ID < MAX_CURSOR


async def test_a_long_cursor_is_a_cursor_not_a_long_text(seeded: Graph) -> None:
    """Cursors and ids carry names and keys: they have room for the longest ones."""
    cursor = "x" * (MAX_TEXT + 1)
    for query in (
        "query($after: String) { partners(after: $after) { totalCount } }",
        "query($page: String) { partners(after: $page) { totalCount } }",
    ):
        answer = await ask(seeded, query, {"after": cursor, "page": cursor})
        assert answer.codes == ["BAD_USER_INPUT"]
        assert "not a cursor of this list" in answer.errors[0]["message"]


async def test_a_list_of_more_than_a_thousand_items_is_refused_as_literal_and_variable(
    empty_graph: Graph,
) -> None:
    many = ", ".join(["GOLD"] * 1_001)
    literal = await ask(empty_graph, f"{{ partners(filter: {{tier: [{many}]}}) {{ totalCount }} }}")
    assert literal.codes == ["BAD_USER_INPUT"], literal.errors
    assert "filter.tier: give at most 1,000 values" in literal.errors[0]["message"]
    query = "query($t: [Tier!]) { partners(filter: {tier: $t}) { totalCount } }"
    variable = await ask(empty_graph, query, {"t": ["GOLD"] * 250_000})
    assert variable.codes == ["BAD_USER_INPUT"], variable.errors
    assert "filter.tier: give at most 1,000 values" in variable.errors[0]["message"]
    fits = await ask(empty_graph, query, {"t": ["GOLD"] * 1_000})
    assert fits.errors == [] and fits.data == {"partners": {"totalCount": 0}}
