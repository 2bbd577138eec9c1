/**
 * Zwift's authenticated event search (`POST /api/events/search`): races and group rides starting in
 * a range, with the searching account's followee counts.
 */
import type { SimEvent } from '../events.ts';
import type { FollowGraph } from '../follows.ts';
import { countUpTo } from '../signups.ts';
import type { World } from '../world.ts';
import { zwiftEvent, zwiftSubgroup } from './zwift-event.ts';

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
  const items: { start: number; id: number; obj: () => Record<string, unknown> }[] = [];
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
  const rlo = countUpTo(world.rideStarts, from - 1);
  const rhi = countUpTo(world.rideStarts, to);
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
  return JSON.stringify(items.slice(0, limit).map((i) => i.obj()));
}
