/** The site API's upcoming-race feed. */
import type { SimEvent } from '../events.ts';
import { FEED_HORIZON_MS, type World } from '../world.ts';
import { ByteList } from './byte-list.ts';

const COMMA = Buffer.from(',');

/** `GET /api/events/upcoming`: races with now < start ≤ now + 7 d, counts at `t`. */
export function siteEventsBody(world: World, t: number): ByteList {
  const [lo, hi] = world.eventRange(t, t + FEED_HORIZON_MS);
  const out = new ByteList().text('[');
  for (let i = lo; i < hi; i++) {
    const ev = world.events[i] as SimEvent;
    if (i > lo) out.bytes(COMMA);
    out.bytes(ev.sitePrefixBuf).bytes(countsBytes(world, ev, t));
  }
  return out.text(']');
}

/** `"20,29,36"}`: the feed's counts of an event at `t`, cached until a signup or withdrawal. */
function countsBytes(world: World, ev: SimEvent, t: number): Buffer {
  if (t < ev.countsFrom || t >= ev.countsUntil) {
    const [from, until] = world.signups.stableWindow(ev, t);
    ev.countsBuf = Buffer.from(`"${world.signups.counts(ev, t).join(',')}"}`);
    ev.countsFrom = from;
    ev.countsUntil = until;
  }
  return ev.countsBuf;
}
