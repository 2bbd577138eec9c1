import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord } from '../storage/records.js';

/** The most the near search is stretched while the team is unlikely to sign up (as the site planner's sweeps). */
export const MAX_NEAR_STRETCH = 4;

/**
 * How long the follower feed waits between near searches: `followerFeed.nearPollMs`, stretched by
 * 1/√share (at most {@link MAX_NEAR_STRETCH}×), where `share` is the mean of the start-time
 * learner's shares over the races the search would watch until its next poll (those starting
 * within `nearWindowMs` plus the longest wait). One search sees every race in the window, so what
 * sets its pace is how many team signups the window can draw — the sum of its races' shares — against
 * as many races at times the team rides: their mean. A race in the window with team riders in it
 * (withdrawals, teammates joining), a window without a race the site list knows, or no learned
 * times keep the plain interval.
 */
export function nearPollInterval(input: {
  now: number;
  policy: SyncPolicy;
  /** Races the site list stored, by event id. */
  events: ReadonlyMap<string, Pick<EventRecord, 'startsAt' | 'removedAt'>>;
  /** Events the feed saw team riders in. */
  teamEvents: ReadonlySet<string>;
  /**
   * The start-time learner's share of a start, in (0, 1].
   * @default null (not learned or turned off: the plain interval)
   */
  share?: ((startsAt: number) => number) | null;
}): number {
  const { now, policy, share } = input;
  const base = policy.followerFeed.nearPollMs;
  if (!share) return base;
  // The races a stretched wait would leave unsearched longest: up to the window's end after it.
  const until = now + policy.followerFeed.nearWindowMs + base * MAX_NEAR_STRETCH;
  let sum = 0;
  let races = 0;
  for (const [eventId, event] of input.events) {
    if (event.removedAt !== null || event.startsAt <= now || event.startsAt > until) continue;
    if (input.teamEvents.has(eventId)) return base;
    races++;
    sum += share(event.startsAt);
  }
  if (races === 0) return base;
  return base / Math.sqrt(Math.max(Math.min(1, sum / races), 1 / MAX_NEAR_STRETCH ** 2));
}
