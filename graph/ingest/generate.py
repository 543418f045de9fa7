"""A deterministic synthetic ecosystem bundle: every file of `spec.FILES`, at a preset size.

Rows are streamed to disk as they are drawn; only per-partner plans stay in memory. Each file
draws from its own `random.Random`, seeded from the seed and the file's name, so a seed always
gives the same bytes; dates are relative to `today`, never to the wall clock. The shape: heavy-
tailed account counts with a few empty partners, customers shared more within a region,
distributor trees three levels deep (some resellers with two parents), agreements in every
state of validity, and a few deals registered by two partners on one customer at once. Closed
deals (WON, LOST) are closed between their registration and `today` (a few without a day), some
WON ones with a margin of their own; the program is the default one. Co-selling plans are led
mostly by distributors, one not started yet and one ended.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import TypeVar

from graph.ingest.spec import BY_NAME, FILES
from graph.model import (
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
from graph.program import DEFAULT

T = TypeVar("T")
Cells = Sequence[object]
Key = Callable[[int], str]

TODAY = date(2026, 6, 1)

REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_WEIGHTS = (40, 30, 20, 10)
COUNTRIES = {
    "NA": ("US", "CA"),
    "EMEA": ("GB", "DE", "FR", "NL", "SE", "ES", "ZA", "AE"),
    "APAC": ("JP", "AU", "IN", "SG", "KR"),
    "LATAM": ("BR", "MX", "AR", "CL", "CO"),
}
INDUSTRIES = (
    "Finance", "Healthcare", "Retail", "Manufacturing", "Technology",
    "Energy", "Telecom", "Public Sector", "Education", "Media",
)  # fmt: skip
CHANNELS = ("EMAIL", "EVENT", "WEBINAR", "PAID_SOCIAL", "PAID_SEARCH", "CONTENT")
DEAL_STAGES = ("Qualify", "Develop", "Propose", "Negotiate", "Close")
TLDS = (".com", ".com", ".com", ".io", ".net", ".co", ".de", ".jp")
WORDS = (
    "Blue", "Northern", "Summit", "Apex", "Silver", "Bright", "Pacific", "Atlas", "Cedar",
    "Granite", "Harbor", "Nimbus", "Orion", "Quantum", "Redwood", "Vertex", "Zenith", "Iron",
    "Crystal", "Maple", "Falcon", "Lumen", "Meridian", "Sterling", "Tidal",
)  # fmt: skip
TRADES = (
    "Data", "Cloud", "Logic", "Networks", "Systems", "Works", "Labs", "Partners", "Solutions",
    "Digital", "Analytics", "Security", "Dynamics", "Software", "Consulting", "Health", "Foods",
    "Logistics", "Energy", "Retail",
)  # fmt: skip
LEGAL = ("Inc", "LLC", "Ltd", "Group", "Co", "GmbH", "SA", "AG", "", "")
AWKWARD = (
    "Müller & Söhne GmbH", "株式会社サンプル", "Ñandú Soluciones", 'Smith, Jones & "Partners"',
    "Øresund Data ApS", "O'Neil, Dupré & Cie", 'Zürich "Cloud" Analytics AG',
)  # fmt: skip

TIERS = tuple(Tier)
STAGES = tuple(Stage)
STAGE_WEIGHTS = [1] * len(STAGES)
TIER_WEIGHTS = (55, 27, 13, 5)
OTHER_TYPES = (
    PartnerType.RESELLER, PartnerType.SYSTEM_INTEGRATOR, PartnerType.TECHNOLOGY,
    PartnerType.MSP, PartnerType.REFERRAL, PartnerType.OEM,
)  # fmt: skip
OTHER_TYPE_WEIGHTS = (30, 20, 20, 15, 10, 5)
ACCOUNT_STATUSES = tuple(status.value for status in AccountStatus)
ACCOUNT_CUM_WEIGHTS = (50, 80, 100)
DEAL_STATUS_WEIGHTS = (20, 35, 10, 20, 15)
OPEN_DEALS = (DealStatus.PENDING, DealStatus.APPROVED)
CLOSED = (DealStatus.WON, DealStatus.LOST)
MARGINS = (0.05, 0.08, 0.12, 0.18, 0.22, 0.3)  # a WON deal's own margin, where it has one
SCOPES = (*(scope.value for scope in AgreementScope), ";".join(s.value for s in AgreementScope))
VALIDITY = ("in_force", "expired", "not_yet_valid", "open_ended", "revoked")
VALIDITY_WEIGHTS = (45, 15, 10, 20, 10)
FANOUT = ((2, 6), (0, 3), (0, 2))  # children per node at levels 1, 2 and 3


@dataclass(frozen=True)
class Preset:
    partners: int
    customers: int
    accounts_per_customer: float = 5.0
    deals_per_partner: int = 3
    most_accounts: int = 100_000  # the heavy tail stops at tens of thousands of accounts

    def __post_init__(self) -> None:
        if self.partners < 4 or self.customers < 1:
            raise ValueError("a bundle needs at least 4 partners and 1 customer")


PRESETS: dict[str, Preset] = {
    "tiny": Preset(partners=50, customers=500),
    "small": Preset(partners=1_000, customers=50_000),
    "medium": Preset(partners=10_000, customers=1_000_000),
    "large": Preset(partners=100_000, customers=10_000_000),
}


@dataclass(frozen=True)
class _World:
    size: Preset
    seed: int
    today: date
    partner: Key
    customer: Key

    def rng(self, section: str) -> random.Random:
        return random.Random(f"{self.seed}:{section}")

    def day(self, offset: int) -> str:
        return (self.today + timedelta(days=offset)).isoformat()


@dataclass(frozen=True)
class _Tree:
    levels: list[int]  # -1 for partners outside every tree
    edges: list[tuple[int, int]]  # (child, parent), always from a deeper to a shallower level


def _keys(prefix: str, count: int) -> Key:
    return f"{prefix}{{:0{len(str(count))}d}}".format


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _pick(rng: random.Random, index: int, values: Sequence[T], weights: Sequence[int]) -> T:
    """The index-th value for the first rows, so every value shows up, then a weighted draw."""
    return values[index] if index < len(values) else rng.choices(values, weights)[0]


def _maybe(rng: random.Random, value: str, empty: float = 0.03) -> str:
    return "" if rng.random() < empty else value


def _other(rng: random.Random, n: int, not_this: int) -> int:
    drawn = rng.randrange(n - 1)
    return drawn + (drawn >= not_this)


def _write(out: Path, name: str, rows: Iterable[Cells]) -> int:
    written = 0
    with (out / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(BY_NAME[name].header)
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def _namer(rng: random.Random, count: int) -> Callable[[int], str]:
    places = sorted(rng.sample(range(count), min(count, len(AWKWARD))))
    awkward = dict(zip(places, AWKWARD, strict=False))

    def name(index: int) -> str:
        found = awkward.get(index)
        if found is not None:
            return found
        return f"{rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(LEGAL)}".rstrip()

    return name


def _tree(rng: random.Random, n: int) -> _Tree:
    heads = max(2, round(n * 0.02))
    order = rng.sample(range(n), n)
    pool = iter(order[heads : heads + (n - heads) // 2])
    levels = [-1] * n
    by_level = [sorted(order[:heads])]
    edges: list[tuple[int, int]] = []
    for head in by_level[0]:
        levels[head] = 0
    for depth, (low, high) in enumerate(FANOUT, start=1):
        fresh: list[int] = []
        for parent in by_level[-1]:
            for child in [next(pool, None) for _ in range(rng.randint(low, high))]:
                if child is not None:
                    levels[child] = depth
                    edges.append((child, parent))
                    fresh.append(child)
        by_level.append(fresh)
    edges += _second_parents(rng, edges, levels, by_level)
    return _Tree(levels, sorted(edges))


def _second_parents(
    rng: random.Random, edges: list[tuple[int, int]], levels: list[int], by_level: list[list[int]]
) -> list[tuple[int, int]]:
    extra: list[tuple[int, int]] = []
    for child, parent in edges:
        if rng.random() < 0.1:
            second = rng.choice(by_level[rng.randrange(levels[child])])
            if second != parent:
                extra.append((child, second))
    if not extra and edges:
        child, parent = next(edge for edge in edges if levels[edge[0]] == 1)
        extra.append((child, next(head for head in by_level[0] if head != parent)))
    return extra


def _partner_rows(world: _World, tree: _Tree, regions: list[str]) -> Iterator[Cells]:
    rng = world.rng("partners")
    name = _namer(rng, world.size.partners)
    free = 0
    for index, region in enumerate(regions):
        if tree.levels[index] == 0:
            kind = PartnerType.DISTRIBUTOR
        elif tree.levels[index] > 0:
            kind = PartnerType.RESELLER
        else:
            kind = _pick(rng, free, OTHER_TYPES, OTHER_TYPE_WEIGHTS)
            free += 1
        country = _maybe(rng, rng.choice(COUNTRIES[region])) if region else ""
        industries = ";".join(rng.sample(INDUSTRIES, rng.randint(1, 3)))
        yield (
            world.partner(index + 1), name(index), kind.value,
            _pick(rng, index, TIERS, TIER_WEIGHTS).value, region, country,
            _maybe(rng, industries), _maybe(rng, _pick(rng, index, STAGES, STAGE_WEIGHTS).value),
            _maybe(rng, world.day(-rng.randint(30, 15 * 365))),
        )  # fmt: skip


def _region_blocks(customers: int) -> dict[str, tuple[int, int]]:
    ends = [customers * part // sum(REGION_WEIGHTS) for part in accumulate(REGION_WEIGHTS)]
    return dict(zip(REGIONS, zip([0, *ends], ends, strict=False), strict=True))


def _customer_rows(world: _World, blocks: dict[str, tuple[int, int]]) -> Iterator[Cells]:
    rng = world.rng("customers")
    name = _namer(rng, world.size.customers)
    for region, (low, high) in blocks.items():
        for index in range(low, high):
            key, label = world.customer(index + 1), name(index)
            slug = "".join(ch for ch in label.lower() if ch.isascii() and ch.isalnum())
            yield (
                key, label, _maybe(rng, (slug or key.lower()) + rng.choice(TLDS)),
                _maybe(rng, rng.choice(INDUSTRIES)), _maybe(rng, region, 0.01),
                _maybe(rng, str(int(rng.lognormvariate(5.0, 1.8)) + 1), 0.02),
            )  # fmt: skip


def _account_counts(rng: random.Random, size: Preset) -> list[int]:
    """Lognormal weights shared out, largest first, so the capped partners' excess goes on."""
    n = size.partners
    empty = set(rng.sample(range(n), max(1, round(n * 0.01))))
    weights = [0.0 if i in empty else rng.lognormvariate(0.0, 2.0) for i in range(n)]
    left, weight_left = size.accounts_per_customer * size.customers, sum(weights)
    counts = [0] * n
    for i in sorted(range(n), key=weights.__getitem__, reverse=True):
        if i not in empty:
            fair = left * weights[i] / max(weight_left, weights[i])
            counts[i] = min(size.customers * 3 // 10, size.most_accounts, max(1, round(fair)))
        left, weight_left = left - counts[i], weight_left - weights[i]
    return counts


def _customers_of(
    rng: random.Random, k: int, customers: int, block: tuple[int, int] | None
) -> list[int]:
    """k distinct customers, about 70% of them from the partner's own region when it has one."""
    if block is None:
        return sorted(rng.sample(range(customers), k))
    low, high = block
    width = high - low
    outside = max(k - min(round(k * 0.7), width), 0)
    outside = min(outside, customers - width)
    picked = rng.sample(range(low, high), k - outside)
    picked += [c + width * (c >= low) for c in rng.sample(range(customers - width), outside)]
    return sorted(picked)


def _account_rows(
    world: _World, regions: list[str], blocks: dict[str, tuple[int, int]],
    deal_plan: list[tuple[int, int]],
) -> Iterator[Cells]:  # fmt: skip
    """The accounts, partner by partner; fills `deal_plan` with (partner, customer) pairs."""
    rng = world.rng("accounts")
    size = world.size
    since = [world.day(-offset) for offset in range(3650)] + [""] * 190
    for partner, k in enumerate(_account_counts(rng, size)):
        picked = _customers_of(rng, k, size.customers, blocks.get(regions[partner]))
        pkey = world.partner(partner + 1)
        statuses = rng.choices(ACCOUNT_STATUSES, cum_weights=ACCOUNT_CUM_WEIGHTS, k=k)
        for customer, status in zip(picked, statuses, strict=True):
            strength = _num(rng.uniform(0.05, 1.0)) if rng.random() < 0.1 else ""
            yield pkey, world.customer(customer + 1), status, rng.choice(since), strength
        for _ in range(rng.randint(1, 2 * size.deals_per_partner - 1)):
            own = bool(picked) and rng.random() < 0.85
            deal_plan.append(
                (partner, rng.choice(picked) if own else rng.randrange(size.customers))
            )


def _collision(
    rng: random.Random, open_deals: list[tuple[int, int, date, date | None]], partner: int
) -> tuple[int, date, date] | None:
    """Another partner's open deal on a customer, with a window overlapping it."""
    for _ in range(8):
        other, customer, registered, expires = rng.choice(open_deals)
        if other != partner:
            last = min(expires or registered + timedelta(days=30), registered + timedelta(days=30))
            start = registered + timedelta(days=rng.randint(0, (last - registered).days))
            return customer, start, start + timedelta(days=rng.randint(30, 180))
    return None


def _deal_rows(world: _World, plan: list[tuple[int, int]]) -> Iterator[Cells]:
    rng = world.rng("deals")
    closing = world.rng("closing")  # its own draws: the other columns stay as they were
    rng.shuffle(plan)
    n, statuses = len(plan), tuple(DealStatus)
    key = _keys("D", n)
    wanted = max(1, round(n * 0.05))
    colliding = set(rng.sample(range(len(statuses), n), min(wanted, max(n - len(statuses), 0))))
    open_deals: list[tuple[int, int, date, date | None]] = []
    for index, (partner, customer) in enumerate(plan):
        hit = _collision(rng, open_deals, partner) if index in colliding else None
        if hit:
            customer, registered, expires = hit
            status: DealStatus = rng.choice(OPEN_DEALS)
            ends: date | None = expires
        else:
            status = _pick(rng, index, statuses, DEAL_STATUS_WEIGHTS)
            registered = world.today - timedelta(days=rng.randint(0, 540))
            ends = registered + timedelta(days=rng.randint(30, 180)) if rng.random() > 0.1 else None
        if status in OPEN_DEALS:
            open_deals.append((partner, customer, registered, ends))
        yield (
            key(index + 1), world.partner(partner + 1), world.customer(customer + 1),
            _maybe(rng, f"{rng.lognormvariate(10.0, 1.2):.2f}", 0.05),
            _maybe(rng, rng.choice(DEAL_STAGES), 0.1), status.value, registered.isoformat(),
            ends.isoformat() if ends else "",
            *_closing(closing, status, (registered, ends), world.today),
        )  # fmt: skip


def _closing(
    rng: random.Random, status: DealStatus, window: tuple[date, date | None], today: date
) -> tuple[str, str]:
    """A closed deal's closed_on (about 5% without one) between its registration and `today`
    (a WON one within its window, as the workflow wins it), and some WON deals' own margin;
    empty cells for an open deal."""
    if status not in CLOSED:
        return "", ""
    registered, expires = window
    last = min(today, expires) if status == DealStatus.WON and expires else today
    closed = registered + timedelta(days=rng.randint(0, max((last - registered).days, 0)))
    closed_on = "" if rng.random() < 0.05 else closed.isoformat()
    own = status == DealStatus.WON and rng.random() < 0.3
    return closed_on, f"{rng.choice(MARGINS):.2f}" if own else ""


def _program_rows() -> Iterator[Cells]:
    for tier in DEFAULT:
        yield (
            tier.tier.value, _num(tier.min_sales), str(tier.min_won_deals), f"{tier.margin:.2f}",
            ";".join(tier.benefits),
        )  # fmt: skip


def _validity(rng: random.Random, case: str, today: date) -> tuple[date, date | None, str]:
    def days(low: int, high: int) -> timedelta:
        return timedelta(days=rng.randint(low, high))

    active = AgreementStatus.ACTIVE.value
    if case == "expired":
        ended = today - days(1, 400)
        return ended - days(30, 700), ended, active
    if case == "not_yet_valid":
        starts = today + days(1, 180)
        return starts, (starts + days(90, 730)) if rng.random() < 0.7 else None, active
    starts = today - days(0, 700)
    if case == "open_ended":
        return starts, None, active
    ends = (today + days(0, 700)) if case == "in_force" or rng.random() < 0.7 else None
    return starts, ends, active if case == "in_force" else AgreementStatus.REVOKED.value


def _agreement_rows(world: _World) -> Iterator[Cells]:
    rng = world.rng("agreements")
    n = world.size.partners
    key = _keys("A", 2 * n)
    for index in range(2 * n):
        grantor = rng.randrange(n)
        scopes = _pick(rng, index, SCOPES, (1, 1, 1))
        starts, ends, status = _validity(
            rng, _pick(rng, index, VALIDITY, VALIDITY_WEIGHTS), world.today
        )
        yield (
            key(index + 1), world.partner(grantor + 1),
            world.partner(_other(rng, n, grantor) + 1), scopes, starts.isoformat(),
            ends.isoformat() if ends else "", status,
        )  # fmt: skip


def _sub_partner_rows(world: _World, tree: _Tree) -> Iterator[Cells]:
    rng = world.rng("sub_partners")
    for child, parent in tree.edges:
        strength = _num(rng.uniform(0.3, 1.0)) if rng.random() < 0.2 else ""
        yield (
            world.partner(child + 1), world.partner(parent + 1),
            _maybe(rng, world.day(-rng.randint(0, 3000)), 0.05), strength,
        )  # fmt: skip


def _link_rows(world: _World) -> Iterator[Cells]:
    rng = world.rng("partner_links")
    n, kinds = world.size.partners, tuple(LinkKind)
    for source in range(n):
        seen: set[tuple[int, LinkKind]] = set()
        for _ in range(rng.choices(range(5), (15, 25, 25, 20, 15))[0]):
            target, kind = _other(rng, n, source), rng.choice(kinds)
            if (target, kind) not in seen:
                seen.add((target, kind))
                strength = _num(rng.uniform(0.1, 1.0)) if rng.random() < 0.3 else ""
                yield (
                    world.partner(source + 1), world.partner(target + 1), kind.value, strength,
                    _maybe(rng, world.day(-rng.randint(0, 2500)), 0.1),
                )  # fmt: skip


def _groups(rng: random.Random, count: int, n: int, low: int, high: int) -> list[list[int]]:
    return [rng.sample(range(n), rng.randint(low, min(high, n))) for _ in range(count)]


def _shares(rng: random.Random, parts: int) -> list[str]:
    lead = round(rng.uniform(0.4, 0.7), 3)
    weights = [rng.random() + 0.1 for _ in range(parts - 1)]
    rest = [round((1 - lead) * weight / sum(weights), 3) for weight in weights[:-1]]
    return [_num(value) for value in [lead, *rest, max(round(1 - lead - sum(rest), 3), 0.0)]]


def _solution_rows(world: _World, teams: list[list[int]]) -> Iterator[Cells]:
    rng = world.rng("solutions")
    key = _keys("S", len(teams))
    for index in range(len(teams)):
        yield (
            key(index + 1), f"{rng.choice(WORDS)} {rng.choice(TRADES)} Suite",
            _maybe(rng, rng.choice(INDUSTRIES), 0.1),
            _maybe(rng, world.day(-rng.randint(0, 2000)), 0.1),
        )  # fmt: skip


def _solution_partner_rows(world: _World, teams: list[list[int]]) -> Iterator[Cells]:
    rng = world.rng("solution_partners")
    key = _keys("S", len(teams))
    lead, contributor = SolutionRole.LEAD.value, SolutionRole.CONTRIBUTOR.value
    for index, team in enumerate(teams):
        for place, (partner, share) in enumerate(zip(team, _shares(rng, len(team)), strict=True)):
            strength = _num(rng.uniform(0.3, 1.0)) if rng.random() < 0.4 else ""
            role = lead if place == 0 else contributor
            yield key(index + 1), world.partner(partner + 1), role, share, strength


def _targets(rng: random.Random, index: int, values: Sequence[str], most: int) -> str:
    if index == 0 or (index > 1 and rng.random() < 0.4):
        return ""
    return ";".join(rng.sample(values, rng.randint(1, most)))


def _campaign_rows(world: _World, count: int) -> Iterator[Cells]:
    rng = world.rng("campaigns")
    key = _keys("K", count)
    for index in range(count):
        starts = world.today + timedelta(days=rng.randint(-720, 180))
        ends = starts + timedelta(days=rng.randint(0, 120))
        yield (
            key(index + 1), f"{rng.choice(WORDS)} {rng.choice(INDUSTRIES)} {starts.year}",
            starts.isoformat(), _maybe(rng, ends.isoformat(), 0.1),
            _maybe(rng, rng.choice(CHANNELS), 0.05), _maybe(rng, str(rng.randint(5, 500) * 1000)),
            _targets(rng, index, INDUSTRIES, 3), _targets(rng, index, REGIONS, 2),
        )  # fmt: skip


def _campaign_partner_rows(world: _World, crews: list[list[int]]) -> Iterator[Cells]:
    rng = world.rng("campaign_partners")
    key = _keys("K", len(crews))
    for index, crew in enumerate(crews):
        for place, partner in enumerate(crew):
            role = "LEAD" if place == 0 else "PARTICIPANT"
            mdf = _maybe(rng, str(rng.randint(0, 50) * 500), 0.2)
            yield key(index + 1), world.partner(partner + 1), role, mdf


RESPONSIBILITIES = (
    "pipeline generation", "joint account planning", "field marketing", "technical pre-sales",
    "deal registration", "executive sponsorship", "customer success",
)  # fmt: skip


@dataclass(frozen=True)
class _Plan:
    members: list[int]  # distributors first, then a partner or two of any kind
    campaigns: list[int]


def _plans(rng: random.Random, tree: _Tree, crews: int, count: int) -> list[_Plan]:
    """Co-selling plans, most led by distributors (the heads of the sub-partner trees)."""
    heads = [index for index, level in enumerate(tree.levels) if level == 0]
    n = len(tree.levels)
    plans = []
    for _ in range(count):
        members = rng.sample(heads, min(len(heads), rng.randint(1, 3)))
        members += [m for m in rng.sample(range(n), rng.randint(0, 2)) if m not in members]
        campaigns = rng.sample(range(crews), min(crews, rng.randint(0, 3)))
        plans.append(_Plan(members, campaigns))
    return plans


def _plan_rows(world: _World, plans: list[_Plan]) -> Iterator[Cells]:
    """The first plan has not started yet, the second has ended; the rest run around today."""
    rng = world.rng("cosell_plans")
    key = _keys("J", len(plans))
    for index in range(len(plans)):
        span = rng.choice((90, 181, 365, 365))
        if index == 0:
            starts = world.today + timedelta(days=rng.randint(1, 60))
        elif index == 1:
            starts = world.today - timedelta(days=span + rng.randint(0, 200))
        else:
            starts = world.today - timedelta(days=rng.randint(0, span - 1))
        ends = starts + timedelta(days=span - 1)
        yield (
            key(index + 1), f"{rng.choice(WORDS)} {rng.choice(TRADES)} Joint Plan {starts.year}",
            starts.isoformat(), ends.isoformat(), str(rng.randint(2, 80) * 25_000),
            _maybe(rng, str(rng.randint(2, 40)), 0.4),
            _targets(rng, index, INDUSTRIES, 3), _targets(rng, index, REGIONS, 2),
        )  # fmt: skip


def _plan_partner_rows(world: _World, plans: list[_Plan]) -> Iterator[Cells]:
    rng = world.rng("cosell_plan_partners")
    key = _keys("J", len(plans))
    for index, plan in enumerate(plans):
        for member in plan.members:
            duties = ";".join(rng.sample(RESPONSIBILITIES, rng.randint(0, 3)))
            mdf = _maybe(rng, str(rng.randint(0, 40) * 2_500), 0.25)
            yield key(index + 1), world.partner(member + 1), duties, mdf


def _plan_campaign_rows(world: _World, plans: list[_Plan], crews: int) -> Iterator[Cells]:
    key, campaign = _keys("J", len(plans)), _keys("K", crews)
    for index, plan in enumerate(plans):
        for chosen in plan.campaigns:
            yield key(index + 1), campaign(chosen + 1)


def generate(preset: str | Preset, seed: int, out: Path, today: date = TODAY) -> dict[str, int]:
    """Write every file of the bundle into `out`; the rows written per file name. Should it
    fail or be interrupted, the files it wrote are removed again."""
    size = PRESETS[preset] if isinstance(preset, str) else preset
    world = _World(size, seed, today, _keys("P", size.partners), _keys("C", size.customers))
    out.mkdir(parents=True, exist_ok=True)
    n = size.partners
    tree = _tree(world.rng("tree"), n)
    rng = world.rng("regions")
    regions = [_maybe(rng, rng.choices(REGIONS, REGION_WEIGHTS)[0], 0.02) for _ in range(n)]
    blocks = _region_blocks(size.customers)
    teams = _groups(world.rng("teams"), max(3, n // 10), n, 2, 4)
    crews = _groups(world.rng("crews"), max(3, n // 20), n, 2, 15)
    deal_plan: list[tuple[int, int]] = []
    plans = _plans(world.rng("plans"), tree, len(crews), max(3, n // 200))
    files: list[tuple[str, Iterable[Cells]]] = [
        ("program_tiers.csv", _program_rows()),
        ("partners.csv", _partner_rows(world, tree, regions)),
        ("customers.csv", _customer_rows(world, blocks)),
        ("accounts.csv", _account_rows(world, regions, blocks, deal_plan)),
        ("deals.csv", _deal_rows(world, deal_plan)),
        ("solutions.csv", _solution_rows(world, teams)),
        ("solution_partners.csv", _solution_partner_rows(world, teams)),
        ("campaigns.csv", _campaign_rows(world, len(crews))),
        ("campaign_partners.csv", _campaign_partner_rows(world, crews)),
        ("agreements.csv", _agreement_rows(world)),
        ("sub_partners.csv", _sub_partner_rows(world, tree)),
        ("partner_links.csv", _link_rows(world)),
        ("cosell_plans.csv", _plan_rows(world, plans)),
        ("cosell_plan_partners.csv", _plan_partner_rows(world, plans)),
        ("cosell_plan_campaigns.csv", _plan_campaign_rows(world, plans, len(crews))),
    ]
    try:
        written = {name: _write(out, name, rows) for name, rows in files}
    except BaseException:  # Ctrl-C, a full disk: the files so far would import as a whole bundle
        for name, _ in files:
            (out / name).unlink(missing_ok=True)
        raise
    return {spec.name: written[spec.name] for spec in FILES}
