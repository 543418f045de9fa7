"""The ecosystem bundle: its files, their columns, and how each cell is read and checked.

A bundle is a folder of UTF-8 CSV files with a header row; list cells are `;`-separated and
dates ISO (YYYY-MM-DD). Only partners.csv is required. Each row becomes a dict keyed by the
graph's property names (plus the keys of the nodes it joins), ready to be sent as a parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from graph.model import (
    ACCOUNT_STRENGTH,
    CO_CREATED_STRENGTH,
    LINK_STRENGTH,
    LINK_TYPES,
    SUB_PARTNER_STRENGTH,
    AccountStatus,
    AgreementScope,
    AgreementStatus,
    DealStatus,
    LinkKind,
    PartnerType,
    SolutionRole,
    Stage,
    Tier,
)
from graph.plans import plan_problems

Parse = Callable[[str], Any]
Row = dict[str, Any]
Problem = tuple[str, str]  # (column, reason)

# What Neo4j, its indexes and the API refuse, refused here first so that a checked bundle is
# written whole. Neo4j's indexes refuse a value over about 8 kB of UTF-8; 1,000 characters are
# at most 4,000 bytes (lowered ones too, for the name indexes), so counting characters is enough.
MAX_TEXT = 1_000  # characters in a cell (a list's items and separators together)
MAX_ITEMS = 100  # items in a list cell
MAX_INTEGER = 2**63 - 1  # Neo4j's integers are 64 bits
SHOWN = 40  # characters of a refused value quoted in its reason

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# C0 controls but tab, line feed and carriage return (a quoted cell may hold lines), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE = re.compile(r"[\t\n\r]")


def shown(value: str) -> str:
    return repr(value if len(value) <= SHOWN else value[:SHOWN] + "…")


def text(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise ValueError(f"{len(value):,} characters; the most a cell holds is {MAX_TEXT:,}")
    # isprintable() is false for every control character (and for some spaces): a fast pass.
    if not value.isprintable() and (found := _CONTROL.search(value)):
        raise ValueError(f"holds the control character U+{ord(found.group()):04X}")
    return value


def key_text(value: str) -> str:
    """A key is one line of text: it is looked up by the API, which refuses tabs and line breaks
    (every control character) in it."""
    value = text(value)
    if not value.isprintable() and (found := _LINE.search(value)):
        raise ValueError(f"a key holds no tab or line break (U+{ord(found.group()):04X})")
    return value


def iso_date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise ValueError(f"{shown(value)} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date of the calendar") from None


def enum_of(kind: type[Enum], aliases: dict[str, str] | None = None) -> Parse:
    """One of `kind`'s values, in any case; `aliases` maps other accepted names to values."""
    allowed = {member.value: member.value for member in kind}
    listing = ", ".join(allowed)
    if aliases:
        listing += f" (or {', '.join(aliases)})"
        allowed.update(aliases)

    def parse(value: str) -> str:
        found = allowed.get(value.upper())
        if found is None:
            raise ValueError(f"{shown(value)} is not one of {listing}")
        return found

    return parse


def list_of(item: Parse) -> Parse:
    def parse(value: str) -> list[Any]:
        if len(value) > MAX_TEXT:  # the list as a whole, as a text cell
            raise ValueError(f"{len(value):,} characters; the most a cell holds is {MAX_TEXT:,}")
        items = [item(part) for part in (part.strip() for part in value.split(";")) if part]
        if len(items) > MAX_ITEMS:
            raise ValueError(f"{len(items):,} items; the most a list holds is {MAX_ITEMS}")
        return items

    return parse


def texts_once(value: str) -> list[str]:
    """A list of texts once each, in the file's order, as the API keeps a tier's benefits and a
    plan member's responsibilities."""
    return list(dict.fromkeys(list_of(text)(value)))


def scopes(value: str) -> list[str]:
    """Agreement scopes once each (in the file's order), as the API keeps them once each."""
    return list(dict.fromkeys(list_of(enum_of(AgreementScope))(value)))


def _number(value: str, kind: Callable[[str], Any], what: str) -> Any:
    # Plain decimals only: Python would also read '1_000', 'inf' or Arabic-Indic digits.
    if not (_INTEGER if kind is int else _DECIMAL).fullmatch(value):
        raise ValueError(f"{shown(value)} is not {what}")
    try:
        number = kind(value)
    except ValueError:  # an integer of more than 4,300 digits
        raise ValueError(f"{shown(value)} is beyond the largest, {MAX_INTEGER:,}") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{shown(value)} is not a finite number")
    if isinstance(number, int) and abs(number) > MAX_INTEGER:
        raise ValueError(f"{shown(value)} is beyond the largest, {MAX_INTEGER:,}")
    return number


