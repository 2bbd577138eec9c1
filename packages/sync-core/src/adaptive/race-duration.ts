import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord } from '../storage/records.js';

/**
 * When a race should be over: start + distance at the assumed speed of the slowest pens (the feed
 * gives no duration), or the default duration when the distance is unknown.
 */
export function estimateFinish(
  event: Pick<EventRecord, 'startsAt' | 'distanceMeters'>,
  policy: SyncPolicy,
): number {
  const { assumedSpeedKmh, defaultDurationMs } = policy.results;
  const distance = event.distanceMeters;
  if (distance === null || !(distance > 0)) return event.startsAt + defaultDurationMs;
  return event.startsAt + Math.round((distance / 1000 / assumedSpeedKmh) * 3_600_000);
}
