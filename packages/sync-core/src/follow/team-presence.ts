import type { SourceFeedEvent } from '../source/sync-source.js';
import type { SignupPresence } from '../storage/storage-adapter.js';
import type { FeedState } from './feed-state.js';

/**
 * The team's complete presence in one event as the feed sees it: the team riders (members of
 * `team` now) found in its pens' followed entrants, plus the stored active signups of team riders
 * the account does not follow (or was never seen to follow) — the feed cannot see those, so it keeps
 * what the site list last said about them, and the set semantics of `applySignups` withdraw only
 * riders the feed can see. Riders no longer in the team drop out, as they do from a site list.
 */
export function teamPresence(
  feed: FeedState,
  event: SourceFeedEvent,
  storedActive: readonly SignupPresence[],
  team: ReadonlySet<number>,
): SignupPresence[] {
  const present = new Map<number, SignupPresence>();
  for (const subgroup of event.subgroups) {
    const pen = feed.pens.get(subgroup.subgroupId);
    if (!pen || pen.count === 0) continue;
    for (const riderId of pen.riderIds)
      if (team.has(riderId)) present.set(riderId, { riderId, pen: pen.pen });
  }
  for (const row of storedActive) {
    if (team.has(row.riderId) && !feed.followed.has(row.riderId) && !present.has(row.riderId))
      present.set(row.riderId, { riderId: row.riderId, pen: row.pen });
  }
  return [...present.values()];
}

/** Whether `present` is exactly the stored active signups (same riders, same pens). */
export function samePresence(
  present: readonly SignupPresence[],
  storedActive: readonly SignupPresence[],
): boolean {
  if (present.length !== storedActive.length) return false;
  const pens = new Map(storedActive.map((row) => [row.riderId, row.pen]));
  return present.every((row) => pens.get(row.riderId) === row.pen);
}
