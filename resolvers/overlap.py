"""Overlap detection over GraphQL: overlap, topOverlaps, overlapMatrix and commonAccounts.

A partner-scoped viewer P may ask about partner B only under B's agreement in force today:
OVERLAP_COUNTS for counts and jaccard, ACCOUNT_LIST for the customers themselves; otherwise
FORBIDDEN. Ranked answers show only the partners whose grant allows it, and with roll-up a
descendant's accounts count only where it grants too. Every such question is audited.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import strawberry

from graph.access import Sight
from graph.analytics import overlap as analytics
from graph.errors import Forbidden, InvalidInput, NotFound
from graph.messages import shown
from graph.model import AccountStatus as Status
from graph.paging import MAX_FIRST, Page, Window, made_under, page_of
from loaders.partners import PartnerByKeyLoader
from resolvers.connection import Connection, ready
from resolvers.context import Info
from resolvers.customers import Customer
from resolvers.enums import AccountStatus
from resolvers.inputs import distinct
from resolvers.node import key_of
from resolvers.partners import Partner
from resolvers.scalars import statuses_of

Row = dict[str, Any]
EVERY_STATUS = [status.value for status in Status]
MAX_MATRIX = 50
MEMBERS = (2, 10)


def _statuses(values: list[AccountStatus] | None) -> list[str]:
    return list(statuses_of(values) or EVERY_STATUS)


async def _partners(info: Info, keys: list[str], fields: list[str]) -> list[Row]:
    """The partners' rows, in order; NOT_FOUND naming the argument of the first unknown one."""
    rows = await info.context.loader(PartnerByKeyLoader).load_many(keys)
    for row, key, field in zip(rows, keys, fields, strict=True):
        if row is None:
            raise NotFound(f"{field}: there is no partner {shown(key)}", field=field)
    return [row for row in rows if row is not None]


async def _unknown(info: Info, keys: list[str], fields: list[str]) -> NoReturn:
    """An answer came back empty: NOT_FOUND naming the argument of the unknown partner."""
    await _partners(info, keys, fields)
    raise NotFound(f"{fields[0]}: a partner of this question is gone", field=fields[0])


async def _asked(info: Info, operation: str, keys: list[str], fields: list[str]) -> Sight:
    """The viewer's sight, once the question is audited and allowed: FORBIDDEN for the first
    partner whose overlap counts the viewer may not see; an unknown partner is NOT_FOUND
    first, as it is for staff."""
    sight = await info.context.sight()
    pairs = zip(keys, fields, strict=True)
    refused = [(key, field) for key, field in pairs if not sight.sees_counts_of(key)]
    info.context.audit(operation, keys, allowed=not refused)
    if refused:
        await _partners(info, keys, fields)
        key, field = refused[0]
        raise Forbidden(f"{field}: {shown(key)} shares no overlap counts with you", field=field)
    return sight


def _listing(info: Info, operation: str, keys: list[str], may_list: bool) -> None:
    """Audit a question for the customers themselves; FORBIDDEN without ACCOUNT_LIST."""
    info.context.audit(operation, keys, allowed=may_list)
    if not may_list:
        raise Forbidden(f"{operation} needs an ACCOUNT_LIST agreement from each other partner")


def _ids(values: list[strawberry.ID], field: str, most: int) -> tuple[list[str], list[str]]:
    """The partners of a list argument, each once where first given (a set whose order
    counts), and the argument naming each."""
    keys = [key_of(value, f"{field}[{i}]", "Partner") for i, value in enumerate(values)]
    first = distinct(keys, field, most=most, what="partners")
    return list(first), [f"{field}[{i}]" for i in first.values()]


def _members(members: list[OverlapMember]) -> list[str]:
    """The members' partners: a list of input objects names each partner once, since two
    entries for one partner could ask for different statuses."""
    least, most = MEMBERS
    if not least <= len(members) <= most:
        raise InvalidInput(
            f"members: give {least} to {most} members, not {len(members)}", field="members"
        )
    keys = [key_of(member.partner, f"members[{i}]", "Partner") for i, member in enumerate(members)]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            field = f"members[{i}]"
            raise InvalidInput(f"{field}: {shown(key)} is listed twice", field=field)
    return keys


def _page_from(
    load: Callable[[], Awaitable[tuple[list[Row], int]]], window: Window
) -> tuple[Callable[[], Awaitable[Page[Any]]], Callable[[], Awaitable[int]]]:
    """A window and its total from one query, shared by the connection's fields."""
    pending: list[asyncio.Future[tuple[list[Row], int]]] = []

    def once() -> asyncio.Future[tuple[list[Row], int]]:
        if not pending:
            pending.append(asyncio.ensure_future(load()))
        return pending[0]

    async def fetch() -> Page[Any]:
        rows, _ = await once()
        return page_of(rows, window, lambda row: (row["key"],))

    async def count() -> int:
        return (await once())[1]

    return fetch, count


@strawberry.type(description="How much two partners' customers overlap.")
class Overlap:
    a: Partner
    b: Partner
    count: int = strawberry.field(description="How many customers both hold.")
    jaccard: float = strawberry.field(
        description="count over the union's size; 0 when both are empty"
    )
    question: strawberry.Private[dict[str, Any]]
    may_list: strawberry.Private[bool]

    @strawberry.field(
        description="The shared customers; null and FORBIDDEN without ACCOUNT_LIST from the other."
    )
    def customers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Customer] | None:
        _listing(info, "overlap.customers", [self.a.key, self.b.key], self.may_list)
        window = Window.of(first, after, under=made_under("Overlap.customers", self.question))
        graph = info.context.graph
        fetch, count = _page_from(
            lambda: analytics.shared_customers(graph, window=window, **self.question), window
        )
        return Connection(fetch=fetch, make=Customer.of, count=count)


