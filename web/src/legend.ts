// The legend: what the colours, sizes and edge kinds on the map mean — only what is shown.
import { el, titleCase } from "./dom";
import type { ColorBy, SizeBy } from "./graph";
import { EDGE_COLORS, EDGE_LABELS, KIND_COLORS, TIER_COLORS, communityColor } from "./palette";
import { type EdgeKind, type PartnerMap, TIERS } from "./types";

const EDGE_ORDER: readonly EdgeKind[] = [
  "SUB_PARTNER_OF",
  "CO_SELLS_WITH",
  "REFERS_TO",
  "INTEGRATES_WITH",
  "CO_CREATED",
  "HAS_ACCOUNT",
  "OVERLAP",
];
const MOST_COMMUNITIES = 8;

export function renderLegend(root: HTMLElement, map: PartnerMap | null, colorBy: ColorBy, sizeBy: SizeBy): void {
  root.replaceChildren();
  if (!map || !map.nodes.length) {
    root.hidden = true;
    return;
  }
  root.hidden = false;
  const nodes = el("ul", { class: "legend-list" });
  if (colorBy === "tier") {
    const present = new Set(map.nodes.map((node) => node.tier));
    for (const tier of TIERS) if (present.has(tier)) nodes.append(dot(TIER_COLORS[tier], titleCase(tier)));
  } else {
    const sizes = new Map<number, number>();
    for (const node of map.nodes) {
      if (node.kind === "Partner" && node.community !== null) {
        sizes.set(node.community, (sizes.get(node.community) ?? 0) + 1);
      }
    }
    const largest = [...sizes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [community, count] of largest.slice(0, MOST_COMMUNITIES)) {
      nodes.append(dot(communityColor(community), `Community ${community} (${count})`));
    }
    if (largest.length > MOST_COMMUNITIES) {
      nodes.append(el("li", { class: "muted" }, `+ ${largest.length - MOST_COMMUNITIES} more`));
    }
    if (!largest.length) nodes.append(el("li", { class: "muted" }, "No communities yet: run `partnergraph analyze`"));
  }
  const kinds = new Set(map.nodes.map((node) => node.kind));
  if (kinds.has("Customer")) nodes.append(dot(KIND_COLORS.Customer, "Customer"));
  if (kinds.has("Solution")) nodes.append(dot(KIND_COLORS.Solution, "Solution"));

  const edges = el("ul", { class: "legend-list" });
  const edgeKinds = new Set(map.edges.map((edge) => edge.kind));
  for (const kind of EDGE_ORDER) {
    if (!edgeKinds.has(kind)) continue;
    const swatch = el("span", { class: `swatch line${kind === "OVERLAP" ? " thin" : ""}` });
    swatch.style.backgroundColor = EDGE_COLORS[kind];
    edges.append(el("li", {}, swatch, EDGE_LABELS[kind]));
  }
  root.append(
    el("h3", {}, colorBy === "tier" ? "Tier" : "Community"),
    nodes,
    el("p", { class: "muted" }, sizeBy === "accounts" ? "Size: accounts" : "Size: influence"),
  );
  if (edgeKinds.size) root.append(el("h3", {}, "Links"), edges);
}

function dot(color: string, label: string): HTMLLIElement {
  const swatch = el("span", { class: "swatch dot" });
  swatch.style.backgroundColor = color;
  return el("li", {}, swatch, label);
}
