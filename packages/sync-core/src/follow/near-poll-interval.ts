import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord } from '../storage/records.js';

/** The most the near search is stretched while the team is unlikely to sign up (as the site planner's sweeps). */
export const MAX_NEAR_STRETCH = 4;

/**
 * How long the follower feed waits between near searches: `followerFeed.nearPollMs`, stretched by
 * 1/√share (at most {@link MAX_NEAR_STRETCH}×) while the races the search would watch until its
 * next poll — those starting within `nearWindowMs` plus the stretched wait — all start at times
 * the team significantly rarely rides (`share`: the start-time learner's, the largest over those
 * races). A race in the window with team riders in it (withdrawals, teammates joining), a window
 * without a race the site list knows, or no learned times keep the plain interval.
 */
export function nearPollInterval(input: {
  now: number;
  policy: SyncPolicy;
  /** Races the site list stored, by event id. */
  events: ReadonlyMap<string, Pick<EventRecord, 'startsAt' | 'removedAt'>>;
  /** Events the feed saw team riders in. */
  teamEvents: ReadonlySet<string>;
  /** The start-time learner's share of a start, in (0, 1]; absent: not learned or turned off. */
  share?: ((startsAt: number) => number) | null;
}): number {
  const { now, policy, share } = input;
  const base = policy.followerFeed.nearPollMs;
  if (!share) return base;
  // The races a stretched wait would leave unsearched longest: up to the window's end after it.
  const until = now + policy.followerFeed.nearWindowMs + base * MAX_NEAR_STRETCH;
  let largest = 0;
  let any = false;
  for (const [eventId, event] of input.events) {
    if (event.removedAt !== null || event.startsAt <= now || event.startsAt > until) continue;
    if (input.teamEvents.has(eventId)) return base;
    any = true;
    largest = Math.max(largest, share(event.startsAt));
    if (largest >= 1) return base;
  }
  if (!any) return base;
  return base / Math.sqrt(Math.max(largest, 1 / MAX_NEAR_STRETCH ** 2));
}