def strength(value: str) -> float:
    number = _number(value, float, "a number")
    if not 0.0 < number <= 1.0:
        raise ValueError(f"strength {value} is outside (0, 1]")
    return float(number)


def share(value: str) -> float:
    number = _number(value, float, "a number")
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"share {value} is outside [0, 1]")
    return float(number)


def amount(value: str) -> float:
    number = _number(value, float, "a number")
    if number < 0:
        raise ValueError(f"{value} is negative")
    return float(number)


def target_amount(value: str) -> float:
    number = amount(value)
    if number == 0:
        raise ValueError("a target is above zero")
    return number


def margin(value: str) -> float:
    number = _number(value, float, "a number")
    if not 0.0 <= number < 1.0:
        raise ValueError(f"margin {value} is outside [0, 1)")
    return float(number)


def count(value: str) -> int:
    number = _number(value, int, "a whole number")
    if number < 0:
        raise ValueError(f"{value} is negative")
    return int(number)


@dataclass(frozen=True)
class Column:
    name: str  # as in the CSV header
    prop: str  # as in the graph (or the row's parameter name)
    parse: Parse = text
    required: bool = False
    ref: str | None = None  # the label whose key this column holds
    many: bool = False  # a `;`-separated list: an empty cell is an empty list
    # An empty cell takes a default (`FileSpec.finish`); a column left out keeps what the graph
    # holds, and a new node or relationship takes the default.
    defaulted: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    identity: tuple[str, ...]  # props that identify a row: the key, or the ends (and kind)
    label: str | None = None  # set for files of nodes
    check: Callable[[Row], Iterable[Problem]] = field(default=lambda row: ())
    finish: Callable[[Row], None] = field(default=lambda row: None)

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def identity_columns(self) -> list[str]:
        names = {column.prop: column.name for column in self.columns}
        return [names[prop] for prop in self.identity]

    @property
    def refs(self) -> list[Column]:
        return [column for column in self.columns if column.ref]


def _ordered(
    first: str, last: str, first_col: str, last_col: str
) -> Callable[[Row], list[Problem]]:
    def check(row: Row) -> list[Problem]:
        start, end = row.get(first), row.get(last)
        if start is not None and end is not None and end < start:
            return [(last_col, f"{end} is before {first_col} {start}")]
        return []

    return check


def _distinct(a: str, b: str, b_col: str, what: str) -> Callable[[Row], list[Problem]]:
    def check(row: Row) -> list[Problem]:
        return [(b_col, what)] if row.get(a) is not None and row.get(a) == row.get(b) else []

    return check


def _both(*checks: Callable[[Row], list[Problem]]) -> Callable[[Row], list[Problem]]:
    return lambda row: [problem for check in checks for problem in check(row)]


def _default(prop: str, value: Callable[[Row], float]) -> Callable[[Row], None]:
    def finish(row: Row) -> None:
        if row.get(prop) is None:
            row[prop] = value(row)

    return finish


def _closing(row: Row) -> list[Problem]:
    """Only a closed deal (WON or LOST) has closed_on, and only a WON one a margin: on another,
    the cell would say something the deal's status denies."""
    status, problems = row.get("status"), []
    if row.get("closedOn") is not None and status not in CLOSED:
        problems.append(("closed_on", f"a {status} deal is not closed (only WON or LOST ones are)"))
    if row.get("margin") is not None and status != DealStatus.WON:
        problems.append(("margin", f"a {status} deal earns no margin (only WON ones do)"))
    return problems


def _plan(row: Row) -> list[Problem]:
    """A plan's dates as the API checks them (graph.plans): ordered, and not too far apart."""
    columns = {"endsOn": "ends_on"}
    return [(columns[field], reason) for field, reason in plan_problems(row) if field in columns]


def _non_empty_scopes(row: Row) -> list[Problem]:
    return [("scopes", "at least one scope is needed")] if row.get("scopes") == [] else []


CLOSED = (DealStatus.WON, DealStatus.LOST)

# A partner link's kind may also be named by its relationship type, as the API names it.
LINK_ALIASES = {relationship: kind.value for kind, relationship in LINK_TYPES.items()}


def _key(name: str = "key", prop: str = "key", ref: str | None = None) -> Column:
    return Column(name, prop, key_text, required=True, ref=ref)


