import type { RunContext } from '../engine/job.js';
import type { SignupDelta, SignupPresence } from '../storage/storage-adapter.js';
import { applyTeamSignups } from './apply-team-signups.js';

/** What one signup-list fetch changed. */
export interface SignupSyncResult {
  delta: SignupDelta;
  /** Team riders signed up after the fetch. */
  teamSignups: number;
  /** The list had malformed records: withdrawals were not inferred from it. */
  partial: boolean;
  /** The team riders the list showed (with their pens), as applied. */
  present: SignupPresence[];
}

/**
 * Fetches one event's signup list and applies the team's part of it as a set: new signups added,
 * missing riders withdrawn (kept, with `withdrawnAt`). When upstream records were skipped as
 * malformed the list is not complete, so nobody is withdrawn on its evidence.
 */
export async function syncSignups(
  ctx: RunContext,
  eventId: string,
  team: ReadonlySet<number>,
  priority = 0,
): Promise<SignupSyncResult> {
  const answer = await ctx.call((options) => ctx.source.events.signups(eventId, options), priority);
  const now = ctx.clock.now();
  ctx.counters.skipped += answer.skipped.length;
  ctx.counters.records += answer.riders.length;
  const present = new Map<number, SignupPresence>();
  for (const rider of answer.riders) {
    if (team.has(rider.riderId)) present.set(rider.riderId, { riderId: rider.riderId, pen: rider.pen });
  }
  const partial = answer.skipped.length > 0;
  if (partial) {
    for (const active of await ctx.storage.listSignups({ eventIds: [eventId], activeOnly: true })) {
      if (!present.has(active.riderId))
        present.set(active.riderId, { riderId: active.riderId, pen: active.pen });
    }
  }
  const listed = [...present.values()];
  const delta = await applyTeamSignups(ctx, eventId, listed, now);
  return { delta, teamSignups: present.size, partial, present: listed };
}
