"""Limits refuse a request before any database work, with QUERY_TOO_COMPLEX."""

from __future__ import annotations

from graphql import get_introspection_query
from support import ask

from graph.db import Graph
from resolvers.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS


def nested(depth: int) -> str:
    """A query `depth` fields deep: partner, then subPartners/nodes pairs, then key."""
    body = "key"
    levels = 1
    while levels + 2 <= depth - 1:
        body = f"subPartners(first: 1) {{ nodes {{ {body} }} }}"
        levels += 2
    if levels + 1 <= depth - 1:
        body = f"parents {{ {body} }}"
        levels += 1
    return f'{{ partner(key: "P1") {{ {body} }} }}'


async def test_depth_at_the_limit_runs_and_beyond_it_is_refused(graph: Graph) -> None:
    assert (await ask(graph, nested(MAX_DEPTH))).codes == []
    refused = await ask(graph, nested(MAX_DEPTH + 1))
    assert refused.codes == ["QUERY_TOO_COMPLEX"]
    assert refused.round_trips == 0


async def test_too_many_aliases(graph: Graph) -> None:
    fields = " ".join(f'a{i}: partner(key: "P{i}") {{ key }}' for i in range(MAX_ALIASES + 1))
    refused = await ask(graph, f"{{ {fields} }}")
    assert refused.codes == ["QUERY_TOO_COMPLEX"]
    assert refused.round_trips == 0


async def test_an_expensive_query_is_refused_and_a_variable_page_size_counts(graph: Graph) -> None:
    query = """query($n: Int) { partners(first: $n) { nodes { accounts(first: 100) { nodes {
        customer { partners(first: 100) { nodes { status } } } } } } } }"""
    refused = await ask(graph, query, {"n": 100})
    assert refused.codes == ["QUERY_TOO_COMPLEX"]
    assert "limit" in refused.errors[0]["message"]
    assert refused.round_trips == 0
    assert (await ask(graph, query, {"n": 1})).codes == []


async def test_too_many_tokens(graph: Graph) -> None:
    fields = " ".join("key" for _ in range(MAX_TOKENS))
    refused = await ask(graph, f'{{ partner(key: "P1") {{ {fields} }} }}')
    assert refused.codes == ["QUERY_TOO_COMPLEX"]


async def test_introspection_is_not_limited(graph: Graph) -> None:
    answer = await ask(graph, get_introspection_query())
    assert answer.codes == []
    assert answer.round_trips == 0
