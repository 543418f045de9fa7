"""`Query.ecosystem`: what the graph holds, and how fresh its network analytics are."""

from __future__ import annotations

import datetime

import strawberry

from graph.ecosystem import census
from resolvers.context import Info


@strawberry.type(
    description="The ecosystem as a whole. A partner-scoped viewer's `customers` and `accounts` "
    "count only the accounts it may see (its own, and those of partners granting it "
    "ACCOUNT_LIST in force) and the customers they hold, and a count that covers another "
    "partner's accounts is audited; staff see all."
)
class Ecosystem:
    analyzed_at: datetime.datetime | None = strawberry.field(
        description="When the last `partnergraph analyze` began (UTC); null before any run."
    )
    imported_at: datetime.datetime | None = strawberry.field(
        description="When the last import wrote its rows (UTC); null before any import."
    )
    stale: bool = strawberry.field(
        description="Influence and communities lag the graph: an import came after the last "
        "analysis, or partners exist and none has run. The scores are still shown."
    )
    partners: int
    customers: int
    accounts: int
    communities: int | None = strawberry.field(
        description="How many communities the last analysis found; null before any run."
    )


@strawberry.type
class EcosystemQueries:
    @strawberry.field(description="Counts, communities and when the analytics last ran.")
    async def ecosystem(self, info: Info) -> Ecosystem:
        owners = (await info.context.sight()).account_owners()
        if owners is not None and set(owners) - {info.context.viewer.partner_key}:
            # Its counts cover other partners' accounts: a cross-partner question.
            info.context.audit("ecosystem", owners, allowed=True)
        found = await census(info.context.graph, owners)
        return Ecosystem(
            analyzed_at=found.analyzed_at,
            imported_at=found.imported_at,
            stale=found.stale,
            partners=found.partners,
            customers=found.customers,
            accounts=found.accounts,
            communities=found.communities,
        )
