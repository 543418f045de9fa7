"""The README's worked example of a co-selling plan, its progress and the impact table: its
query, asked of the ecosystem the example describes, answers exactly the JSON the README shows,
and `export-impact` writes the same table."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support import ask, wipe, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "**A worked example: a plan, its progress, and who moved the revenue.**"


def example() -> tuple[str, dict[str, object]]:
    """The example's GraphQL query and the JSON the README says it answers."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    query = re.search(r"```graphql\n(.*?)```", section, re.S)
    answer = re.search(r"```json\n(.*?)```", section, re.S)
    assert query and answer
    return query.group(1), json.loads(answer.group(1))


def bundle(folder: Path) -> Path:
    """The ecosystem the example describes."""
    write_csv(
        folder,
        "partners.csv",
        [
            [
                "NORTHWIND",
                "Northwind Distribution",
                "DISTRIBUTOR",
                "GOLD",
                "EMEA",
                "DE",
                "",
                "",
                "",
            ],
            ["ALPHA", "Alpha Systems", "RESELLER", "SILVER", "EMEA", "DE", "", "", ""],
            ["BRAVO", "Bravo IT", "RESELLER", "REGISTERED", "EMEA", "AT", "", "", ""],
            [
                "CONTOSO",
                "Contoso Consulting",
                "SYSTEM_INTEGRATOR",
                "GOLD",
                "EMEA",
                "FR",
                "",
                "",
                "",
            ],
            ["FABRIKAM", "Fabrikam Cloud", "MSP", "SILVER", "EMEA", "NL", "", "", ""],
        ],
    )
    write_csv(
        folder, "sub_partners.csv", [["ALPHA", "NORTHWIND", "", ""], ["BRAVO", "NORTHWIND", "", ""]]
    )
    write_csv(
        folder,
        "customers.csv",
        [
            ["HANSA", "Hansa Retail", "", "Retail", "EMEA", ""],
            ["LUMEN", "Lumen Health", "", "Health", "EMEA", ""],
            ["ORBIT", "Orbit Logistics", "", "Logistics", "EMEA", ""],
            ["POLAR", "Polar Foods", "", "Retail", "EMEA", ""],
        ],
    )
    write_csv(
        folder,
        "accounts.csv",
        [
            ["CONTOSO", "HANSA", "CUSTOMER", "2025-06-01", ""],
            ["FABRIKAM", "HANSA", "OPPORTUNITY", "2026-04-01", ""],
            ["FABRIKAM", "LUMEN", "CUSTOMER", "2025-01-15", ""],
            ["CONTOSO", "POLAR", "PROSPECT", "2025-09-01", ""],
            ["ALPHA", "HANSA", "CUSTOMER", "2025-03-01", ""],
        ],
    )
    write_csv(
        folder,
        "campaigns.csv",
        [
            [
                "SPRING",
                "Spring Retail Push",
                "2026-02-01",
                "2026-04-30",
                "EVENT",
                "40000",
                "Retail",
                "",
            ]
        ],
    )
    write_csv(folder, "campaign_partners.csv", [["SPRING", "CONTOSO", "LEAD", "20000"]])
    write_csv(
        folder,
        "deals.csv",
        [
            [
                "D1",
                "ALPHA",
                "HANSA",
                "300000",
                "",
                "WON",
                "2026-03-01",
                "2026-05-30",
                "2026-04-15",
                "",
            ],
            ["D2", "BRAVO", "LUMEN", "200000", "", "APPROVED", "2026-05-01", "2026-07-30", "", ""],
            [
                "D3",
                "CONTOSO",
                "POLAR",
                "150000",
                "",
                "WON",
                "2026-02-10",
                "2026-05-11",
                "2026-03-20",
                "",
            ],
            [
                "D4",
                "BRAVO",
                "ORBIT",
                "80000",
                "",
                "LOST",
                "2026-02-01",
                "2026-05-02",
                "2026-04-01",
                "",
            ],
            [
                "D5",
                "ALPHA",
                "POLAR",
                "120000",
                "",
                "LOST",
                "2026-01-05",
                "2026-04-05",
                "2026-03-01",
                "",
            ],
            [
                "D6",
                "ALPHA",
                "LUMEN",
                "90000",
                "",
                "LOST",
                "2026-02-15",
                "2026-05-16",
                "2026-05-10",
                "",
            ],
        ],
    )
    write_csv(
        folder,
        "cosell_plans.csv",
        [
            [
                "NW-2026",
                "Northwind & Contoso 2026",
                "2026-01-01",
                "2026-12-31",
                "1000000",
                "8",
                "Retail;Health",
                "EMEA",
            ]
        ],
    )
    write_csv(
        folder,
        "cosell_plan_partners.csv",
        [
            ["NW-2026", "NORTHWIND", "reseller recruitment;deal registration", "25000"],
            ["NW-2026", "CONTOSO", "field marketing;technical pre-sales", "15000"],
        ],
    )
    write_csv(folder, "cosell_plan_campaigns.csv", [["NW-2026", "SPRING"]])
    return folder


async def test_the_readme_example_answers_as_the_readme_says(
    empty_graph: Graph, tmp_path: Path
) -> None:
    await wipe(empty_graph)
    result = await import_bundle(empty_graph, bundle(tmp_path))
    assert result.validation.ok, [str(error) for error in result.validation.errors]
    query, expected = example()
    answer = await ask(empty_graph, query)
    assert not answer.errors, answer.errors
    assert answer.data == expected
    influencers = await ask(empty_graph, '{ deal(key: "D1") { influencedBy { key } } }')
    assert influencers.data == {"deal": {"influencedBy": [{"key": "CONTOSO"}]}}
