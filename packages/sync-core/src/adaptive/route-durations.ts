import { LRUCache } from 'lru-cache';
import { nearestRank } from './nearest-rank.js';

/** How many routes `RouteDurations` remembers (the least recently used are forgotten first; races use a fraction of Zwift's few hundred routes). */
export const ROUTE_DURATION_ROUTES = 200;
/** Observations kept per route (older ones drop out first). */
export const ROUTE_DURATION_SAMPLES = 5;
/** Ratios outside this range are not a race's length but a broken row (a stray time, a wrong distance). */
const SANE_RATIO: readonly [number, number] = [0.5, 4];

/**
 * How long races on each route really took, as a ratio of the flat estimate (distance at the slowest
 * listed pen's speed, see `flatDurationMs`), learned from the finish times in their results. Climbing,
 * drafting and the pens' real speeds make that ratio a property of the route, and series repeat
 * their routes (the same route all day or all week), so a route's earlier races predict its next.
 * Unlike the publication delay, a finish time is observed exactly whenever the results are fetched,
 * so the ratio does not depend on when the queue happened to look.
 */
export class RouteDurations {
  private readonly routes = new LRUCache<string, number[]>({ max: ROUTE_DURATION_ROUTES });

  /** @param entries earlier observations, `[routeId, ratios (oldest first)]`, least recently used first. */
  constructor(entries: readonly (readonly [string, readonly number[]])[] = []) {
    for (const [routeId, ratios] of entries) {
      const kept = ratios.filter(sane).slice(-ROUTE_DURATION_SAMPLES);
      if (kept.length > 0) this.routes.set(routeId, kept);
    }
  }

  /** Records one race on `routeId` that took `ratio` × its flat estimate (insane ratios are ignored). */
  observe(routeId: string, ratio: number): void {
    if (!sane(ratio)) return;
    // Four decimals (a second in three hours) keep the persisted cursor small.
    const rounded = Math.round(ratio * 10_000) / 10_000;
    const ratios = [...(this.routes.get(routeId) ?? []), rounded].slice(-ROUTE_DURATION_SAMPLES);
    this.routes.set(routeId, ratios);
  }

  /** The median ratio of the route's recent races, or null when no race on it was observed. */
  ratio(routeId: string | null): number | null {
    if (routeId === null) return null;
    const ratios = this.routes.get(routeId);
    return ratios && ratios.length > 0 ? median(ratios) : null;
  }

  /**
   * The `q` quantile (0…1, nearest rank) of the routes' median ratios — what to expect of a route not
   * seen yet — or null with fewer than `minRoutes` routes.
   */
  quantile(q: number, minRoutes: number): number | null {
    if (this.routes.size === 0 || this.routes.size < minRoutes) return null;
    return nearestRank(
      this.medians().map(([, ratio]) => ratio),
      q,
    );
  }

  /** Each route's median ratio, as `[routeId, ratio]`. */
  medians(): [string, number][] {
    const out: [string, number][] = [];
    for (const routeId of this.routes.keys()) out.push([routeId, median(this.routes.peek(routeId)!)]);
    return out;
  }

  /** The observations as `[routeId, ratios]`, least recently used first (what a job cursor persists). */
  toJSON(): [string, number[]][] {
    const out: [string, number[]][] = [];
    for (const routeId of this.routes.rkeys()) {
      const ratios = this.routes.peek(routeId);
      if (ratios) out.push([routeId, [...ratios]]);
    }
    return out;
  }

  /** Reads observations back from a persisted cursor value; anything malformed is dropped. */
  static from(value: unknown): RouteDurations {
    if (!Array.isArray(value)) return new RouteDurations();
    const entries: [string, number[]][] = [];
    for (const entry of value) {
      if (!Array.isArray(entry) || entry.length !== 2) continue;
      const [routeId, ratios] = entry as unknown[];
      if (typeof routeId !== 'string' || !Array.isArray(ratios)) continue;
      entries.push([routeId, ratios.filter((x): x is number => typeof x === 'number')]);
    }
    return new RouteDurations(entries);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sane(ratio: number): boolean {
  return Number.isFinite(ratio) && ratio >= SANE_RATIO[0] && ratio <= SANE_RATIO[1];
}
