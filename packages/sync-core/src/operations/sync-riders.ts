import type { RunContext } from '../engine/job.js';
import { type StoreRidersResult, storeRiders } from './store-riders.js';

/** Fetches every team rider in bulk (the client chunks by 1000, keyed by riderId) and stores them. */
export async function syncRiders(
  ctx: RunContext,
  riderIds: readonly number[],
): Promise<StoreRidersResult & { missing: number[] }> {
  if (riderIds.length === 0) return { added: 0, updated: 0, unchanged: 0, conflicts: [], missing: [] };
  const answer = await ctx.call((options) => ctx.source.riders.getMany(riderIds, options));
  ctx.counters.skipped += answer.skipped.length;
  const result = await storeRiders(ctx, [...answer.riders.values()]);
  if (answer.missing.length > 0) {
    ctx.logger.warn?.({ riderIds: answer.missing }, 'team riders unknown upstream');
  }
  return { ...result, missing: answer.missing };
}
