/** Zwift's public upcoming-events feed: races and group rides, 12–18 h ahead, at most 200. */
import { stream } from '../../prng.ts';
import { HOUR, type SimEvent } from '../events.ts';
import { countUpTo } from '../signups.ts';
import type { World } from '../world.ts';
import { zwiftEvent, zwiftSubgroup } from './zwift-event.ts';
import { type FeedItem, feedJson, groupRideItems } from './zwift-feed-items.ts';

/** How far ahead Zwift's feed reaches at `t`: 12–18 h, varying by the hour. */
export function zwiftHorizonMs(world: World, t: number): number {
  const hour = Math.floor(t / HOUR);
  return 12 * HOUR + Math.floor(stream(world.seed, 'zwift-horizon', hour).next() * 6 * HOUR);
}

export const ZWIFT_FEED_MAX = 200;

/** `GET /api/public/events/upcoming` (Zwift): ≤ 200 events, races and group rides, 12–18 h ahead. */
export function zwiftEventsJson(world: World, t: number): string {
  const until = t + zwiftHorizonMs(world, t);
  const [lo, hi] = world.eventRange(t, until);
  const items: FeedItem[] = [];
  for (let i = lo; i < hi; i++) {
    const ev = world.events[i] as SimEvent;
    items.push({
      start: ev.startMs,
      id: ev.idNum,
      obj: () => {
        const counts = world.signups.counts(ev, t);
        return zwiftEvent({
          id: ev.idNum,
          name: ev.title,
          worldId: ev.route.worldId,
          routeId: ev.route.id,
          startMs: ev.startMs,
          laps: ev.laps,
          durationS: 0,
          race: true,
          subgroups: ev.pens.map((_, p) => zwiftSubgroup(ev, p, counts[p] as number)),
          seriesName: ev.series.name,
          seriesId: 10_000 + ev.series.index,
        });
      },
    });
  }
  items.push(...groupRideItems(world, countUpTo(world.rideStarts, t), countUpTo(world.rideStarts, until), t));
  return feedJson(items, ZWIFT_FEED_MAX);
}
