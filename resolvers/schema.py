"""The assembled GraphQL schema: every domain's queries and mutations, and the extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from resolvers.agreements import AgreementQueries
from resolvers.audit import AuditQueries
from resolvers.campaigns import CampaignQueries
from resolvers.conflicts import ConflictQueries
from resolvers.customers import CustomerQueries
from resolvers.deals import DealQueries
from resolvers.ecosystem import EcosystemQueries
from resolvers.extensions import Guard, ShapeErrors
from resolvers.impact import ImpactQueries
from resolvers.inputs import RULES
from resolvers.mutations.accounts import AccountMutations
from resolvers.mutations.agreements import AgreementMutations
from resolvers.mutations.campaigns import CampaignMutations
from resolvers.mutations.customers import CustomerMutations
from resolvers.mutations.deals import DealMutations
from resolvers.mutations.hierarchy import HierarchyMutations
from resolvers.mutations.links import LinkMutations
from resolvers.mutations.partners import PartnerMutations
from resolvers.mutations.plans import PlanMutations
from resolvers.mutations.solutions import SolutionMutations
from resolvers.mutations.tiers import TierMutations
from resolvers.node import NodeQueries
from resolvers.overlap import OverlapQueries
from resolvers.partner_map import MapQueries
from resolvers.partners import PartnerQueries
from resolvers.paths import PathQueries
from resolvers.plans import PlanQueries
from resolvers.program import ProgramMutations, ProgramQueries
from resolvers.reach import ReachQueries
from resolvers.scalars import SCALARS
from resolvers.solutions import SolutionQueries
from resolvers.suggest import SuggestQueries
from resolvers.tier_review import TierReviewQueries


@strawberry.type(description=RULES)
class Query(
    NodeQueries,
    PartnerQueries,
    CustomerQueries,
    SolutionQueries,
    AgreementQueries,
    CampaignQueries,
    DealQueries,
    ConflictQueries,
    TierReviewQueries,
    ImpactQueries,
    OverlapQueries,
    PathQueries,
    ReachQueries,
    SuggestQueries,
    MapQueries,
    AuditQueries,
    EcosystemQueries,
    ProgramQueries,
    PlanQueries,
):
    pass


@strawberry.type(description=RULES)
class Mutation(
    PartnerMutations,
    HierarchyMutations,
    LinkMutations,
    AccountMutations,
    CustomerMutations,
    SolutionMutations,
    AgreementMutations,
    CampaignMutations,
    DealMutations,
    ProgramMutations,
    TierMutations,
    PlanMutations,
):
    pass


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Unexpected errors are logged where they are masked (ShapeErrors); nothing here."""


def build() -> Schema:
    extensions: list[Any] = [Guard, ShapeErrors]
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
    )


schema = build()