# The partner program, one row a tier (graph.program); the program the bundle leaves must not
# decrease up the tiers (graph.ingest.validate).
PROGRAM_TIERS = FileSpec(
    "program_tiers.csv",
    (
        Column("tier", "tier", enum_of(Tier), required=True),
        Column("min_sales", "minSales", amount, required=True),
        Column("min_won_deals", "minWonDeals", count, required=True),
        Column("margin", "margin", margin, required=True),
        Column("benefits", "benefits", texts_once, many=True),
    ),
    identity=("tier",),
)

PARTNERS = FileSpec(
    "partners.csv",
    (
        _key(),
        Column("name", "name", required=True),
        Column("type", "type", enum_of(PartnerType), required=True),
        Column("tier", "tier", enum_of(Tier), required=True),
        Column("region", "region"),
        Column("country", "country"),
        Column("industries", "industries", list_of(text), many=True),
        Column("stage", "stage", enum_of(Stage)),
        Column("joined_on", "joinedOn", iso_date),
    ),
    identity=("key",),
    label="Partner",
)

CUSTOMERS = FileSpec(
    "customers.csv",
    (
        _key(),
        Column("name", "name", required=True),
        Column("domain", "domain"),
        Column("industry", "industry"),
        Column("region", "region"),
        Column("employees", "employees", count),
    ),
    identity=("key",),
    label="Customer",
)

SOLUTIONS = FileSpec(
    "solutions.csv",
    (
        _key(),
        Column("name", "name", required=True),
        Column("industry", "industry"),
        Column("launched_on", "launchedOn", iso_date),
    ),
    identity=("key",),
    label="Solution",
)

CAMPAIGNS = FileSpec(
    "campaigns.csv",
    (
        _key(),
        Column("name", "name", required=True),
        Column("starts_on", "startsOn", iso_date, required=True),
        Column("ends_on", "endsOn", iso_date),
        Column("channel", "channel"),
        Column("budget", "budget", amount),
        Column("target_industries", "targetIndustries", list_of(text), many=True),
        Column("target_regions", "targetRegions", list_of(text), many=True),
    ),
    identity=("key",),
    label="Campaign",
    check=_ordered("startsOn", "endsOn", "starts_on", "ends_on"),
)

AGREEMENTS = FileSpec(
    "agreements.csv",
    (
        _key(),
        _key("grantor_key", "grantor", ref="Partner"),
        _key("grantee_key", "grantee", ref="Partner"),
        Column("scopes", "scopes", scopes, required=True, many=True),
        Column("valid_from", "validFrom", iso_date, required=True),
        Column("valid_to", "validTo", iso_date),
        Column("status", "status", enum_of(AgreementStatus), required=True),
    ),
    identity=("key",),
    label="Agreement",
    check=_both(
        _non_empty_scopes,
        _ordered("validFrom", "validTo", "valid_from", "valid_to"),
        _distinct("grantor", "grantee", "grantee_key", "a partner cannot grant to itself"),
    ),
)

DEALS = FileSpec(
    "deals.csv",
    (
        _key(),
        _key("partner_key", "partner", ref="Partner"),
        _key("customer_key", "customer", ref="Customer"),
        Column("amount", "amount", amount),
        Column("stage", "stage"),
        Column("status", "status", enum_of(DealStatus), required=True),
        Column("registered_on", "registeredOn", iso_date, required=True),
        Column("expires_on", "expiresOn", iso_date),
        Column("closed_on", "closedOn", iso_date),
        # An empty cell is "not given", never "remove": a WON deal keeps the margin it has, else
        # takes its partner's tier margin (graph.ingest.write).
        Column("margin", "margin", margin),
    ),
    identity=("key",),
    label="Deal",
    check=_both(
        _ordered("registeredOn", "expiresOn", "registered_on", "expires_on"),
        _ordered("registeredOn", "closedOn", "registered_on", "closed_on"),
        _closing,
    ),
)

SUB_PARTNERS = FileSpec(
    "sub_partners.csv",
    (
        _key("child_key", "child", ref="Partner"),
        _key("parent_key", "parent", ref="Partner"),
        Column("since", "since", iso_date),
        Column("strength", "strength", strength, defaulted=True),
    ),
    identity=("child", "parent"),
    check=_distinct("child", "parent", "parent_key", "a partner cannot be a sub-partner of itself"),
    finish=_default("strength", lambda row: SUB_PARTNER_STRENGTH),
)

