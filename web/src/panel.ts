// The side panel: a clicked node's details and top overlaps, and the influence paths between
// the two nodes picked as start and end.
import type { Api } from "./api";
import { ApiError } from "./api";
import { el, formatNumber, titleCase } from "./dom";
import { EDGE_LABELS } from "./palette";
import type { EdgeKind, InfluencePath, MapNode, NodeDetails, PartnerOverlap, TierReview } from "./types";

export interface Picked {
  id: string;
  label: string;
}

export interface PanelEvents {
  center(node: MapNode): void;
  pick(end: "start" | "end", node: Picked | null): void;
  selectPath(index: number): void;
  open(id: string): void;
  close(): void;
  refused(error: ApiError): void;
}

export class Panel {
  private shown: MapNode | null = null;
  private opened = 0;
  private readonly details: HTMLElement;
  private readonly paths: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: Api,
    private readonly events: PanelEvents,
  ) {
    this.details = el("section", { class: "details", "aria-live": "polite" });
    this.paths = el("section", { class: "paths", "aria-live": "polite" });
    root.append(this.details, this.paths);
  }

  get node(): MapNode | null {
    return this.shown;
  }

  /** Show a node: what the map knows at once, then its details and overlaps from the API
   * (`onMap` false for a node reached from the panel, whose size the map did not give). */
  async open(node: MapNode, onMap = true): Promise<void> {
    const opened = ++this.opened;
    this.shown = node;
    this.root.hidden = false;
    const body = el("div", { class: "detail-body" }, el("p", { class: "loading-line" }, "Loading details…"));
    const overlaps = el("div", { class: "overlaps" });
    const tiers = el("div", { class: "tier-review" });
    this.details.replaceChildren(this.header(node), body, this.actions(node), tiers, overlaps);
    if (node.kind === "Partner") {
      tiers.append(el("h3", {}, "Tier review"), el("p", { class: "loading-line" }, "Loading…"));
      overlaps.append(el("h3", {}, "Top overlaps"), el("p", { class: "loading-line" }, "Loading…"));
    }
    // The questions go out at once; each outcome is kept, so a refusal is never unhandled.
    const details = settle(this.api.details(node.id));
    const review = node.kind === "Partner" ? settle(this.api.tierReview(node.id)) : null;
    const top = node.kind === "Partner" ? settle(this.api.topOverlaps(node.id, 5)) : null;
    const found = await details;
    if (opened !== this.opened) return;
    if (found.ok) {
      body.replaceChildren(found.value ? this.facts(found.value, onMap ? node : null) : el("p", { class: "muted" }, "Not found (removed since the map was drawn?)"));
    } else {
      body.replaceChildren(this.refusal(found.error));
    }
    if (review) {
      const judged = await review;
      if (opened !== this.opened) return;
      tiers.replaceChildren(el("h3", {}, "Tier review"), this.tierReview(judged));
    }
    if (!top) return;
    const list = await top;
    if (opened !== this.opened) return;
    if (list.ok) {
      overlaps.replaceChildren(el("h3", {}, "Top overlaps"), this.overlapList(list.value));
    } else {
      const error = list.error;
      const forbidden = error instanceof ApiError && error.code === "FORBIDDEN";
      overlaps.replaceChildren(
        el("h3", {}, "Top overlaps"),
        forbidden
          ? el("p", { class: "notice", "data-code": "FORBIDDEN" }, "Not shared with you: this partner has not granted you its overlap counts.")
          : this.refusal(error),
      );
    }
  }

  close(): void {
    this.opened += 1;
    this.shown = null;
    this.details.replaceChildren();
    this.updateVisibility();
  }

  /** The picked ends and, once both are there, the paths (or why there are none). */
  showPaths(
    start: Picked | null,
    end: Picked | null,
    paths: InfluencePath[] | "loading" | ApiError | null,
    selected: number,
  ): void {
    this.paths.replaceChildren();
    if (!start && !end) {
      this.updateVisibility();
      return;
    }
    this.paths.append(el("h3", {}, "Influence path"), this.pickRow("From", "start", start), this.pickRow("To", "end", end));
    if (!start || !end) {
      this.paths.append(el("p", { class: "muted" }, "Pick the other end: shift-click a node, or use a node's panel."));
    } else if (paths === "loading") {
      this.paths.append(el("p", { class: "loading-line" }, "Finding paths…"));
    } else if (paths instanceof ApiError) {
      this.paths.append(this.refusal(paths));
    } else if (paths && !paths.length) {
      this.paths.append(el("p", { class: "muted" }, "No path within 4 hops that you may see."));
    } else if (paths) {
      const list = el("ol", { class: "path-list" });
      paths.forEach((path, index) => {
        const item = el(
          "li",
          { class: index === selected ? "selected" : "" },
          el(
            "button",
            { type: "button", class: "path-choice", "aria-pressed": String(index === selected) },
            el("span", { class: "path-score" }, `${formatNumber(path.influence * 100, 1)}% influence · ${path.hops} hop${path.hops === 1 ? "" : "s"}`),
            el("span", { class: "path-steps" }, describeSteps(path)),
          ),
        );
        item.querySelector("button")?.addEventListener("click", () => this.events.selectPath(index));
        list.append(item);
      });
      this.paths.append(list);
    }
    this.updateVisibility();
  }

  private header(node: MapNode): HTMLElement {
    const close = el("button", { type: "button", class: "icon", "aria-label": "Close the panel", title: "Close" }, "×");
    close.addEventListener("click", () => this.events.close());
    return el(
      "header",
      { class: "panel-head" },
      el("span", { class: `kind kind-${node.kind.toLowerCase()}` }, node.kind),
      el("h2", {}, node.label),
      close,
    );
  }

  private actions(node: MapNode): HTMLElement {
    const center = el("button", { type: "button" }, "Center the map here");
    center.addEventListener("click", () => this.events.center(node));
    const from = el("button", { type: "button" }, "Path from here");
    from.addEventListener("click", () => this.events.pick("start", { id: node.id, label: node.label }));
    const to = el("button", { type: "button" }, "Path to here");
    to.addEventListener("click", () => this.events.pick("end", { id: node.id, label: node.label }));
    return el("div", { class: "actions" }, center, from, to);
  }

  private facts(details: NodeDetails, node: MapNode | null): HTMLElement {
    const rows: [string, string | null | undefined][] = [
      ["Key", details.key],
      ["Type", details.type ? titleCase(details.type) : null],
      ["Tier", details.tier ? titleCase(details.tier) : null],
      ["Stage", details.stage ? titleCase(details.stage) : null],
      ["Region", details.region],
      ["Country", details.country],
      ["Industries", details.industries?.join(", ") || null],
      ["Industry", details.industry],
      ["Domain", details.domain],
      ["Employees", details.employees != null ? formatNumber(details.employees) : null],
      ["Launched", details.launchedOn],
      ["Influence", details.influence != null ? formatNumber(details.influence, 4) : null],
      ["Community", details.community != null ? String(details.community) : null],
      node ? [sizeLabel(node), node.sizeKnown ? formatNumber(node.size) : node.kind === "Partner" ? "not shared with you" : null] : ["", null],
    ];
    const list = el("dl", { class: "facts" });
    for (const [name, value] of rows) {
      if (value === null || value === undefined || value === "") continue;
      list.append(el("dt", {}, name), el("dd", {}, value));
    }
    return list;
  }

  /** What the partner's sales over the last 365 days qualify it for, and what the next tier
   * still asks; another partner's review is its own (FORBIDDEN for a partner token). */
  private tierReview(judged: Settled<TierReview | null>): HTMLElement {
    if (!judged.ok) {
      const error = judged.error;
      if (error instanceof ApiError && error.code === "FORBIDDEN") {
        return el("p", { class: "notice", "data-code": "FORBIDDEN" }, "Not shared with you: a partner's tier review is its own.");
      }
      return this.refusal(error);
    }
    const review = judged.value;
    if (!review) return el("p", { class: "muted" }, "No review.");
    const was = titleCase(review.current);
    const moves: Record<TierReview["change"], string> = { UPGRADE: `up from ${was}`, DOWNGRADE: `down from ${was}`, HOLD: "holds" };
    const rows: [string, string][] = [
      ["Qualifies for", `${titleCase(review.qualified)} (${moves[review.change]})`],
      ["Sales, 365 days", `${formatNumber(review.sales, 0)} · ${formatNumber(review.wonDeals)} won deal${review.wonDeals === 1 ? "" : "s"}`],
    ];
    if (review.nextTier) {
      const lacking = [
        review.salesToNext ? `${formatNumber(review.salesToNext, 0)} in sales` : null,
        review.dealsToNext ? `${formatNumber(review.dealsToNext)} won deal${review.dealsToNext === 1 ? "" : "s"}` : null,
      ].filter((part): part is string => part !== null);
      rows.push([`To ${titleCase(review.nextTier)}`, lacking.length ? lacking.join(" and ") + " more" : "reached"]);
    }
    const list = el("dl", { class: "facts", "data-change": review.change });
    for (const [name, value] of rows) list.append(el("dt", {}, name), el("dd", {}, value));
    return list;
  }

  private overlapList(list: PartnerOverlap[]): HTMLElement {
    if (!list.length) return el("p", { class: "muted" }, "No shared customers.");
    const items = el("ol", { class: "overlap-list" });
    for (const overlap of list) {
      const link = el("button", { type: "button", class: "link" }, overlap.partner.name);
      link.addEventListener("click", () => this.events.open(overlap.partner.id));
      items.append(
        el(
          "li",
          {},
          link,
          el("span", { class: "overlap-count" }, `${formatNumber(overlap.count)} shared · ${formatNumber(overlap.jaccard * 100, 1)}%`),
        ),
      );
    }
    return items;
  }

  private pickRow(label: string, end: "start" | "end", picked: Picked | null): HTMLElement {
    const row = el("div", { class: "pick" }, el("span", { class: "pick-label" }, label), el("span", { class: "pick-name" }, picked?.label ?? "—"));
    if (picked) {
      const clear = el("button", { type: "button", class: "icon", "aria-label": `Clear ${label.toLowerCase()}` }, "×");
      clear.addEventListener("click", () => this.events.pick(end, null));
      row.append(clear);
    }
    return row;
  }

  private refusal(error: unknown): HTMLElement {
    const refused = error instanceof ApiError ? error : new ApiError("ERROR", String(error));
    this.events.refused(refused);
    return el("p", { class: "notice", "data-code": refused.code }, refused.message);
  }

  private updateVisibility(): void {
    this.root.hidden = !this.details.childElementCount && !this.paths.childElementCount;
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function sizeLabel(node: MapNode): string {
  if (node.kind === "Customer") return "Partners holding it";
  if (node.kind === "Solution") return "Partners";
  return "Accounts";
}

function describeSteps(path: InfluencePath): string {
  return path.steps
    .map((step, index) => {
      if (index === 0 || !step.via) return step.label;
      const via = EDGE_LABELS[step.via as EdgeKind] ?? titleCase(step.via);
      return `— ${via} → ${step.label}`;
    })
    .join(" ");
}
