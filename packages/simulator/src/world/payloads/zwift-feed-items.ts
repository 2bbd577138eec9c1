/** What Zwift's public feed and its authenticated search share: group rides, sorting and the cap. */
import type { GroupRide } from '../events.ts';
import type { World } from '../world.ts';
import { rideSubgroup, zwiftEvent } from './zwift-event.ts';

/** One event of a Zwift feed answer; its JSON object is built only if the event is kept. */
export interface FeedItem {
  start: number;
  id: number;
  obj: () => Record<string, unknown>;
}

/**
 * The group rides `world.rides[lo..hi)` at `t` as feed items: one subgroup, not races, no series;
 * `followees` gives the searching account's followed riders signed up (none on the public feed).
 */
export function groupRideItems(
  world: World,
  lo: number,
  hi: number,
  t: number,
  followees: (ride: GroupRide) => number = () => 0,
): FeedItem[] {
  const items: FeedItem[] = [];
  for (let i = lo; i < hi; i++) {
    const r = world.rides[i];
    if (!r) continue;
    items.push({
      start: r.startMs,
      id: r.idNum,
      obj: () =>
        zwiftEvent({
          id: r.idNum,
          name: r.title,
          worldId: r.route.worldId,
          routeId: r.route.id,
          startMs: r.startMs,
          laps: 0,
          durationS: r.durationS,
          race: false,
          subgroups: [rideSubgroup(r, t, followees(r))],
          seriesName: null,
          seriesId: null,
        }),
    });
  }
  return items;
}

/** The answer's JSON: items sorted by start then id, at most `max` of them. */
export function feedJson(items: FeedItem[], max: number): string {
  items.sort((a, b) => a.start - b.start || a.id - b.id);
  return JSON.stringify(items.slice(0, max).map((i) => i.obj()));
}
