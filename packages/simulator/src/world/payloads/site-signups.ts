/** The site API's signup lists of a race. */
import type { SimEvent } from '../events.ts';
import type { World } from '../world.ts';
import { ByteList } from './byte-list.ts';

const COMMA = Buffer.from(',');

/** Signed-up (not withdrawn) entries of an event at `t`, per pen: arrays of signup indices. */
export function signupIndicesAt(world: World, ev: SimEvent, t: number): number[][] {
  const sig = world.signups;
  const perPen: number[][] = ev.pens.map(() => []);
  const end = sig.endAt(ev, t);
  for (let j = ev.s0; j < end; j++) {
    if ((sig.wd[j] as number) <= t) continue;
    (perPen[sig.pen[j] as number] as number[]).push(j);
  }
  return perPen;
}

/** `GET /api/events/{id}/signups`: pens with riders sorted by rating (desc). */
export function siteSignupsBody(world: World, ev: SimEvent, t: number): ByteList {
  const perPen = signupIndicesAt(world, ev, t);
  const out = new ByteList().text('[');
  for (let p = 0; p < ev.pens.length; p++) {
    const idx = perPen[p] as number[];
    const refs = new Int32Array(idx.length);
    const ratings = new Float64Array(idx.length);
    const order = new Array<number>(idx.length);
    let sum = 0;
    let rated = 0;
    for (let i = 0; i < idx.length; i++) {
      const ref = world.signups.ref[idx[i] as number] as number;
      const rating = world.siteRatingAt(ref, t);
      refs[i] = ref;
      ratings[i] = rating;
      order[i] = i;
      if (rating > 0) {
        sum += rating;
        rated++;
      }
    }
    order.sort(
      (a, b) => (ratings[b] as number) - (ratings[a] as number) || (refs[a] as number) - (refs[b] as number),
    );
    out.text(
      `${p > 0 ? ',' : ''}{"name":${JSON.stringify(ev.pens[p])},"avgRating":${rated > 0 ? sum / rated : null},"ratedRiders":${rated},"riders":[`,
    );
    for (let i = 0; i < order.length; i++) {
      if (i > 0) out.bytes(COMMA);
      out.bytes(world.riderSiteBufAt(refs[order[i] as number] as number, t));
    }
    out.text(']}');
  }
  return out.text(']');
}
