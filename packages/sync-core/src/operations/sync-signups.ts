import type { RunContext } from '../engine/job.js';
import type { SignupDelta, SignupPresence } from '../storage/storage-adapter.js';

/** What one signup-list fetch changed. */
export interface SignupSyncResult {
  delta: SignupDelta;
  /** Team riders signed up after the fetch. */
  teamSignups: number;
  /** The list had malformed records: withdrawals were not inferred from it. */
  partial: boolean;
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
  const delta = await ctx.storage.applySignups(eventId, [...present.values()], now);
  for (const row of delta.added) {
    ctx.bus.emit({
      id: `signup.added:${eventId}:${row.riderId}:${now}`,
      type: 'signup.added',
      at: now,
      eventId,
      riderId: row.riderId,
      pen: row.pen,
    });
  }
  for (const row of delta.withdrawn) {
    ctx.bus.emit({
      id: `signup.withdrawn:${eventId}:${row.riderId}:${now}`,
      type: 'signup.withdrawn',
      at: now,
      eventId,
      riderId: row.riderId,
      pen: row.pen,
    });
  }
  ctx.counters.changes += delta.added.length + delta.withdrawn.length + delta.penChanged.length;
  return { delta, teamSignups: present.size, partial };
}
