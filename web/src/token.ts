// The bearer token: kept in this tab's sessionStorage only. A link may carry one in its
// fragment (`/map#token=...`), which never reaches a server; it is moved into storage and
// removed from the address bar at once (anything else in the fragment stays).
const KEY = "partnergraph.token";

export class TokenStore {
  constructor(private readonly storage: Storage = window.sessionStorage) {}

  get(): string | null {
    return this.storage.getItem(KEY);
  }

  set(token: string): void {
    this.storage.setItem(KEY, token.trim().replace(/^Bearer\s+/i, ""));
  }

  forget(): void {
    this.storage.removeItem(KEY);
  }

  /** Take a token from the address's fragment, if there is one, and strip it. */
  takeFromFragment(location: Location = window.location): void {
    const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
    const token = fragment.get("token");
    if (!token) return;
    this.set(token);
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
}
