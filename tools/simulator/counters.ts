import type { RouteKind } from './routes.js';

/** Distinct ids counted one by one per route kind; bounded, so random ids cannot grow it forever. */
const MAX_COUNTED_IDS = 100_000;

/**
 * Exact request counts: in all, per route kind, and per route kind and id (the sync id, or the
 * connection id for `connection`), whatever the request log keeps.
 */
export class CallCounters {
  #total = 0;
  readonly #byRoute = new Map<RouteKind, number>();
  readonly #byId = new Map<RouteKind, Map<string, number>>();

  /** Counts one request; `route` is undefined for unknown paths and wrong methods. */
  count(route: RouteKind | undefined, id: string | undefined): void {
    this.#total += 1;
    if (route === undefined) return;
    this.#byRoute.set(route, (this.#byRoute.get(route) ?? 0) + 1);
    if (id === undefined) return;
    let ids = this.#byId.get(route);
    if (ids === undefined) {
      ids = new Map();
      this.#byId.set(route, ids);
    }
    const count = ids.get(id);
    if (count !== undefined || ids.size < MAX_COUNTED_IDS) ids.set(id, (count ?? 0) + 1);
  }

  /** Requests in all, of one route kind, or of one route kind for one id. */
  get(route?: RouteKind, id?: string): number {
    if (route === undefined) return this.#total;
    if (id === undefined) return this.#byRoute.get(route) ?? 0;
    return this.#byId.get(route)?.get(id.toLowerCase()) ?? 0;
  }

  reset(): void {
    this.#total = 0;
    this.#byRoute.clear();
    this.#byId.clear();
  }
}
