"""Partner maps over GraphQL: a slice of the ecosystem as nodes and edges, ready to draw.

A partner-scoped viewer's map shows overlaps only between partners whose accounts it may count
(its own, or under OVERLAP_COUNTS), sizes only of those, and customers only as a center it may
see (graph/analytics/partner_map.py). A map drawn for it is one audit event naming its center
and every other partner whose accounts the answer shows (`_audit`); a center it may not see is
a refused one.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from graph.analytics import partner_map as analytics
from graph.analytics.paths import Ref
from graph.errors import InvalidInput, NotFound
from graph.messages import shown
from resolvers.context import Context, Info
from resolvers.enums import PartnerType, Tier
from resolvers.node import decode_id, encode_id
from resolvers.partners import PartnerFilter

DEFAULT_DEPTH, MAX_DEPTH = 2, 4
DEFAULT_LIMIT, MAX_LIMIT = 500, 2000
DEFAULT_OVERLAPS, MAX_OVERLAPS = 2000, 20_000
MAX_MIN_OVERLAP = 1_000_000_000
CENTERS = ("Partner", "Customer", "Solution")


@strawberry.type(description="A node of a partner map.")
class MapNode:
    id: strawberry.ID
    key: str
    label: str = strawberry.field(description="The node's name.")
    kind: str = strawberry.field(description="Partner, Customer or Solution.")
    tier: Tier | None
    type: PartnerType | None
    region: str | None
    size: int = strawberry.field(
        description="A partner's accounts (0 where sizeKnown is false), a customer's account "
        "holders the viewer may see, a solution's co-creators."
    )
    size_known: bool = strawberry.field(
        description="False for a partner whose accounts the viewer may not count."
    )
    influence: float | None
    community: int | None
    distance: int | None = strawberry.field(
        description="Hops from the center over the map's edges; null in a map without one."
    )

    @classmethod
    def of(cls, node: analytics.MapNode) -> MapNode:
        return cls(
            id=strawberry.ID(encode_id(node.kind, node.key)),
            key=node.key,
            label=node.label,
            kind=node.kind,
            tier=Tier(node.tier) if node.tier else None,
            type=PartnerType(node.type) if node.type else None,
            region=node.region,
            size=node.size,
            size_known=node.size_known,
            influence=node.influence,
            community=node.community,
            distance=node.distance,
        )


@strawberry.type(
    description="An edge of a partner map: a relationship (its strength as weight) or an "
    "OVERLAP between two partners (their shared customers, over all statuses, as weight)."
)
class MapEdge:
    source: strawberry.ID
    target: strawberry.ID
    kind: str = strawberry.field(
        description="SUB_PARTNER_OF (child to parent), CO_SELLS_WITH, REFERS_TO, "
        "INTEGRATES_WITH, CO_CREATED (partner to solution), HAS_ACCOUNT (partner to a customer "
        "center) or OVERLAP (lower key to higher)."
    )
    weight: float


@strawberry.type(description="A slice of the ecosystem: nodes and the edges between them.")
class PartnerMap:
    nodes: list[MapNode]
    edges: list[MapEdge]
    truncated: bool = strawberry.field(
        description="True when `limit` left out nodes within `depth` (or the filter's partners)."
    )
    found: strawberry.Private[analytics.MapSlice]

    @strawberry.field(
        description="How many overlaps of at least minOverlap between the map's partners were "
        "left out by maxOverlaps (the weakest). Counting them reads every pair: ask only when "
        "it is shown."
    )
    async def omitted_overlaps(self, info: Info) -> int:
        return await analytics.omitted_overlaps(info.context.graph, self.found)


def _bounded(value: int | None, default: int, least: int, most: int, field: str) -> int:
    value = default if value is None else value  # null: the default
    if not least <= value <= most:
        raise InvalidInput(f"{field} must be between {least} and {most:,}", field=field)
    return value


def _center(value: strawberry.ID | None) -> Ref | None:
    if value is None:
        return None
    kind, key = decode_id(value, "center")
    if kind not in CENTERS:
        raise InvalidInput(
            f"center: the id of a {kind}; a map centers on a partner, customer or solution",
            field="center",
        )
    return Ref(kind, key)


@strawberry.type
class MapQueries:
    @strawberry.field(
        description="A map to draw. With `center`: its ego network within `depth` hops "
        f"(1-{MAX_DEPTH}) over links, sub-partners, co-created solutions and overlaps of at "
        "least `minOverlap` shared customers. Without: the partners `filter` admits (it also "
        "narrows an ego map's partners). Over `limit` (1-2,000) it keeps the nodes closest to "
        "the center, then by influence, then key, and says `truncated`. Edges join kept nodes "
        f"only; overlap edges are the `maxOverlaps` (0-{MAX_OVERLAPS:,}) strongest."
    )
    async def partner_map(
        self,
        info: Info,
        center: strawberry.ID | None = None,
        depth: int | None = DEFAULT_DEPTH,
        limit: int | None = DEFAULT_LIMIT,
        filter: PartnerFilter | None = None,
        min_overlap: int | None = 1,
        max_overlaps: int | None = DEFAULT_OVERLAPS,
    ) -> PartnerMap:
        depth = _bounded(depth, DEFAULT_DEPTH, 1, MAX_DEPTH, "depth")
        limit = _bounded(limit, DEFAULT_LIMIT, 1, MAX_LIMIT, "limit")
        least = _bounded(min_overlap, 1, 1, MAX_MIN_OVERLAP, "minOverlap")
        most = _bounded(max_overlaps, DEFAULT_OVERLAPS, 0, MAX_OVERLAPS, "maxOverlaps")
        ref = _center(center)
        filters: dict[str, Any] = (filter or PartnerFilter()).params()
        context = info.context
        sight = await context.sight()
        asked = [ref.key] if ref is not None and ref.kind == "Partner" else []
        try:
            found = await analytics.partner_map(
                context.graph,
                center=ref,
                depth=depth,
                limit=limit,
                filters=filters,
                min_overlap=least,
                max_overlaps=most,
                counted=sight.count_owners(),
                listed=sight.account_owners(),
                count_omitted=False,
                viewer=context.viewer.partner_key,
            )
        except analytics.MissingCenter:
            assert ref is not None
            context.audit("partnerMap", asked, allowed=False)  # unknown, or not one it may see
            raise NotFound(
                f"center: there is no {ref.kind.lower()} {shown(ref.key)}", field="center"
            ) from None
        except Exception:
            context.audit("partnerMap", asked, allowed=True)  # asked, though not answered
            raise
        _audit(context, asked, found, info, centered=ref is not None)
        return PartnerMap(
            nodes=[MapNode.of(node) for node in found.nodes],
            edges=[
                MapEdge(
                    source=strawberry.ID(encode_id(*edge.source)),
                    target=strawberry.ID(encode_id(*edge.target)),
                    kind=edge.kind,
                    weight=edge.weight,
                )
                for edge in found.edges
            ],
            truncated=found.truncated,
            found=found,
        )


def _audit(
    context: Context,
    asked: list[str],
    found: analytics.MapSlice,
    info: Info,
    *,
    centered: bool,
) -> None:
    """One event for the map: its center, then every other partner whose accounts the answer
    shows, whatever its aliases, fragments, @skip and @include."""
    if not context.audited:
        return
    selected = info.selected_fields
    shown: set[str] = set()
    counted = {node.key for node in found.nodes if node.kind == "Partner" and node.size_known}
    if any(
        _selects(field.selections, path)
        # A counted partner's size; the overlaps among the map's partners that are left out;
        # around a center, a partner's being there at all (it may be an overlap's end).
        for field in selected
        for path in [("nodes", "size"), ("omittedOverlaps",), *([("nodes",)] if centered else [])]
    ):
        shown |= counted
    if any(_selects(field.selections, ("edges",)) for field in selected):
        # An overlap joins two partners; an account, a partner to the customer center.
        edges = found.edges
        shown.update(edge.source[1] for edge in edges if edge.kind in ("OVERLAP", "HAS_ACCOUNT"))
        shown.update(edge.target[1] for edge in edges if edge.kind == "OVERLAP")
    shown -= {context.viewer.partner_key or "", *asked}
    context.audit("partnerMap", [*asked, *sorted(shown)], allowed=True)


def _selects(selections: list[Selection], path: tuple[str, ...]) -> bool:
    """Whether the answer holds the field at `path` (names, not aliases) below `selections`."""
    for selection in selections:
        directives = selection.directives
        if directives.get("skip", {}).get("if") or not directives.get("include", {}).get(
            "if", True
        ):
            continue
        if not isinstance(selection, SelectedField):  # a fragment: its fields are ours
            if _selects(selection.selections, path):
                return True
        elif selection.name == path[0] and (
            len(path) == 1 or _selects(selection.selections, path[1:])
        ):
            return True
    return False
