// Where the nodes go: a first guess (rings by distance from the center, or a cluster per
// community), then a few hundred synchronous ForceAtlas2 iterations (Barnes-Hut on large maps).
// 500 nodes and 10,000 edges take well under a second.
import forceAtlas2 from "graphology-layout-forceatlas2";
import type { MapGraph } from "./graph";

const RING = 100;

export interface LayoutOptions {
  center: string | null;
}

export function layout(graph: MapGraph, options: LayoutOptions): void {
  if (options.center && graph.hasNode(options.center)) seedRings(graph, options.center);
  else seedCommunities(graph);
  const order = graph.order;
  if (order < 2) return;
  const settings = {
    ...forceAtlas2.inferSettings(order),
    barnesHutOptimize: order > 200,
    barnesHutTheta: 0.6,
    linLogMode: true,
    strongGravityMode: false,
    gravity: 1,
    scalingRatio: 10,
    slowDown: 1 + Math.log10(order),
    outboundAttractionDistribution: false,
    edgeWeightInfluence: 1,
  };
  const iterations = graph.size > 5000 || order > 300 ? 150 : 300;
  const pinned = options.center && graph.hasNode(options.center) ? options.center : null;
  if (pinned) graph.setNodeAttribute(pinned, "fixed", true); // the center stays in the middle
  forceAtlas2.assign(graph, { iterations, settings, getEdgeWeight: "layoutWeight" });
  if (pinned) graph.removeNodeAttribute(pinned, "fixed");
}

/** Rings by `distance` from the center, sorted around each ring by community then key. */
function seedRings(graph: MapGraph, center: string): void {
  let farthest = 0;
  graph.forEachNode((_, attributes) => {
    farthest = Math.max(farthest, attributes.node.distance ?? 0);
  });
  const rings = new Map<number, string[]>();
  graph.forEachNode((id, attributes) => {
    const distance = id === center ? 0 : (attributes.node.distance ?? farthest + 1);
    const ring = rings.get(distance) ?? [];
    ring.push(id);
    rings.set(distance, ring);
  });
  for (const [distance, ids] of rings) {
    ids.sort((a, b) => compareByCommunity(graph, a, b));
    ids.forEach((id, index) => {
      const angle = (2 * Math.PI * index) / ids.length + distance * 0.7;
      const radius = distance * RING;
      graph.mergeNodeAttributes(id, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
    });
  }
  graph.mergeNodeAttributes(center, { x: 0, y: 0 });
}

/** One sunflower per community, the communities themselves around a circle. */
function seedCommunities(graph: MapGraph): void {
  const groups = new Map<number, string[]>();
  graph.forEachNode((id, attributes) => {
    const community = attributes.node.community ?? -1;
    const group = groups.get(community) ?? [];
    group.push(id);
    groups.set(community, group);
  });
  const ordered = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  const spread = RING * Math.sqrt(graph.order) * 0.6;
  ordered.forEach(([, ids], groupIndex) => {
    const angle = (2 * Math.PI * groupIndex) / ordered.length;
    const cx = ordered.length > 1 ? spread * Math.cos(angle) : 0;
    const cy = ordered.length > 1 ? spread * Math.sin(angle) : 0;
    ids.sort();
    ids.forEach((id, index) => {
      const r = RING * 0.5 * Math.sqrt(index);
      const theta = index * 2.399963; // the golden angle: an even disc
      graph.mergeNodeAttributes(id, { x: cx + r * Math.cos(theta), y: cy + r * Math.sin(theta) });
    });
  });
}

function compareByCommunity(graph: MapGraph, a: string, b: string): number {
  const left = graph.getNodeAttribute(a, "node");
  const right = graph.getNodeAttribute(b, "node");
  const byCommunity = (left.community ?? -1) - (right.community ?? -1);
  if (byCommunity !== 0) return byCommunity;
  return left.key < right.key ? -1 : left.key > right.key ? 1 : 0;
}
