/**
 * Zwift's authenticated event search (`POST /api/events/search`): races and group rides starting in
 * a range, with the searching account's followee counts.
 */
import type { SimEvent } from '../events.ts';
import type { FollowGraph } from '../follows.ts';
import { countUpTo } from '../signups.ts';
import type { World } from '../world.ts';
import { zwiftEvent, zwiftSubgroup } from './zwift-event.ts';
import { type FeedItem, feedJson, groupRideItems } from './zwift-feed-items.ts';

/** At most this many events per search answer. */
export const ZWIFT_SEARCH_MAX = 200;

/** Events starting in [from, to] (epoch ms) at `t`, sorted by start then id, at most `limit`. */
export function zwiftSearchJson(
  world: World,
  follows: FollowGraph,
  from: number,
  to: number,
  limit: number,
  t: number,
): string {
  const items: FeedItem[] = [];
  const lo = countUpTo(world.eventStarts, from - 1);
  const hi = countUpTo(world.eventStarts, to);
  for (let i = lo; i < hi; i++) {
    const ev = world.events[i] as SimEvent;
    items.push({
      start: ev.startMs,
      id: ev.idNum,
      obj: () => {
        const counts = world.signups.counts(ev, t);
        const followees = follows.countsAt(world.signups, ev, t);
        return zwiftEvent({
          id: ev.idNum,
          name: ev.title,
          worldId: ev.route.worldId,
          routeId: ev.route.id,
          startMs: ev.startMs,
          laps: ev.laps,
          durationS: 0,
          race: true,
          subgroups: ev.pens.map((_, p) => zwiftSubgroup(ev, p, counts[p] as number, followees[p] as number)),
          seriesName: ev.series.name,
          seriesId: 10_000 + ev.series.index,
        });
      },
    });
  }
  items.push(
    ...groupRideItems(world, countUpTo(world.rideStarts, from - 1), countUpTo(world.rideStarts, to), t, (r) =>
      follows.rideFolloweesAt(r.idNum, r.startMs, t),
    ),
  );
  return feedJson(items, limit);
}
