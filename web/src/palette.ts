// Colours of nodes (by tier, by community, by kind) and of edges (by kind).
import type { EdgeKind, NodeKind, Tier } from "./types";

export const TIER_COLORS: Record<Tier, string> = {
  PLATINUM: "#6d28d9",
  GOLD: "#e08e0b",
  SILVER: "#0e8ca8",
  REGISTERED: "#94a3b8",
};

export const KIND_COLORS: Record<Exclude<NodeKind, "Partner">, string> = {
  Customer: "#be185d",
  Solution: "#15803d",
};

export const EDGE_COLORS: Record<EdgeKind, string> = {
  SUB_PARTNER_OF: "#1e3a8acc",
  CO_SELLS_WITH: "#ea580cb3",
  REFERS_TO: "#c026d3b3",
  INTEGRATES_WITH: "#0284c7b3",
  CO_CREATED: "#16a34ab3",
  HAS_ACCOUNT: "#a16207b3",
  OVERLAP: "#94a3b870",
};

export const EDGE_LABELS: Record<EdgeKind, string> = {
  SUB_PARTNER_OF: "sub-partner of",
  CO_SELLS_WITH: "co-sells with",
  REFERS_TO: "refers to",
  INTEGRATES_WITH: "integrates with",
  CO_CREATED: "co-created",
  HAS_ACCOUNT: "has account",
  OVERLAP: "shared customers",
};

// Tableau's 20 categorical colours: distinct on white, readable in a legend.
const COMMUNITY_COLORS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#79706e", "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d", "#f1ce63", "#86bcb6",
  "#ff9d9a", "#d37295", "#fabfd2", "#d4a6c8",
];
export const UNKNOWN_COLOR = "#cbd5e1";
export const DIMMED_NODE = "#e5e7eb";
export const DIMMED_EDGE = "#f1f5f9";
export const PATH_COLOR = "#111827";

export function communityColor(community: number | null): string {
  if (community === null || community < 0) return UNKNOWN_COLOR;
  return COMMUNITY_COLORS[community % COMMUNITY_COLORS.length] ?? UNKNOWN_COLOR;
}
