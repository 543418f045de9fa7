"""Influence paths over GraphQL: who can open a door to an account, ranked and explained.

A partner-scoped viewer's paths step over an account only where it may see that account (its
own, or a partner's that grants it ACCOUNT_LIST): the answer is the one it would get if the
accounts it may not see did not exist. Every such question is audited; one naming a customer
it may not see (NOT_FOUND, like an unknown one) as refused.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.analytics import paths as analytics
from graph.errors import InvalidInput, NotFound
from graph.messages import shown
from resolvers.context import Info
from resolvers.customers import Customer
from resolvers.enums import RelationshipKind
from resolvers.node import Node, decode_id
from resolvers.partners import Partner
from resolvers.solutions import Solution

DEFAULT_FIRST, MAX_FIRST = 3, 10
DEFAULT_HOPS, MAX_HOPS = 4, 6
ENDS = ("Partner", "Customer", "Solution")
MAKE = {"Partner": Partner.of, "Customer": Customer.of, "Solution": Solution.of}


@strawberry.type(description="One node of an influence path, and the relationship that led to it.")
class PathStep:
    node: Node
    key: str
    label: str = strawberry.field(description="The node's name.")
    kind: str = strawberry.field(description="Partner, Customer or Solution.")
    via: str | None = strawberry.field(
        description="The kind of the relationship from the step before; null on the first step."
    )
    strength: float | None = strawberry.field(
        description="That relationship's strength (to six decimals); null on the first step."
    )

    @classmethod
    def of(cls, step: analytics.Step) -> PathStep:
        return cls(
            node=MAKE[step.kind](step.row),
            key=step.row["key"],
            label=step.row["name"],
            kind=step.kind,
            via=step.via,
            strength=step.strength,
        )


@strawberry.type(description="A chain of relationships between two nodes.")
class InfluencePath:
    influence: float = strawberry.field(description="The product of the steps' strengths.")
    hops: int
    steps: list[PathStep]


def _ref(value: strawberry.ID, field: str) -> analytics.Ref:
    kind, key = decode_id(value, field)
    if kind not in ENDS:
        raise InvalidInput(
            f"{field}: the id of a {kind}; paths join partners, customers and solutions",
            field=field,
        )
    return analytics.Ref(kind, key)


def _arguments(first: int, max_hops: int) -> None:
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"first must be between 1 and {MAX_FIRST}", field="first")
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidInput(f"maxHops must be between 1 and {MAX_HOPS}", field="maxHops")


@strawberry.type
class PathQueries:
    @strawberry.field(
        description="The strongest chains of relationships between two partners, customers or "
        "solutions: influence desc, then fewer hops, then the keys along the path. first "
        f"1-{MAX_FIRST}, maxHops 1-{MAX_HOPS}; `via` keeps only those relationship kinds, "
        "`avoid` keeps those nodes off every path."
    )
    async def influence_paths(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        first: int | None = DEFAULT_FIRST,
        max_hops: int | None = DEFAULT_HOPS,
        via: list[RelationshipKind] | None = None,
        avoid: list[strawberry.ID] | None = None,
    ) -> list[InfluencePath]:
        first = DEFAULT_FIRST if first is None else first  # null: the default
        max_hops = DEFAULT_HOPS if max_hops is None else max_hops
        _arguments(first, max_hops)
        source, target = _ref(from_, "from"), _ref(to, "to")
        if source == target:
            raise InvalidInput("to: a path needs two different ends", field="to")
        shunned = [_ref(value, f"avoid[{i}]") for i, value in enumerate(avoid or [])]
        for i, ref in enumerate(shunned):
            if ref in (source, target):
                raise InvalidInput(
                    f"avoid[{i}]: an end of the path cannot be avoided", field=f"avoid[{i}]"
                )
        access = info.context.access
        sight = await access.sight()
        ends = [ref.key for ref in (source, target) if ref.kind == "Partner"]
        kinds = [kind.value for kind in via] if via else analytics.RELATIONSHIPS
        refused = False
        try:
            found = await analytics.influence_paths(
                info.context.graph,
                source,
                target,
                first,
                max_hops,
                kinds,
                shunned,
                allowed=sight.account_owners(),
                visible=await access.customer_visibility(),
            )
        except analytics.Missing as missing:
            refused = True  # an unknown node, or a customer the viewer may not see
            fields = ["from", "to", *(f"avoid[{i}]" for i in range(len(shunned)))]
            ref = [source, target, *shunned][missing.index]
            field = fields[missing.index]
            raise NotFound(
                f"{field}: there is no {ref.kind.lower()} {shown(ref.key)}", field=field
            ) from None
        finally:
            info.context.audit("influencePaths", ends, allowed=not refused)
        return [
            InfluencePath(
                influence=path.influence,
                hops=path.hops,
                steps=[PathStep.of(step) for step in path.steps],
            )
            for path in found
        ]
