import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord } from '../storage/records.js';

/**
 * When a race should be over: start + distance at the speed of its slowest listed pen (the feed
 * gives no duration), or the default duration when the distance is unknown.
 */
export function estimateFinish(
  event: Pick<EventRecord, 'startsAt' | 'distanceMeters' | 'categories'>,
  policy: SyncPolicy,
): number {
  const { penSpeedKmh, otherPenSpeedKmh, defaultDurationMs } = policy.results;
  const distance = event.distanceMeters;
  if (distance === null || !(distance > 0)) return event.startsAt + defaultDurationMs;
  const speeds = event.categories.map((pen) => penSpeedKmh[pen] ?? otherPenSpeedKmh);
  const kmh = speeds.length > 0 ? Math.min(...speeds) : otherPenSpeedKmh;
  return event.startsAt + Math.round((distance / 1000 / kmh) * 3_600_000);
}