@strawberry.type(description="A partner ranked by the customers it shares with another.")
class PartnerOverlap:
    partner: Partner
    count: int
    jaccard: float


@strawberry.type(description="Overlap counts of every pair of the partners, in their order.")
class OverlapMatrix:
    partners: list[Partner]
    counts: list[list[int]] = strawberry.field(description="counts[i][j]; the diagonal is |A(i)|")


@strawberry.input(description="A partner of an N-way overlap, with the statuses that count.")
class OverlapMember:
    partner: strawberry.ID
    statuses: list[AccountStatus] | None = None


@strawberry.type(description="The customers every member holds, each with its own statuses.")
class CommonAccounts:
    page: strawberry.Private[Page[Any]]
    total: strawberry.Private[int]
    may_list: strawberry.Private[bool]

    @strawberry.field
    def count(self) -> int:
        return self.total

    keys: strawberry.Private[list[str]]

    @strawberry.field(
        description="The common customers; null and FORBIDDEN without ACCOUNT_LIST from every "
        "other member."
    )
    def customers(self, info: Info) -> Connection[Customer] | None:
        _listing(info, "commonAccounts.customers", self.keys, self.may_list)
        return ready(self.page, Customer.of, self.total)


@strawberry.type
class OverlapQueries:
    @strawberry.field(description="How many customers two partners share, and which.")
    async def overlap(
        self,
        info: Info,
        a: strawberry.ID,
        b: strawberry.ID,
        statuses: list[AccountStatus] | None = None,
        include_sub_partners: bool | None = False,
    ) -> Overlap:
        keys = [key_of(a, "a", "Partner"), key_of(b, "b", "Partner")]
        fields = ["a", "b"]
        include_sub_partners = bool(include_sub_partners)  # null: the default, false
        wanted = _statuses(statuses)
        sight = await _asked(info, "overlap", keys, fields)
        graph = info.context.graph
        found = await analytics.overlap(
            graph, keys[0], keys[1], wanted, include_sub_partners, sight.count_owners()
        )
        if found is None:
            await _unknown(info, keys, fields)
        question = {
            "a": keys[0],
            "b": keys[1],
            "statuses": wanted,
            "roll_up": include_sub_partners,
            "allowed": sight.account_owners(),
        }
        return Overlap(
            a=Partner.of(found.a),
            b=Partner.of(found.b),
            count=found.shared,
            jaccard=found.jaccard,
            question=question,
            may_list=all(sight.sees_accounts_of(key) for key in keys),
        )

    @strawberry.field(
        description="The partners sharing most customers with one: by count, "
        "then jaccard, then key."
    )
    async def top_overlaps(
        self,
        info: Info,
        partner: strawberry.ID,
        first: int | None = 10,
        statuses: list[AccountStatus] | None = None,
        include_sub_partners: bool | None = False,
    ) -> list[PartnerOverlap]:
        key = key_of(partner, "partner", "Partner")
        first = 10 if first is None else first  # null: the default
        include_sub_partners = bool(include_sub_partners)
        if not 1 <= first <= MAX_FIRST:
            raise InvalidInput(f"first must be between 1 and {MAX_FIRST}", field="first")
        wanted = _statuses(statuses)
        sight = await _asked(info, "topOverlaps", [key], ["partner"])
        counted = sight.count_owners()
        rows = await analytics.top_overlaps(
            info.context.graph, key, first, wanted, include_sub_partners, counted, counted
        )
        if rows is None:
            await _unknown(info, [key], ["partner"])
        return [
            PartnerOverlap(
                partner=Partner.of(row["partner"]), count=row["shared"], jaccard=row["jaccard"]
            )
            for row in rows
        ]

    @strawberry.field(
        description=f"Overlap counts of every pair of up to {MAX_MATRIX} different partners, in "
        "the order given (a partner listed again keeps its first place)."
    )
    async def overlap_matrix(
        self,
        info: Info,
        partners: list[strawberry.ID],
        statuses: list[AccountStatus] | None = None,
    ) -> OverlapMatrix:
        keys, fields = _ids(partners, "partners", MAX_MATRIX)
        wanted = _statuses(statuses)
        sight = await info.context.sight()
        shown = [key for key in keys if sight.sees_counts_of(key)]
        info.context.audit("overlapMatrix", keys, allowed=True)  # the hidden ones are left out
        if len(shown) < len(keys):  # an unknown partner is NOT_FOUND, hidden or not
            await _partners(info, keys, fields)
        rows, counts = await analytics.overlap_matrix(info.context.graph, shown, wanted)
        if len(rows) < len(shown):
            await _unknown(info, keys, fields)
        return OverlapMatrix(partners=[Partner.of(rows[key]) for key in shown], counts=counts)

    @strawberry.field(description="The customers all members hold (each with its own statuses).")
    async def common_accounts(
        self,
        info: Info,
        members: list[OverlapMember],
        first: int | None = None,
        after: str | None = None,
    ) -> CommonAccounts:
        keys = _members(members)
        statuses = [_statuses(member.statuses) for member in members]
        window = Window.of(first, after, under=made_under("commonAccounts", keys, statuses))
        fields = [f"members[{i}]" for i in range(len(keys))]
        sight = await _asked(info, "commonAccounts", keys, fields)
        question = list(zip(keys, statuses, strict=True))
        found = await analytics.common_accounts(info.context.graph, question, window)
        if found is None:
            await _unknown(info, keys, fields)
        rows, total = found
        return CommonAccounts(
            page=page_of(rows, window, lambda row: (row["key"],)),
            total=total,
            may_list=all(sight.sees_accounts_of(key) for key in keys),
            keys=keys,
        )
