import { budgetOf } from '../engine/budget.js';
import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { syncRiders } from '../operations/sync-riders.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';

/** Riders per bulk call (the upstream's limit). */
const CHUNK = 1000;

/** A refresh of the whole team in progress: when it began, and the last rider id fetched. */
interface RidersCycle {
  startedAt: number;
  after: number;
}

function readCycle(cursor: Record<string, unknown> | null): RidersCycle | null {
  const startedAt = cursor?.['startedAt'];
  const after = cursor?.['after'];
  return typeof startedAt === 'number' && Number.isFinite(startedAt) && typeof after === 'number'
    ? { startedAt, after }
    : null;
}

/**
 * Bulk refresh of all team riders every `riders.intervalMs`; other jobs pull it earlier after team
 * results. One call fetches up to 1000 riders, so a larger team is refreshed in as many calls as its
 * bucket allows per run, in rider-id order, the rest in later runs as the bucket refills (the cycle
 * is kept in the job's cursor, so a restart or another instance continues it). The next cycle is due
 * `riders.intervalMs` after the previous one began.
 */
export function createRidersJob(): Job {
  let cycle: RidersCycle | null = null;
  return {
    name: 'riders',
    needs: ['team'],
    async load({ cursor }) {
      cycle = readCycle(cursor);
    },
    async run(ctx: RunContext): Promise<JobOutcome> {
      const now = ctx.clock.now();
      const current = cycle ?? { startedAt: now, after: Number.NEGATIVE_INFINITY };
      const rest = (await ctx.storage.getTeam())
        .map((m) => m.riderId)
        .filter((id) => id > current.after)
        .sort((a, b) => a - b);
      const cursorOf = (c: RidersCycle | null) =>
        c && Number.isFinite(c.after) ? { startedAt: c.startedAt, after: c.after } : null;
      const chunks = Math.ceil(rest.length / CHUNK);
      const budget = await budgetOf(ctx, SOURCE_BUCKETS.riders);
      const calls = Math.min(chunks, Math.floor(budget.available));
      if (chunks > 0 && calls < 1) {
        return {
          status: 'skipped',
          nextDueAt: Math.max(budget.nextAvailableAt, now + 1000),
          cursor: cursorOf(cycle),
          message: 'waiting for the riders budget',
        };
      }
      const batch = rest.slice(0, calls * CHUNK);
      const result = await syncRiders(ctx, batch);
      if (result.conflicts.length > 0) {
        return { status: 'partial', nextDueAt: now + ctx.policy.failureBackoffMs, cursor: cursorOf(cycle) };
      }
      if (calls < chunks) {
        cycle = { startedAt: current.startedAt, after: batch[batch.length - 1] as number };
        const next = await budgetOf(ctx, SOURCE_BUCKETS.riders);
        return {
          status: 'ok',
          nextDueAt: Math.max(next.nextAvailableAt, now + 1000),
          cursor: cursorOf(cycle),
          message: `${rest.length - batch.length} riders left in this refresh`,
        };
      }
      cycle = null;
      return {
        status: 'ok',
        nextDueAt: Math.max(current.startedAt + ctx.policy.riders.intervalMs, now + 1000),
        cursor: null,
      };
    },
  };
}
