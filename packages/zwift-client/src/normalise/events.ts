import type { RawRaceEvent } from '../schemas/events.ts';
import type { RaceEvent } from '../types.ts';
import { decodeHtmlEntities } from './html-entities.ts';
import { secondsToMs, shown, toCount, toFlag, toId, toNumber } from './values.ts';

/** `"A,B,C"` (or an array) → `['A','B','C']`, trimmed, empties dropped. */
export function splitCategories(value: string | string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const parts = Array.isArray(value) ? value : value.split(',');
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Zips `categories` with `signups` (`"20,29,36"`): label → count; unreadable counts are left out. */
export function signupCounts(categories: string[], signups: RawRaceEvent['signups']): Record<string, number> {
  const counts: Record<string, number> = {};
  if (signups === null || signups === undefined) return counts;
  const values = Array.isArray(signups) ? signups : String(signups).split(',');
  categories.forEach((label, i) => {
    const n = toNumber(values[i]);
    if (n !== null) counts[label] = n;
  });
  return counts;
}

/** Site API event → {@link RaceEvent}: `time` s → ms, `distance` already metres, `numLaps` → number. */
export function normaliseRaceEvent(raw: RawRaceEvent): RaceEvent {
  const categories = splitCategories(raw.categories);
  const startsAt = secondsToMs(raw.time);
  if (startsAt === null)
    throw new TypeError(`time: expected epoch seconds a date can hold (got ${shown(raw.time)})`);
  return {
    eventId: toId(raw.eventId),
    startsAt,
    routeId: raw.routeId === null || raw.routeId === undefined ? null : toId(raw.routeId),
    distanceMeters: toNumber(raw.distance),
    laps: toCount(raw.numLaps, 'numLaps'),
    title: decodeHtmlEntities(raw.title ?? ''),
    type: raw.type ?? null,
    subType: raw.subType ?? null,
    staggeredStart: toFlag(raw.staggeredStart) ?? false,
    categories,
    signupCounts: signupCounts(categories, raw.signups),
  };
}
