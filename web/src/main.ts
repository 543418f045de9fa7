// The partner map page: wires the token, the search, the form, the map, the panel and the
// messages together. Every question goes to /graphql with the tab's bearer token.
import "./style.css";
import { Api, ApiError } from "./api";
import { type Appearance, isAppearanceField, readAppearance, readArguments } from "./controls";
import { byId, el, formatNumber, titleCase } from "./dom";
import { renderLegend } from "./legend";
import { Panel, type Picked } from "./panel";
import { PartnerSearch } from "./search";
import { TokenStore } from "./token";
import { TokenBox } from "./tokenbox";
import type { InfluencePath, MapNode, PartnerMap } from "./types";
import { MapView } from "./view";

/** What the page measured for the last map it drew (for benchmarks and tests). */
export interface MapStats {
  nodes: number;
  edges: number;
  truncated: boolean;
  fetchMs: number;
  layoutMs: number;
  drawMs: number;
  totalMs: number;
  /** When it was drawn, counted from the page's navigation start. */
  sinceNavigationMs: number;
}

interface PageHooks {
  stats: MapStats | null;
  drawn: number;
  positionOf(id: string): { x: number; y: number } | null;
  nodeIds(): string[];
  highlighted(): string[];
}

declare global {
  interface Window {
    partnerMap: PageHooks;
  }
}

const EXPIRED = "Token missing or expired — paste a new one.";

const tokens = new TokenStore();
tokens.takeFromFragment();
const api = new Api(() => tokens.get());

const message = byId("message");
const status = byId("status");
const loading = byId("loading");
const tooltip = byId("tooltip");
const legend = byId("legend");
const centerChip = byId("center-chip");

let map: PartnerMap | null = null;
let center: Picked | null = null;
let drawing = 0;
let ends: { start: Picked | null; end: Picked | null } = { start: null, end: null };
let paths: InfluencePath[] | "loading" | ApiError | null = null;
let selectedPath = 0;

const tokenBox = new TokenBox(byId("token-area"), tokens, { changed: () => void draw() });

const view = new MapView(byId("map"), {
  hover: (node, at) => showTooltip(node, at),
  click: (node, shift) => (shift ? pickForPath(node) : void panel.open(node)),
  clickBackground: () => panel.close(),
});

const panel = new Panel(byId("panel"), api, {
  center: (node) => setCenter({ id: node.id, label: node.label }),
  pick: (end, node) => setEnd(end, node),
  selectPath: (index) => {
    selectedPath = index;
    renderPaths();
  },
  open: (id) => void openById(id),
  close: () => panel.close(),
  refused: (error) => {
    if (error.code === "UNAUTHENTICATED") tokenExpired();
  },
});

new PartnerSearch(byId<HTMLInputElement>("search"), byId<HTMLUListElement>("search-hits"), api, {
  pick: (hit) => setCenter({ id: hit.id, label: hit.name }),
  error: (error) => showError(error),
});

window.partnerMap = {
  stats: null,
  drawn: 0,
  positionOf: (id) => view.positionOf(id),
  nodeIds: () => map?.nodes.map((node) => node.id) ?? [],
  highlighted: () => view.highlighted(),
};

const form = byId<HTMLFormElement>("controls");
form.addEventListener("submit", (event) => {
  event.preventDefault();
  void draw();
});
form.addEventListener("change", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.id === "search") return;
  if (isAppearanceField(event.target)) restyle(readAppearance());
  else void draw();
});
byId("zoom-in").addEventListener("click", () => view.zoom("in"));
byId("zoom-out").addEventListener("click", () => view.zoom("out"));
byId("zoom-reset").addEventListener("click", () => view.zoom("reset"));

// A link may name the center too: /map#center=<global id> (kept, so it can be shared).
const linked = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("center");
if (linked) center = { id: linked, label: "…" };

tokenBox.render();
renderCenter();
void draw();

async function draw(): Promise<void> {
  const asked = ++drawing;
  if (!tokens.get()) {
    showMessage("Paste a bearer token above to see the map (`partnergraph token --role admin` prints one).", "info");
    tokenBox.focus();
    return;
  }
  const args = readArguments(center?.id ?? null);
  const began = performance.now();
  setLoading(true);
  try {
    const answer = await api.partnerMap(args);
    if (asked !== drawing) return;
    const fetchMs = performance.now() - began;
    hideMessage();
    map = answer;
    const named = center && answer.nodes.find((node) => node.id === center?.id);
    if (named && center && center.label !== named.label) {
      center = { id: center.id, label: named.label };
      renderCenter();
    }
    const appearance = readAppearance();
    const times = await view.show(answer, args.center, appearance.colorBy, appearance.sizeBy);
    if (asked !== drawing) return;
    const stats: MapStats = {
      nodes: answer.nodes.length,
      edges: answer.edges.length,
      truncated: answer.truncated,
      fetchMs,
      ...times,
      totalMs: performance.now() - began,
      sinceNavigationMs: performance.now(),
    };
    window.partnerMap.stats = stats;
    window.partnerMap.drawn += 1;
    renderStatus(stats, args.limit);
    renderLegend(legend, answer, appearance.colorBy, appearance.sizeBy);
    if (!answer.nodes.length) showMessage("Nothing to draw: no partner matches these settings.", "info");
    if (Array.isArray(paths)) showSelectedPath();
  } catch (error) {
    if (asked !== drawing) return;
    showError(error);
  } finally {
    if (asked === drawing) setLoading(false);
  }
}

function restyle(appearance: Appearance): void {
  view.restyle(appearance.colorBy, appearance.sizeBy);
  renderLegend(legend, map, appearance.colorBy, appearance.sizeBy);
}

