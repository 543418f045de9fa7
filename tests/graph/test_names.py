"""Name search: `nameContains` is a case-insensitive CONTAINS over a lowered copy of each name,
which every write keeps in step, a text index answers, and the schema fills in for a graph
written before it existed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import ask, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle
from graph.listing import name_contains
from graph.schema import NAME_INDEXES, apply_schema
from resolvers.node import encode_id

PARTNERS = {"P1": "Dístri, Büro & Co", "P2": "ACME Corp", "P3": "株式会社 Acme"}
CUSTOMERS = {"C1": "Ünïcode, Ltd", "C2": 'The "Plain" One', "C3": "acme customer"}


async def found(graph: Graph, listing: str, needle: str) -> list[str]:
    query = f"""query($n: String!) {{ {listing}(first: 50, filter: {{nameContains: $n}}) {{
      totalCount nodes {{ key }} }} }}"""
    answer = await ask(graph, query, {"n": needle})
    assert not answer.errors, answer.errors
    keys = [node["key"] for node in answer.data[listing]["nodes"]]
    assert answer.data[listing]["totalCount"] == len(keys)
    return keys


async def load(graph: Graph, folder: Path) -> None:
    write_csv(
        folder,
        "partners.csv",
        [[k, name, "RESELLER", "GOLD", "", "", "", "", ""] for k, name in PARTNERS.items()],
    )
    write_csv(folder, "customers.csv", [[k, name, "", "", "", ""] for k, name in CUSTOMERS.items()])
    write_csv(folder, "solutions.csv", [["S1", "Acme Ünified Suite", "", ""]])
    write_csv(
        folder, "campaigns.csv", [["K1", "ACME Spring Push", "2026-01-01", "", "", "", "", ""]]
    )
    assert (await import_bundle(graph, folder)).validation.ok


@pytest.mark.parametrize(
    ("listing", "needle", "expected"),
    [
        ("partners", "büro", ["P1"]),
        ("partners", "ACME", ["P2", "P3"]),
        ("partners", "式会", ["P3"]),
        ("customers", "ÜNÏ", ["C1"]),
        ("customers", '"plain"', ["C2"]),
        ("customers", "acme", ["C3"]),
        ("customers", "nowhere", []),
        ("solutions", "ünified", ["S1"]),
        ("campaigns", "spring", ["K1"]),
    ],
)
async def test_imported_names_are_found_in_any_case(
    empty_graph: Graph, tmp_path: Path, listing: str, needle: str, expected: list[str]
) -> None:
    await load(empty_graph, tmp_path)
    assert await found(empty_graph, listing, needle) == expected


async def test_names_written_by_mutations_are_found_and_old_names_are_not(
    empty_graph: Graph, tmp_path: Path
) -> None:
    graph = empty_graph
    await load(graph, tmp_path)
    update = """mutation($input: PartnerUpdateInput!) { partnerUpdate(input: $input) {
      userErrors { code } } }"""
    changed = await ask(
        graph, update, {"input": {"partner": encode_id("Partner", "P2"), "name": "Zeta"}}
    )
    assert changed.data["partnerUpdate"]["userErrors"] == []
    assert await found(graph, "partners", "acme") == ["P3"]
    assert await found(graph, "partners", "ZET") == ["P2"]
    create = """mutation($input: CustomerCreateInput!) { customerCreate(input: $input) {
      userErrors { code } } }"""
    made = await ask(graph, create, {"input": {"key": "C4", "name": "Crème Brûlée SA"}})
    assert made.data["customerCreate"]["userErrors"] == []
    assert await found(graph, "customers", "BRÛLÉE") == ["C4"]


async def test_the_schema_fills_in_the_names_of_a_graph_written_before(
    empty_graph: Graph,
) -> None:
    graph = empty_graph
    await graph.write("DROP INDEX customer_name_lower IF EXISTS")
    await graph.write("CREATE (:Customer {key: 'old', name: 'Written Before'})")
    await apply_schema(graph)
    records = await graph.read("MATCH (c:Customer {key: 'old'}) RETURN c.nameLower AS lowered")
    assert records[0]["lowered"] == "written before"
    names = await graph.read("SHOW INDEXES YIELD name, type RETURN collect([name, type]) AS all")
    indexes: dict[str, Any] = dict(names[0]["all"])
    assert all(indexes.get(name) == "TEXT" for name in NAME_INDEXES.values())
    assert await found(graph, "customers", "BEFORE") == ["old"]


async def test_a_name_search_is_answered_by_the_text_index(empty_graph: Graph) -> None:
    query = f"EXPLAIN MATCH (c:Customer) WHERE {name_contains('c')} RETURN c"
    async with empty_graph.driver.session(database=empty_graph.database) as session:
        summary = await (await session.run(query, nameContains="x")).consume()
    assert "NodeIndexContainsScan" in str(summary.plan)
