"""The assembled GraphQL schema."""

from __future__ import annotations

import strawberry

from resolvers.partners import PartnerQueries


@strawberry.type
class Query(PartnerQueries):
    pass


schema = strawberry.Schema(query=Query)