function setCenter(picked: Picked | null): void {
  center = picked;
  if (!picked) byId<HTMLInputElement>("search").value = "";
  renderCenter();
  void draw();
}

function renderCenter(): void {
  centerChip.replaceChildren();
  if (!center) {
    centerChip.append(el("span", { class: "muted" }, "No center: the whole ecosystem, filtered"));
    return;
  }
  const clear = el("button", { type: "button", class: "icon", "aria-label": "Remove the center", title: "Remove the center" }, "×");
  clear.addEventListener("click", () => setCenter(null));
  centerChip.append(el("span", { class: "chip" }, el("span", { class: "chip-label" }, "Center"), el("strong", {}, center.label), clear));
}

function pickForPath(node: MapNode): void {
  const picked = { id: node.id, label: node.label };
  if (!ends.start) setEnd("start", picked);
  else setEnd("end", picked);
}

function setEnd(end: "start" | "end", picked: Picked | null): void {
  ends = { ...ends, [end]: picked };
  paths = null;
  selectedPath = 0;
  view.showPath(null, readAppearance().colorBy);
  renderPaths();
  if (ends.start && ends.end) void findPaths(ends.start, ends.end);
}

async function findPaths(start: Picked, end: Picked): Promise<void> {
  paths = "loading";
  renderPaths();
  try {
    const found = await api.influencePaths(start.id, end.id, 3);
    if (ends.start !== start || ends.end !== end) return;
    paths = found;
  } catch (error) {
    if (ends.start !== start || ends.end !== end) return;
    paths = error instanceof ApiError ? error : new ApiError("ERROR", String(error));
    if (paths.code === "UNAUTHENTICATED") tokenExpired();
  }
  renderPaths();
}

function renderPaths(): void {
  panel.showPaths(ends.start, ends.end, paths, selectedPath);
  showSelectedPath();
}

function showSelectedPath(): void {
  const chosen = Array.isArray(paths) ? (paths[selectedPath] ?? null) : null;
  const covered = byId("panel").hidden ? 0 : byId("panel").offsetWidth + 20;
  if (chosen) tooltip.hidden = true; // the camera moves: a tooltip would point at nothing
  view.showPath(chosen, readAppearance().colorBy, covered);
}

async function openById(id: string): Promise<void> {
  const known = view.nodeOf(id);
  if (known) {
    await panel.open(known);
    return;
  }
  try {
    const details = await api.details(id);
    if (!details) return;
    await panel.open({
      id,
      key: details.key,
      label: details.name,
      kind: details.__typename,
      tier: details.tier ?? null,
      type: details.type ?? null,
      region: details.region ?? null,
      size: 0,
      sizeKnown: false,
      influence: details.influence ?? null,
      community: details.community ?? null,
      distance: null,
    }, false);
  } catch (error) {
    showError(error);
  }
}

function renderStatus(stats: MapStats, limit: number): void {
  const parts = [`${formatNumber(stats.nodes)} nodes · ${formatNumber(stats.edges)} edges`];
  if (stats.truncated) parts.push(`truncated to the ${formatNumber(Math.min(limit, stats.nodes))} most important`);
  status.replaceChildren(el("span", { id: "counts" }, parts.join(" · ")));
  status.hidden = false;
}

function showTooltip(node: MapNode | null, at: { x: number; y: number } | null): void {
  if (!node || !at) {
    tooltip.hidden = true;
    return;
  }
  const accounts = node.sizeKnown ? formatNumber(node.size) : "not shared with you";
  const sizeName = node.kind === "Partner" ? "Accounts" : "Partners";
  const meta = [node.kind, node.tier ? titleCase(node.tier) : null, node.type ? titleCase(node.type) : null, node.region];
  tooltip.replaceChildren(
    el("strong", {}, node.label),
    el("span", {}, meta.filter(Boolean).join(" · ")),
    el("span", {}, `${sizeName}: ${accounts}`),
  );
  tooltip.hidden = false;
  const stage = byId("stage").getBoundingClientRect();
  const panel = byId("panel");
  // Right of the pointer, or left of it where the panel (or the stage's edge) would cover it.
  const right = stage.width - (panel.hidden ? 0 : panel.offsetWidth + 20) - 8;
  const beside = at.x + 14 + tooltip.offsetWidth > right ? at.x - 14 - tooltip.offsetWidth : at.x + 14;
  const x = Math.min(beside, right - tooltip.offsetWidth);
  const y = Math.min(at.y + 14, stage.height - tooltip.offsetHeight - 8);
  tooltip.style.transform = `translate(${Math.max(8, x)}px, ${Math.max(8, y)}px)`;
}

function setLoading(on: boolean): void {
  loading.hidden = !on;
  byId("stage").setAttribute("aria-busy", String(on));
}

function showError(error: unknown): void {
  const refused = error instanceof ApiError ? error : new ApiError("ERROR", String(error));
  if (refused.code === "UNAUTHENTICATED") {
    tokenExpired();
    return;
  }
  showMessage(refused.message, "error", refused.code);
}

function tokenExpired(): void {
  tokens.forget();
  tokenBox.render();
  showMessage(EXPIRED, "error", "UNAUTHENTICATED");
  tokenBox.focus();
}

function showMessage(text: string, kind: "error" | "info", code?: string): void {
  message.replaceChildren(el("span", {}, text));
  if (code && code !== "UNAUTHENTICATED") message.append(el("code", { class: "code" }, code));
  message.className = `message ${kind}`;
  message.dataset.code = code ?? "";
  message.hidden = false;
}

function hideMessage(): void {
  message.hidden = true;
  message.dataset.code = "";
}