ACCOUNTS = FileSpec(
    "accounts.csv",
    (
        _key("partner_key", "partner", ref="Partner"),
        _key("customer_key", "customer", ref="Customer"),
        Column("status", "status", enum_of(AccountStatus), required=True),
        Column("since", "since", iso_date),
        Column("strength", "strength", strength, defaulted=True),
    ),
    identity=("partner", "customer"),
    finish=_default("strength", lambda row: ACCOUNT_STRENGTH[AccountStatus(row["status"])]),
)

PARTNER_LINKS = FileSpec(
    "partner_links.csv",
    (
        _key("from_key", "source", ref="Partner"),
        _key("to_key", "target", ref="Partner"),
        Column("kind", "kind", enum_of(LinkKind, LINK_ALIASES), required=True),
        Column("strength", "strength", strength, defaulted=True),
        Column("since", "since", iso_date),
    ),
    identity=("source", "target", "kind"),
    check=_distinct("source", "target", "to_key", "a partner cannot link to itself"),
    finish=_default("strength", lambda row: LINK_STRENGTH[LinkKind(row["kind"])]),
)

SOLUTION_PARTNERS = FileSpec(
    "solution_partners.csv",
    (
        _key("solution_key", "solution", ref="Solution"),
        _key("partner_key", "partner", ref="Partner"),
        Column("role", "role", enum_of(SolutionRole), defaulted=True),
        Column("share", "share", share),
        Column("strength", "strength", strength, defaulted=True),
    ),
    identity=("solution", "partner"),
    finish=lambda row: row.update(
        role=row.get("role") or SolutionRole.CONTRIBUTOR.value,
        strength=row.get("strength") or CO_CREATED_STRENGTH,
    ),
)

CAMPAIGN_PARTNERS = FileSpec(
    "campaign_partners.csv",
    (
        _key("campaign_key", "campaign", ref="Campaign"),
        _key("partner_key", "partner", ref="Partner"),
        Column("role", "role"),
        Column("mdf", "mdf", amount),
    ),
    identity=("campaign", "partner"),
)

# Co-selling plans (graph.plans): a plan, its members, and the campaigns that promote it.
COSELL_PLANS = FileSpec(
    "cosell_plans.csv",
    (
        _key(),
        Column("name", "name", required=True),
        Column("starts_on", "startsOn", iso_date, required=True),
        Column("ends_on", "endsOn", iso_date, required=True),
        Column("target_amount", "targetAmount", target_amount, required=True),
        Column("target_deals", "targetDeals", count),
        # Never null on a plan: left out of a new plan's file, they are empty (every one).
        Column("target_industries", "targetIndustries", list_of(text), many=True, defaulted=True),
        Column("target_regions", "targetRegions", list_of(text), many=True, defaulted=True),
    ),
    identity=("key",),
    label="CoSellPlan",
    check=_plan,
    finish=lambda row: row.update(
        targetIndustries=row.get("targetIndustries") or [],
        targetRegions=row.get("targetRegions") or [],
    ),
)

COSELL_PLAN_PARTNERS = FileSpec(
    "cosell_plan_partners.csv",
    (
        _key("plan_key", "plan", ref="CoSellPlan"),
        _key("partner_key", "partner", ref="Partner"),
        Column("responsibilities", "responsibilities", texts_once, many=True),
        Column("mdf_committed", "mdfCommitted", amount),
    ),
    identity=("plan", "partner"),
)

COSELL_PLAN_CAMPAIGNS = FileSpec(
    "cosell_plan_campaigns.csv",
    (
        _key("plan_key", "plan", ref="CoSellPlan"),
        _key("campaign_key", "campaign", ref="Campaign"),
    ),
    identity=("plan", "campaign"),
)

# In the order they are checked and written: a file's references point only to earlier files.
FILES: tuple[FileSpec, ...] = (
    PROGRAM_TIERS,  # before deals: a WON deal takes its partner's tier margin under it
    PARTNERS,
    CUSTOMERS,
    SOLUTIONS,
    CAMPAIGNS,
    AGREEMENTS,
    DEALS,
    SUB_PARTNERS,
    ACCOUNTS,
    PARTNER_LINKS,
    SOLUTION_PARTNERS,
    CAMPAIGN_PARTNERS,
    COSELL_PLANS,
    COSELL_PLAN_PARTNERS,
    COSELL_PLAN_CAMPAIGNS,
)
BY_NAME = {spec.name: spec for spec in FILES}
LABEL_FILES = {spec.label: spec for spec in FILES if spec.label}
REQUIRED_FILES = ("partners.csv",)
