"""A small hand-made ecosystem full of reach's awkward corners, and the oracle over it.

    P1 ← P2 ← P3 ← P4       P3 sits under both P1 (one level) and P2 (two levels below P1)
    P1 ← P3                 P5 alone, P6 with no accounts
Customers with commas, quotes and unicode in their names, and one without industry or region.
Campaigns: KE (no participants), KN (targets match nothing), KA (P1, P5), KB (P5, P6), KD (P2,
P3: they reach customers together). P5 grants P1 ACCOUNT_LIST, P4 grants P1 OVERLAP_COUNTS only.
"""

from __future__ import annotations

from pathlib import Path

from support import wipe, write_csv

from graph.db import Graph
from graph.ingest.load import import_bundle

PARTNER = ["RESELLER", "GOLD", "", "", "", "", ""]
CUSTOMERS = [
    ["C1", "Acme, Inc.", "", "Retail", "EMEA", ""],
    ["C2", 'The "Quoted" Co', "", "Finance", "NA", ""],
    ["C3", "Zürich Ünïcode 株式会社", "", "Finance", "EMEA", ""],
    ["C4", "No Segment", "", "", "", ""],
    ["C5", "Five", "", "Retail", "APAC", ""],
    ["C6", "Six", "", "Energy", "NA", ""],
    ["C7", "Seven", "", "Retail", "EMEA", ""],
]
ACCOUNTS = [
    ["P1", "C1", "CUSTOMER"],
    ["P2", "C2", "OPPORTUNITY"],
    ["P3", "C3", "PROSPECT"],
    ["P3", "C1", "CUSTOMER"],
    ["P4", "C4", "CUSTOMER"],
    ["P4", "C6", "PROSPECT"],
    ["P5", "C1", "OPPORTUNITY"],
    ["P5", "C5", "CUSTOMER"],
    ["P5", "C7", "CUSTOMER"],
]


def write_cases(folder: Path) -> None:
    write_csv(folder, "partners.csv", [[f"P{i}", f"Partner {i}", *PARTNER] for i in range(1, 7)])
    write_csv(
        folder,
        "sub_partners.csv",
        [["P2", "P1", "", ""], ["P3", "P2", "", ""], ["P3", "P1", "", ""], ["P4", "P3", "", ""]],
    )
    write_csv(folder, "customers.csv", CUSTOMERS)
    write_csv(folder, "accounts.csv", [[*row, "", ""] for row in ACCOUNTS])
    write_csv(
        folder,
        "agreements.csv",
        [
            ["A1", "P5", "P1", "ACCOUNT_LIST", "2020-01-01", "", "ACTIVE"],
            ["A2", "P4", "P1", "OVERLAP_COUNTS", "2020-01-01", "", "ACTIVE"],
        ],
    )
    campaign = ["2026-01-01", "", "", ""]
    write_csv(
        folder,
        "campaigns.csv",
        [
            ["KE", "Empty", *campaign, "", ""],
            ["KN", "Nothing", *campaign, "Aerospace", ""],
            ["KA", "All", *campaign, "", ""],
            ["KB", "B", *campaign, "Retail;Energy", "EMEA;APAC"],
            ["KD", "D", *campaign, "", ""],
        ],
    )
    write_csv(
        folder,
        "campaign_partners.csv",
        [
            ["KN", "P1", "", ""],
            ["KA", "P1", "", ""],
            ["KA", "P5", "", ""],
            ["KB", "P5", "", ""],
            ["KB", "P6", "", ""],
            ["KD", "P2", "", ""],
            ["KD", "P3", "", ""],
        ],
    )


async def load_cases(graph: Graph, folder: Path) -> None:
    await wipe(graph)
    write_cases(folder)
    result = await import_bundle(graph, folder)
    assert result.validation.ok, [str(error) for error in result.validation.errors[:5]]
