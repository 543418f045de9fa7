// Type-ahead search for a partner by name: debounced, keyboard up/down/enter/escape, and
// only the answer to the latest text is shown.
import type { Api } from "./api";
import { ApiError } from "./api";
import { debounce, el, titleCase } from "./dom";
import type { PartnerHit } from "./types";

export interface SearchEvents {
  pick(hit: PartnerHit): void;
  error(error: ApiError): void;
}

const WAIT_MS = 200;

export class PartnerSearch {
  private hits: PartnerHit[] = [];
  private active = -1;
  private asked = 0;

  constructor(
    private readonly input: HTMLInputElement,
    private readonly list: HTMLUListElement,
    private readonly api: Api,
    private readonly events: SearchEvents,
  ) {
    const ask = debounce(WAIT_MS, () => void this.lookUp());
    input.addEventListener("input", ask);
    input.addEventListener("keydown", (event) => this.onKey(event));
    input.addEventListener("blur", () => window.setTimeout(() => this.close(), 150));
    input.addEventListener("focus", () => {
      if (this.hits.length) this.render();
    });
  }

  private async lookUp(): Promise<void> {
    const text = this.input.value.trim();
    const asked = ++this.asked;
    if (!text) {
      this.hits = [];
      this.close();
      return;
    }
    this.list.setAttribute("aria-busy", "true");
    try {
      const hits = await this.api.searchPartners(text, 8);
      if (asked !== this.asked) return; // a later keystroke has its own answer coming
      this.hits = hits;
      this.active = hits.length ? 0 : -1;
      this.render();
    } catch (error) {
      if (asked !== this.asked) return;
      this.close();
      this.events.error(error instanceof ApiError ? error : new ApiError("ERROR", String(error)));
    } finally {
      if (asked === this.asked) this.list.removeAttribute("aria-busy");
    }
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!this.hits.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.hits.length) % this.hits.length;
      this.render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const hit = this.hits[this.active];
      if (hit) this.choose(hit);
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  private choose(hit: PartnerHit): void {
    this.input.value = hit.name;
    this.hits = [];
    this.close();
    this.events.pick(hit);
  }

  private render(): void {
    this.list.replaceChildren();
    if (!this.hits.length) {
      this.list.append(el("li", { class: "empty" }, "No partner by that name"));
    }
    this.hits.forEach((hit, index) => {
      const option = el(
        "li",
        { role: "option", id: `hit-${index}`, "aria-selected": String(index === this.active) },
        el("span", { class: "hit-name" }, hit.name),
        el("span", { class: "hit-meta" }, [titleCase(hit.tier), titleCase(hit.type), hit.region].filter(Boolean).join(" · ")),
      );
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus, so blur does not close the list first
        this.choose(hit);
      });
      this.list.append(option);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `hit-${this.active}`);
  }

  private close(): void {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }
}
