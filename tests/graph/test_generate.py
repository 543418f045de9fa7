"""The synthetic bundle generator: deterministic, and every cell valid against the bundle spec."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph.ingest.generate import PRESETS, Preset, generate
from graph.ingest.spec import FILES, FileSpec, amount, share, strength
from graph.model import AgreementStatus, DealStatus, PartnerType, Tier

TODAY = date(2026, 6, 1)
DECIMALS = re.compile(r"\d+(\.\d{1,3})?")
Rows = dict[str, list[dict[str, Any]]]


def _bytes(folder: Path) -> dict[str, bytes]:
    return {spec.name: (folder / spec.name).read_bytes() for spec in FILES}


def _parse(spec: FileSpec, cells: list[str]) -> dict[str, Any]:
    assert len(cells) == len(spec.columns), f"{spec.name}: {cells}"
    row: dict[str, Any] = {}
    for column, cell in zip(spec.columns, cells, strict=True):
        if cell == "":
            assert not column.required, f"{spec.name}.{column.name} is empty"
            row[column.prop] = None
            continue
        if column.parse in (strength, share, amount):
            assert DECIMALS.fullmatch(cell), f"{spec.name}.{column.name}: {cell!r}"
        row[column.prop] = column.parse(cell)
    return row


def _load(folder: Path) -> Rows:
    """Every row of every file, parsed and checked as the spec says; references resolved."""
    rows: Rows = {}
    keys: dict[str, set[str]] = {}
    for spec in FILES:
        data = (folder / spec.name).read_bytes()
        assert b"\r" not in data
        with (folder / spec.name).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            assert next(reader) == spec.header
            parsed = [_parse(spec, cells) for cells in reader]
        identities = [tuple(row[prop] for prop in spec.identity) for row in parsed]
        assert len(set(identities)) == len(identities), f"{spec.name}: identity repeated"
        for row in parsed:
            assert list(spec.check(row)) == [], f"{spec.name}: {row}"
            for column in spec.refs:
                assert row[column.prop] in keys[str(column.ref)], f"{spec.name}: {row}"
            spec.finish(row)
        if spec.label:
            keys[spec.label] = {row["key"] for row in parsed}
        rows[spec.name] = parsed
    return rows


def _acyclic(edges: list[tuple[str, str]]) -> bool:
    parents: dict[str, list[str]] = defaultdict(list)
    for child, parent in edges:
        parents[child].append(parent)
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return False
        if state.get(node) == 2:
            return True
        state[node] = 1
        fine = all(visit(parent) for parent in parents[node])
        state[node] = 2
        return fine

    return all(visit(child) for child in list(parents))


def _validity(row: dict[str, Any]) -> str:
    if row["status"] == AgreementStatus.REVOKED.value:
        return "revoked"
    if row["validTo"] is not None and row["validTo"] < TODAY:
        return "expired"
    if row["validFrom"] > TODAY:
        return "not_yet_valid"
    return "open_ended" if row["validTo"] is None else "in_force"


def _collisions(deals: list[dict[str, Any]]) -> int:
    live = [deal for deal in deals if deal["status"] in ("PENDING", "APPROVED")]
    by_customer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for deal in live:
        by_customer[deal["customer"]].append(deal)
    found = 0
    for group in by_customer.values():
        for i, one in enumerate(group):
            for other in group[i + 1 :]:
                if one["partner"] == other["partner"]:
                    continue
                one_end, other_end = one["expiresOn"] or date.max, other["expiresOn"] or date.max
                if one["registeredOn"] <= other_end and other["registeredOn"] <= one_end:
                    found += 1
    return found


@pytest.fixture(scope="module", params=[1, 7, 2026])
def tiny(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rows:
    folder = tmp_path_factory.mktemp(f"tiny-{request.param}")
    written = generate("tiny", request.param, folder)
    rows = _load(folder)
    assert written == {name: len(found) for name, found in rows.items()}
    return rows


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate("tiny", 42, tmp_path / "a")
    generate("tiny", 42, tmp_path / "b")
    generate("tiny", 43, tmp_path / "c")
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


def test_today_moves_the_dates_only_when_asked(tmp_path: Path) -> None:
    generate("tiny", 5, tmp_path / "a")
    generate("tiny", 5, tmp_path / "b", today=TODAY)
    generate("tiny", 5, tmp_path / "c", today=date(2030, 1, 1))
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


def test_presets() -> None:
    assert [(p.partners, p.customers) for p in PRESETS.values()] == [
        (50, 500), (1_000, 50_000), (10_000, 1_000_000), (100_000, 10_000_000),
    ]  # fmt: skip
    with pytest.raises(ValueError):
        Preset(partners=1, customers=10)


def test_every_cell_is_valid(tiny: Rows) -> None:
    assert all(tiny[spec.name] for spec in FILES)
    edges = [(row["child"], row["parent"]) for row in tiny["sub_partners.csv"]]
    assert _acyclic(edges)


def test_keys_are_readable(tiny: Rows) -> None:
    assert tiny["partners.csv"][0]["key"] == "P01"
    assert tiny["customers.csv"][0]["key"] == "C001"
    assert all(re.fullmatch(r"D\d{3}", row["key"]) for row in tiny["deals.csv"])


def test_awkward_names_survive_the_round_trip(tiny: Rows) -> None:
    for name in ("partners.csv", "customers.csv"):
        names = {row["name"] for row in tiny[name]}
        assert 'Smith, Jones & "Partners"' in names
        assert len([n for n in names if not n.isascii()]) >= 3
        assert len([n for n in names if "," in n]) >= 2


def test_some_optional_cells_are_empty(tiny: Rows) -> None:
    assert any(row["since"] is None for row in tiny["accounts.csv"])
    assert any(row["domain"] is None for row in tiny["customers.csv"])
    assert any(row["region"] is None for row in tiny["partners.csv"] + tiny["customers.csv"])


def test_account_shape(tiny: Rows) -> None:
    per_partner = Counter(row["partner"] for row in tiny["accounts.csv"])
    partners = [row["key"] for row in tiny["partners.csv"]]
    assert any(per_partner[key] == 0 for key in partners)
    assert max(per_partner.values()) > 5 * sorted(per_partner.values())[len(per_partner) // 2]
    assert 1_500 < sum(per_partner.values()) < 3_500
    statuses = Counter(row["status"] for row in tiny["accounts.csv"])
    assert statuses["CUSTOMER"] > statuses["OPPORTUNITY"] > statuses["PROSPECT"]


def test_partner_types_and_the_distributor_trees(tiny: Rows) -> None:
    types = {row["key"]: row["type"] for row in tiny["partners.csv"]}
    assert set(types.values()) == {kind.value for kind in PartnerType}
    parents: dict[str, list[str]] = defaultdict(list)
    for row in tiny["sub_partners.csv"]:
        parents[row["child"]].append(row["parent"])
    two_parents = [child for child, found in parents.items() if len(found) == 2]
    assert any(types[child] == PartnerType.RESELLER.value for child in two_parents)
    assert len(parents) < len(types)
    assert all(types[child] != PartnerType.DISTRIBUTOR.value for child in parents)


def test_every_agreement_validity_is_present(tiny: Rows) -> None:
    agreements = tiny["agreements.csv"]
    cases = {_validity(row) for row in agreements}
    assert cases == {"in_force", "expired", "not_yet_valid", "open_ended", "revoked"}
    assert {";".join(row["scopes"]) for row in agreements} == {
        "OVERLAP_COUNTS", "ACCOUNT_LIST", "OVERLAP_COUNTS;ACCOUNT_LIST",
    }  # fmt: skip


def test_deals_have_every_status_and_some_collide(tiny: Rows) -> None:
    deals = tiny["deals.csv"]
    assert {row["status"] for row in deals} == {status.value for status in DealStatus}
    assert _collisions(deals) >= 1
    accounts = {(row["partner"], row["customer"]) for row in tiny["accounts.csv"]}
    owned = sum((row["partner"], row["customer"]) in accounts for row in deals)
    assert owned > len(deals) / 2


def test_solutions_and_campaigns(tiny: Rows) -> None:
    teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in tiny["solution_partners.csv"]:
        teams[row["solution"]].append(row)
    for team in teams.values():
        assert 2 <= len(team) <= 4
        assert [row["role"] for row in team].count("LEAD") == 1
        assert sum(row["share"] for row in team) == pytest.approx(1.0, abs=0.01)
    campaigns = tiny["campaigns.csv"]
    assert any(not row["targetIndustries"] for row in campaigns)
    assert any(row["targetIndustries"] and row["targetRegions"] for row in campaigns)
    crews = Counter(row["campaign"] for row in tiny["campaign_partners.csv"])
    assert all(2 <= size <= 15 for size in crews.values())


def test_closed_deals_are_closed_in_their_time_and_some_won_ones_carry_a_margin(
    tiny: Rows,
) -> None:
    deals = tiny["deals.csv"]
    for row in deals:
        closed, margin = row["closedOn"], row["margin"]
        if row["status"] not in ("WON", "LOST"):
            assert (closed, margin) == (None, None), row
            continue
        if closed is not None:
            assert row["registeredOn"] <= closed <= TODAY, row
            if row["status"] == "WON" and row["expiresOn"] is not None:
                assert closed <= row["expiresOn"], row  # won within its window
        if row["status"] == "LOST":
            assert margin is None, row
    won = [row for row in deals if row["status"] == "WON"]
    assert any(row["margin"] is not None for row in won)
    assert any(row["margin"] is None for row in won)
    assert [row["tier"] for row in tiny["program_tiers.csv"]] == [t.value for t in Tier]


def test_about_one_closed_deal_in_twenty_has_no_day(tmp_path: Path) -> None:
    generate(Preset(partners=400, customers=4_000), 5, tmp_path)
    with (tmp_path / "deals.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    closed = [row for row in rows if row["status"] in ("WON", "LOST")]
    undated = sum(not row["closed_on"] for row in closed)
    assert len(closed) > 200
    assert 0.02 < undated / len(closed) < 0.09, (undated, len(closed))
