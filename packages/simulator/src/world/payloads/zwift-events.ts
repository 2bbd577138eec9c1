/** Zwift's public upcoming-events feed: races and group rides, 12–18 h ahead, at most 200. */
import { stream } from '../../prng.ts';
import { HOUR, type SimEvent } from '../events.ts';
import { countUpTo } from '../signups.ts';
import type { World } from '../world.ts';
import { zwiftEvent, zwiftSubgroup } from './zwift-event.ts';

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
  const items: { start: number; id: number; obj: () => Record<string, unknown> }[] = [];
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
  const rlo = countUpTo(world.rideStarts, t);
  const rhi = countUpTo(world.rideStarts, until);
  for (let i = rlo; i < rhi; i++) {
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
          subgroups: [],
          seriesName: null,
          seriesId: null,
        }),
    });
  }
  items.sort((a, b) => a.start - b.start || a.id - b.id);
  return JSON.stringify(items.slice(0, ZWIFT_FEED_MAX).map((i) => i.obj()));
}
