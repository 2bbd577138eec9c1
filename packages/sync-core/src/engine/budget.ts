import type { RunContext } from './job.js';

/** What a bucket can give: tokens now, when the next one comes, and its limit. */
export interface Budget {
  available: number;
  nextAvailableAt: number;
  /** At most `capacity` calls in any `intervalMs` (unlimited: `Infinity` per minute). */
  capacity: number;
  intervalMs: number;
}

/** Tokens a bucket can give now and when the next one comes; unlimited when the source does not say. */
export async function budgetOf(ctx: RunContext, bucket: string): Promise<Budget> {
  const limits = ctx.source.rateLimits;
  if (!limits)
    return {
      available: Number.POSITIVE_INFINITY,
      nextAvailableAt: ctx.clock.now(),
      capacity: Number.POSITIVE_INFINITY,
      intervalMs: 60_000,
    };
  const state = await limits.state(bucket);
  const now = ctx.clock.now();
  const limit = { capacity: state.capacity, intervalMs: state.intervalMs };
  if (state.blockedUntil !== null && state.blockedUntil > now) {
    return { available: 0, nextAvailableAt: state.blockedUntil, ...limit };
  }
  return { available: state.available, nextAvailableAt: state.nextAvailableAt, ...limit };
}
