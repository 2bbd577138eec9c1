import type { RunContext } from '../engine/job.js';
import type { SignupDelta, SignupPresence } from '../storage/storage-adapter.js';

/**
 * Applies the team's complete presence in one event as a set (new signups added, missing riders
 * withdrawn — kept, with `withdrawnAt`), emits `signup.added` / `signup.withdrawn` for what changed
 * and counts the changes. Shared by the site signup list and the follower feed.
 */
export async function applyTeamSignups(
  ctx: RunContext,
  eventId: string,
  present: readonly SignupPresence[],
  at: number,
): Promise<SignupDelta> {
  const delta = await ctx.storage.applySignups(eventId, present, at);
  for (const row of delta.added) {
    ctx.bus.emit({
      id: `signup.added:${eventId}:${row.riderId}:${at}`,
      type: 'signup.added',
      at,
      eventId,
      riderId: row.riderId,
      pen: row.pen,
    });
  }
  for (const row of delta.withdrawn) {
    ctx.bus.emit({
      id: `signup.withdrawn:${eventId}:${row.riderId}:${at}`,
      type: 'signup.withdrawn',
      at,
      eventId,
      riderId: row.riderId,
      pen: row.pen,
    });
  }
  ctx.counters.changes += delta.added.length + delta.withdrawn.length + delta.penChanged.length;
  return delta;
}
