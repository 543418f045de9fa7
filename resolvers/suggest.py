"""Partner suggestions over GraphQL: whom to add to a campaign, or to a what-if list, for the most
new reach.

A partner-scoped viewer asks about a stored campaign only where it takes part (else NOT_FOUND,
as the campaign lookup), and every count — the customers already reached and each candidate's —
covers only the customers it may see: its own accounts and those of partners granting it
ACCOUNT_LIST today. Every such question is audited.
"""

from __future__ import annotations

import strawberry

from graph.analytics import suggest as analytics
from graph.analytics.reach_scope import MAX_DEPTH
from graph.errors import InvalidInput, NotFound
from graph.messages import shown
from graph.model import AccountStatus as Status
from loaders.partners import PartnerByKeyLoader
from resolvers.context import Info
from resolvers.enums import AccountStatus
from resolvers.node import key_of
from resolvers.partners import Partner
from resolvers.reach import MAX_PARTNERS, MAX_TARGETS, partner_keys, targets_of
from resolvers.scalars import statuses_of

DEFAULT_FIRST, MAX_FIRST = 5, 50
DEFAULT_DEPTH = 1
EVERY_STATUS = [status.value for status in Status]


@strawberry.type(description="A partner to add, and how many customers it would add.")
class ReachSuggestion:
    partner: Partner
    added_reach: int = strawberry.field(
        description="Customers it reaches that the participants and the earlier picks do not."
    )


def _arguments(first: int, depth: int) -> None:
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"first must be between 1 and {MAX_FIRST}", field="first")
    if not 0 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"depth must be between 0 and {MAX_DEPTH}", field="depth")


async def _plan(
    info: Info,
    campaign: strawberry.ID | None,
    partners: list[strawberry.ID] | None,
    industries: list[str] | None,
    regions: list[str] | None,
) -> analytics.Plan:
    """The participants and targets of the question; audited once known."""
    context = info.context
    if (campaign is None) == (partners is None):
        raise InvalidInput("give either campaign or partners", field="campaign")
    if campaign is not None:
        for given, field in ((industries, "targetIndustries"), (regions, "targetRegions")):
            if given is not None:
                raise InvalidInput(
                    f"{field}: a campaign's targets are its own; give {field} with partners",
                    field=field,
                )
        key = key_of(campaign, "campaign", "Campaign")
        plan = await analytics.campaign_plan(context.graph, key, context.viewer.member)
        context.audit("suggestPartners", plan.partners if plan else [], allowed=plan is not None)
        if plan is None:
            raise NotFound(f"campaign: there is no campaign {shown(key)}", field="campaign")
        return plan
    assert partners is not None
    listed = partner_keys(partners)
    keys = list(listed)
    plan = analytics.Plan(
        keys,
        list(targets_of(industries, "targetIndustries")),
        list(targets_of(regions, "targetRegions")),
    )
    context.audit("suggestPartners", keys, allowed=True)
    missing = set(await analytics.missing_partners(context.graph, keys))
    for key, i in listed.items():
        if key in missing:
            field = f"partners[{i}]"
            raise NotFound(f"{field}: there is no partner {shown(key)}", field=field)
    return plan


@strawberry.type
class SuggestQueries:
    @strawberry.field(
        description="The partners to add for the most new reach, in pick order: repeatedly the "
        "partner not taking part whose reach (itself and its sub-partners to `depth`, the "
        "statuses, the targets) adds the most customers not yet reached, ties by key; stops "
        "after `first` picks or when the best adds nothing. Give a stored `campaign` (its "
        "participants and targets) or a what-if list of `partners` with targetIndustries and "
        f"targetRegions (left out: all). first 1-{MAX_FIRST}, depth 0-{MAX_DEPTH}, partners "
        f"1-{MAX_PARTNERS} different ones, up to {MAX_TARGETS} different targets of each kind; "
        "a partner or target listed twice counts once."
    )
    async def suggest_partners(
        self,
        info: Info,
        campaign: strawberry.ID | None = None,
        partners: list[strawberry.ID] | None = None,
        first: int | None = DEFAULT_FIRST,
        depth: int | None = DEFAULT_DEPTH,
        statuses: list[AccountStatus] | None = None,
        target_industries: list[str] | None = None,
        target_regions: list[str] | None = None,
    ) -> list[ReachSuggestion]:
        first = DEFAULT_FIRST if first is None else first  # null: the default
        depth = DEFAULT_DEPTH if depth is None else depth
        _arguments(first, depth)
        wanted = list(statuses_of(statuses) or EVERY_STATUS)
        plan = await _plan(info, campaign, partners, target_industries, target_regions)
        sight = await info.context.sight()
        found = await analytics.suggest_partners(
            info.context.graph, plan, first, depth, wanted, sight.account_owners()
        )
        keys = [key for key, _ in found.picks]
        rows = await info.context.loader(PartnerByKeyLoader).load_many(keys)
        return [
            ReachSuggestion(partner=Partner.of(row), added_reach=added)
            for row, (_, added) in zip(rows, found.picks, strict=True)
            if row is not None  # a partner deleted since it was picked
        ]
