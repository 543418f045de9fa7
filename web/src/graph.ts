// The map as a graphology graph: one node per MapNode, one edge per MapEdge, with the
// attributes sigma draws (x, y, size, color, label) kept beside the API's own record.
import Graph from "graphology";
import { EDGE_COLORS, KIND_COLORS, TIER_COLORS, UNKNOWN_COLOR, communityColor } from "./palette";
import type { EdgeKind, MapNode, NodeKind, PartnerMap } from "./types";

export type ColorBy = "tier" | "community";
export type SizeBy = "accounts" | "influence";

export interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  forceLabel?: boolean;
  /** Held in place by the layout (the center). */
  fixed?: boolean;
  node: MapNode;
  /** Added only to show a path through a node the map does not hold. */
  pathOnly?: boolean;
}

export interface EdgeAttributes {
  size: number;
  color: string;
  kind: EdgeKind | "PATH";
  weight: number;
  /** How strongly the layout pulls the two ends together, in (0, 1]. */
  layoutWeight: number;
  zIndex?: number;
}

export type MapGraph = Graph<NodeAttributes, EdgeAttributes>;

const MIN_SIZE = 4;
const UNKNOWN_SHARE = 0.25; // of the size range, for a node whose size is not shared
const MAX_SIZE = 16;
const DENSE = 2000;

export function buildGraph(map: PartnerMap, center: string | null): MapGraph {
  const graph: MapGraph = new Graph({ multi: true, type: "directed", allowSelfLoops: false });
  for (const node of map.nodes) {
    graph.addNode(node.id, {
      x: 0,
      y: 0,
      size: MIN_SIZE,
      color: UNKNOWN_COLOR,
      label: node.label,
      forceLabel: node.id === center,
      node,
    });
  }
  let heaviest = 1;
  for (const edge of map.edges) if (edge.kind === "OVERLAP") heaviest = Math.max(heaviest, edge.weight);
  // A dense map (thousands of edges) reads better with thinner links.
  const thin = map.edges.length > DENSE ? 0.8 : 1;
  for (const edge of map.edges) {
    if (!graph.hasNode(edge.source) || !graph.hasNode(edge.target)) continue;
    const overlap = edge.kind === "OVERLAP";
    const share = Math.log1p(edge.weight) / Math.log1p(heaviest);
    graph.addDirectedEdge(edge.source, edge.target, {
      kind: edge.kind,
      weight: edge.weight,
      color: EDGE_COLORS[edge.kind] ?? UNKNOWN_COLOR,
      size: overlap ? 0.6 + 2.4 * share : thin * (edge.kind === "SUB_PARTNER_OF" ? 1.8 : 1.4),
      layoutWeight: overlap ? 0.15 + 0.5 * share : 1,
      zIndex: overlap ? 0 : 1,
    });
  }
  return graph;
}

export function nodeColor(node: MapNode, colorBy: ColorBy): string {
  if (node.kind !== "Partner") return KIND_COLORS[node.kind as Exclude<NodeKind, "Partner">];
  if (colorBy === "community") return communityColor(node.community);
  return node.tier ? TIER_COLORS[node.tier] : UNKNOWN_COLOR;
}

/** The value a node is sized by; null where the viewer may not know it (another partner's
 * accounts not shared with it): such a node is drawn at a middling size, not as a speck. */
function sizeValue(node: MapNode, sizeBy: SizeBy): number | null {
  if (sizeBy === "influence") return node.influence ?? 0;
  return node.sizeKnown ? node.size : null;
}

/** Colour and size every node as asked: sizes by the square root, so areas follow the value. */
export function applyAppearance(graph: MapGraph, colorBy: ColorBy, sizeBy: SizeBy): void {
  let largest = 0;
  graph.forEachNode((_, attributes) => {
    largest = Math.max(largest, sizeValue(attributes.node, sizeBy) ?? 0);
  });
  graph.updateEachNodeAttributes((_, attributes) => {
    const value = sizeValue(attributes.node, sizeBy);
    const share = value === null ? UNKNOWN_SHARE : largest > 0 ? Math.sqrt(value / largest) : 0;
    return {
      ...attributes,
      color: nodeColor(attributes.node, colorBy),
      size: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * share,
    };
  });
}
