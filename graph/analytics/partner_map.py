"""Partner maps: a slice of the ecosystem small enough to draw, as nodes and edges.

With a center, the map is its ego network: the nodes within `depth` hops over the map's edges —
sub-partner and partner links (either direction), co-created solutions, a customer center's
account holders, and overlaps (two partners sharing at least `min_overlap` customers, over all
statuses). Without one, it is the partners the filter admits. A partner filter applies to every
partner but the center.

Over `limit`, a map keeps the nodes closest to the center, then those with the most influence,
then by key: hop by hop, so a hop is read only while the map has room. Its edges are every
relationship between two kept nodes, and their overlaps, strongest first, at most
`max_overlaps` of them (`omitted_overlaps` says how many more there were).

A partner viewer's map is the one it would get if the accounts it may not count did not exist:
an overlap joins two partners only where it may count both (its own, or under OVERLAP_COUNTS),
a partner's size is 0 and unknown where it may not, and a customer appears only as a center it
may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from graph.analytics import map_queries as queries
from graph.analytics.paths import Ref
from graph.db import Graph
from graph.partners import PARTNERS

Row = dict[str, Any]

# The accounts of stored frontier partners that one hop reads from their own side; beyond it,
# their other overlap neighbours are found from those neighbours' side, in rank order, only as
# far as one could still be kept (a stored partner is among those with the most accounts).
WIDE_ACCOUNTS = 20_000
# The stored overlaps a map reads strongest first, across the ecosystem, looking for its own
# strongest ones; when they are not among them, it reads its partners' stored overlaps instead.
SCAN_OVERLAPS = 20_000


@dataclass(frozen=True)
class MapNode:
    kind: str  # Partner, Customer or Solution
    key: str
    label: str
    type: str | None
    tier: str | None
    region: str | None
    size: int  # a partner's accounts, a customer's holders, a solution's co-creators
    size_known: bool  # False where the viewer may not count the partner's accounts
    influence: float | None
    community: int | None
    distance: int | None  # hops from the center; None without one


@dataclass(frozen=True)
class MapEdge:
    source: tuple[str, str]  # (kind, key)
    target: tuple[str, str]
    kind: str  # SUB_PARTNER_OF ... CO_CREATED, HAS_ACCOUNT or OVERLAP
    weight: float  # the relationship's strength; an overlap's shared customers


@dataclass(frozen=True)
class MapSlice:
    nodes: list[MapNode]
    edges: list[MapEdge]
    truncated: bool
    omitted_overlaps: int | None  # None unless asked for: counting them all reads every pair
    # What `omitted_overlaps` needs to count them later: the kept ids and the sight.
    question: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


class MissingCenter(Exception):
    """The center is not in the graph, or not one the viewer may see."""


@dataclass
class _Walk:
    kept: list[tuple[Row, int | None]]  # (row, distance), in the order kept
    truncated: bool = False


async def partner_map(
    graph: Graph,
    *,
    center: Ref | None,
    depth: int,
    limit: int,
    filters: dict[str, Any],
    min_overlap: int,
    max_overlaps: int,
    counted: list[str] | None,
    listed: list[str] | None,
    count_omitted: bool = True,
    viewer: str | None = None,
) -> MapSlice:
    """The map; `counted` and `listed` are the viewer's sight (None: staff), `viewer` the
    partner a partner-scoped viewer acts for (a customer of its own deals may be a center)."""
    admits, params = PARTNERS.admits(filters)
    params = {**params, "counted": counted, "listed": listed, "least": min_overlap}
    if center is None:
        walk = await _top(graph, admits, params, limit)
    else:
        visible = None if listed is None else {"owners": listed, "me": viewer}
        walk = await _ego(graph, center, admits, params, depth, limit, visible)
    found = await _details(graph, walk, params, max_overlaps)
    if not count_omitted:
        return found
    return replace(found, omitted_overlaps=await omitted_overlaps(graph, found))


async def omitted_overlaps(graph: Graph, found: MapSlice) -> int:
    """How many overlaps between the map's partners its `max_overlaps` left out."""
    if found.omitted_overlaps is not None:
        return found.omitted_overlaps
    records = await graph.read(queries.OVERLAP_COUNT, found.question)
    shown = sum(1 for edge in found.edges if edge.kind == "OVERLAP")
    return int(records[0]["overlaps"]) - shown


async def _top(graph: Graph, admits: str, params: dict[str, Any], limit: int) -> _Walk:
    records = await graph.read(queries.top_query(admits), {**params, "limit": limit})
    rows = records[0]["rows"]
    return _Walk([(row, None) for row in rows], truncated=records[0]["cut"])


async def _ego(
    graph: Graph,
    center: Ref,
    admits: str,
    params: dict[str, Any],
    depth: int,
    limit: int,
    visible: dict[str, Any] | None,
) -> _Walk:
    query = queries.center_query(center.kind)  # a kind of Ref: Partner, Customer or Solution
    found = await graph.read(query, {"key": center.key, "visible": visible})
    if not found:
        raise MissingCenter(center.key)
    start = found[0]["row"]
    walk = _Walk([(start, 0)])
    seen = [start["id"]]
    frontier = [start]
    hop = queries.hop_query(admits, least_one=params["least"] == 1)
    for distance in range(1, depth + 1):
        live, wide = _sides(frontier)
        records = await graph.read(
            hop,
            {
                **params,
                "frontier": [row["id"] for row in frontier],
                "partners": live + wide,
                "seen": seen,
                "need": limit - len(walk.kept),
                "live": live,
                "wide": wide,
            },
        )
        rows = records[0]["rows"]
        walk.kept.extend((row, distance) for row in rows)
        if records[0]["cut"]:
            walk.truncated = True
            break
        if not rows:
            break
        seen.extend(row["id"] for row in rows)
        frontier = rows
    return walk


def _sides(frontier: list[Row]) -> tuple[list[str], list[str]]:
    """The frontier partners whose overlaps a hop counts from their own side (`live`), and the
    stored ones it counts from the other side (`wide`) when they hold too many accounts."""
    partners = [row for row in frontier if row["kind"] == "Partner"]
    stored = [row for row in partners if row["stored"]]
    live = [row["id"] for row in partners if not row["stored"]]
    if sum(row["accounts"] for row in stored) <= WIDE_ACCOUNTS:
        return live + [row["id"] for row in stored], []
    return live, [row["id"] for row in stored]


async def _details(
    graph: Graph, walk: _Walk, params: dict[str, Any], max_overlaps: int
) -> MapSlice:
    ids = [row["id"] for row, _ in walk.kept]
    question = {**params, "ids": ids, "most": max_overlaps, "scan": SCAN_OVERLAPS}
    records = await graph.read(queries.DETAILS, question)
    record = records[0]
    fields = {row["id"]: row for row in record["nodes"]}
    names = {row["id"]: (row["kind"], row["key"]) for row, _ in walk.kept}
    nodes = [_node(fields[row["id"]], distance) for row, distance in walk.kept]
    edges = [
        MapEdge(names[source], names[target], kind, float(weight))
        for source, target, kind, weight in record["edges"]
    ]
    question = {key: params[key] for key in ("counted", "listed", "least")}
    return MapSlice(nodes, edges, walk.truncated, None, {**question, "ids": ids})


def _node(row: Row, distance: int | None) -> MapNode:
    return MapNode(
        kind=row["kind"],
        key=row["key"],
        label=row["label"],
        type=row.get("type"),
        tier=row.get("tier"),
        region=row.get("region"),
        size=row["size"],
        size_known=row["known"],
        influence=row.get("influence"),
        community=row.get("community"),
        distance=distance,
    )
