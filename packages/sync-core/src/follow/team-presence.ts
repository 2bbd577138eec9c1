import type { SourceFeedEvent } from '../source/sync-source.js';
import type { SignupPresence } from '../storage/storage-adapter.js';
import type { FeedState } from './feed-state.js';

/**
 * The team's complete presence in one event as the feed sees it: the team riders found in its
 * pens' followed entrants, plus the stored active signups of team riders the account does not
 * follow (or was never seen to follow) — the feed cannot see those, so it keeps what the site list
 * last said about them, and the set semantics of `applySignups` withdraw only riders the feed can see.
 */
export function teamPresence(
  feed: FeedState,
  event: SourceFeedEvent,
  storedActive: readonly SignupPresence[],
): SignupPresence[] {
  const present = new Map<number, SignupPresence>();
  for (const subgroup of event.subgroups) {
    const pen = feed.pens.get(subgroup.subgroupId);
    if (!pen || pen.count === 0) continue;
    for (const riderId of pen.teamRiderIds) present.set(riderId, { riderId, pen: pen.pen });
  }
  for (const row of storedActive) {
    if (!feed.followed.has(row.riderId) && !present.has(row.riderId))
      present.set(row.riderId, { riderId: row.riderId, pen: row.pen });
  }
  return [...present.values()];
}
