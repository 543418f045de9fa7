// The token box in the header: paste a bearer token, or forget the one this tab holds.
import { el } from "./dom";
import type { TokenStore } from "./token";

export interface TokenBoxEvents {
  changed(): void;
}

export class TokenBox {
  constructor(
    private readonly root: HTMLElement,
    private readonly tokens: TokenStore,
    private readonly events: TokenBoxEvents,
  ) {}

  render(): void {
    this.root.replaceChildren(this.tokens.get() ? this.held() : this.ask());
  }

  focus(): void {
    this.root.querySelector("input")?.focus();
  }

  private ask(): HTMLElement {
    const input = el("input", {
      id: "token-input",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "Paste a bearer token",
      "aria-label": "Bearer token",
    });
    const form = el(
      "form",
      { class: "token-form", id: "token-form" },
      input,
      el("button", { type: "submit", class: "primary" }, "Use token"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      this.tokens.set(input.value);
      this.render();
      this.events.changed();
    });
    return form;
  }

  private held(): HTMLElement {
    const forget = el("button", { type: "button", id: "forget-token" }, "Forget token");
    forget.addEventListener("click", () => {
      this.tokens.forget();
      this.render();
      this.events.changed();
    });
    return el("div", { class: "token-held" }, el("span", { class: "token-state" }, "Token kept for this tab"), forget);
  }
}
