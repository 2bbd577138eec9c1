import type { RunContext } from './job.js';

/** Tokens a bucket can give now and when the next one comes; unlimited when the source does not say. */
export async function budgetOf(
  ctx: RunContext,
  bucket: string,
): Promise<{ available: number; nextAvailableAt: number }> {
  const limits = ctx.source.rateLimits;
  if (!limits) return { available: Number.POSITIVE_INFINITY, nextAvailableAt: ctx.clock.now() };
  const state = await limits.state(bucket);
  const now = ctx.clock.now();
  if (state.blockedUntil !== null && state.blockedUntil > now) {
    return { available: 0, nextAvailableAt: state.blockedUntil };
  }
  return { available: state.available, nextAvailableAt: state.nextAvailableAt };
}
