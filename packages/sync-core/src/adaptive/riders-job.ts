import { budgetOf } from '../engine/budget.js';
import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { syncRiders } from '../operations/sync-riders.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';

/** Bulk refresh of all team riders on an interval; other jobs pull it earlier after team results. */
export function createRidersJob(): Job {
  return {
    name: 'riders',
    needs: ['team'],
    async run(ctx: RunContext): Promise<JobOutcome> {
      const now = ctx.clock.now();
      const ids = (await ctx.storage.getTeam()).map((m) => m.riderId);
      const chunks = Math.ceil(ids.length / 1000);
      const budget = await budgetOf(ctx, SOURCE_BUCKETS.riders);
      if (chunks > 0 && budget.available < chunks) {
        return {
          status: 'skipped',
          nextDueAt: Math.max(budget.nextAvailableAt, now + 1000),
          message: 'waiting for the riders budget',
        };
      }
      const result = await syncRiders(ctx, ids);
      const status = result.conflicts.length > 0 ? 'partial' : 'ok';
      const nextDueAt =
        result.conflicts.length > 0 ? now + ctx.policy.failureBackoffMs : now + ctx.policy.riders.intervalMs;
      return { status, nextDueAt };
    },
  };
}
