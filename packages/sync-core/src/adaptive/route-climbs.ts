import { budgetOf } from '../engine/budget.js';
import { classifyError } from '../engine/classify-error.js';
import type { RunContext } from '../engine/job.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';

/**
 * Metres of climbing per km of every route, from the source's route list (`source.routes`, one
 * site call every `results.routesIntervalMs`), kept in memory: what the results queue predicts a new
 * route's race length from (see `fitOnClimbing`). Without a route list (a source without `routes`, a
 * failed call, an unknown route) a route has no climbing and the queue expects a low quantile of the
 * routes it has seen.
 */
export class RouteClimbs {
  private perKmById = new Map<string, number>();
  /** When the list may be asked for again (after a success or a failure). */
  private nextFetchAt = Number.NEGATIVE_INFINITY;

  /** Fetches the route list when it is due, the source has one and a site token is free now. */
  async refresh(ctx: RunContext): Promise<void> {
    const routes = ctx.source.routes;
    const now = ctx.clock.now();
    if (!routes || now < this.nextFetchAt) return;
    if ((await budgetOf(ctx, SOURCE_BUCKETS.site)).available < 1) return;
    try {
      const answer = await ctx.call((callOptions) => routes.list(callOptions), 1);
      const perKm = new Map<string, number>();
      for (const route of answer.routes) {
        const { distanceMeters: d, elevationMeters: e } = route;
        if (d !== null && e !== null && d > 0 && e >= 0) perKm.set(route.routeId, e / (d / 1000));
      }
      this.perKmById = perKm;
      this.nextFetchAt = ctx.clock.now() + ctx.policy.results.routesIntervalMs;
    } catch (error) {
      const info = classifyError(error, ctx.signal);
      if (info.kind === 'aborted') throw error;
      this.nextFetchAt = ctx.clock.now() + (info.retryAfterMs ?? ctx.policy.failureBackoffMs);
      ctx.logger.warn?.(
        { kind: info.kind, message: info.message },
        'route list fetch failed; the results queue times new routes by the quicker routes seen',
      );
    }
  }

  /** Metres of climbing per km of the route, or null when the route list does not know it. */
  perKm(routeId: string | null): number | null {
    return routeId === null ? null : (this.perKmById.get(routeId) ?? null);
  }
}
