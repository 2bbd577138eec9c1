import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord, ResultRecord } from '../storage/records.js';

/**
 * How long a race would take on the flat: its distance at the speed of its slowest listed pen (the
 * feed gives no duration), or the default duration when the distance is unknown.
 */
export function flatDurationMs(
  event: Pick<EventRecord, 'distanceMeters' | 'categories'>,
  policy: SyncPolicy,
): number {
  const { penSpeedKmh, otherPenSpeedKmh, defaultDurationMs } = policy.results;
  const distance = event.distanceMeters;
  if (distance === null || !(distance > 0)) return defaultDurationMs;
  const speeds = event.categories.map((pen) => penSpeedKmh[pen] ?? otherPenSpeedKmh);
  const kmh = speeds.length > 0 ? Math.min(...speeds) : otherPenSpeedKmh;
  return Math.round((distance / 1000 / kmh) * 3_600_000);
}

/** When a race should be over on the flat: start + `flatDurationMs`. */
export function estimateFinish(
  event: Pick<EventRecord, 'startsAt' | 'distanceMeters' | 'categories'>,
  policy: SyncPolicy,
): number {
  return event.startsAt + flatDurationMs(event, policy);
}

/**
 * How long a race took by its results, in seconds: the winning time of its slowest pen (each pen's
 * fastest time, the largest of those). A pen winner's time is not thrown by one straggler or one
 * broken row the way the last finisher's is. Null when no row has a time.
 */
export function raceFinishSeconds(
  rows: readonly Pick<ResultRecord, 'category' | 'timeSeconds'>[],
): number | null {
  const winners = new Map<string, number>();
  for (const row of rows) {
    if (!(row.timeSeconds > 0) || !Number.isFinite(row.timeSeconds)) continue;
    const pen = row.category ?? '';
    const best = winners.get(pen);
    if (best === undefined || row.timeSeconds < best) winners.set(pen, row.timeSeconds);
  }
  return winners.size === 0 ? null : Math.max(...winners.values());
}
