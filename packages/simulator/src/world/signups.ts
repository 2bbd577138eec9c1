import { stream } from '../prng.ts';
import { DAY, HOUR, type SimEvent } from './events.ts';
import { CATEGORIES, fieldRiderBasics } from './riders.ts';

/** Base share of a race's signups per pen label (multiplied by per-event noise). */
export const PEN_SHARES: Record<string, number> = {
  A: 0.14,
  B: 0.21,
  C: 0.27,
  D: 0.26,
  E: 0.12,
  W: 0.05,
  F: 0.06,
};

/**
 * Field (non-team) signup model, fixed defaults:
 * - total per race: log-normal, median 175 × series popularity (median 1), σ 0.42; ×0.35 for
 *   single-pen races, ×0.9 for four-pen races; clamped to [20, 400] — the median race ends up
 *   with ~150 signups;
 * - 70 % sign up in the last 6 h before the start (lead = 6 h × u^1.7: weighted to the last
 *   hour), 30 % earlier (6 h … 7 d, weighted towards the start);
 * - 3 % withdraw again, at a uniform time between their signup and the start.
 */
export const FIELD_SIGNUPS = {
  median: 175,
  sigma: 0.42,
  min: 20,
  max: 400,
  lateShare: 0.7,
  lateWindowMs: 6 * HOUR,
  earlyWindowMs: 7 * DAY,
  withdrawShare: 0.03,
} as const;

export interface FieldPools {
  byPen: Map<string, Int32Array>;
}

export function buildFieldPools(seed: number | string, populationSize: number): FieldPools {
  const lists = new Map<string, number[]>();
  for (const c of CATEGORIES) lists.set(c, []);
  lists.set('W', []);
  for (let i = 0; i < populationSize; i++) {
    const { category, female } = fieldRiderBasics(seed, i);
    (lists.get(category) as number[]).push(i);
    if (female) (lists.get('W') as number[]).push(i);
  }
  const byPen = new Map<string, Int32Array>();
  for (const [k, v] of lists) byPen.set(k, Int32Array.from(v));
  // "F" pens are filled by the slowest riders.
  byPen.set('F', byPen.get('E') as Int32Array);
  return { byPen };
}

export interface RawSignups {
  ref: number[];
  pen: number[];
  at: number[];
  wd: number[];
}

/** The field's signups for one race (team signups are merged in later). */
export function generateFieldSignups(seed: number | string, ev: SimEvent, pools: FieldPools): RawSignups {
  const rng = stream(seed, 'signups', ev.eventId);
  const cfg = FIELD_SIGNUPS;
  const factor = ev.series.pens.length === 1 ? 0.35 : ev.series.pens.length === 4 ? 0.9 : 1;
  const total = Math.round(
    Math.min(
      cfg.max,
      Math.max(cfg.min, rng.logNormal(cfg.median * ev.series.popularity, cfg.sigma) * factor),
    ),
  );
  const weights = ev.pens.map((p) => (PEN_SHARES[p] ?? 0.05) * rng.logNormal(1, 0.25));
  const out: RawSignups = { ref: [], pen: [], at: [], wd: [] };
  const taken = new Set<number>();
  for (let i = 0; i < total; i++) {
    const pen = rng.weightedIndex(weights);
    const pool = pools.byPen.get(ev.pens[pen] as string) ?? (pools.byPen.get('C') as Int32Array);
    let ref = -1;
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = pool[rng.int(0, pool.length - 1)] as number;
      if (!taken.has(candidate)) {
        ref = candidate;
        break;
      }
    }
    const lead =
      rng.next() < cfg.lateShare
        ? cfg.lateWindowMs * rng.next() ** 1.7
        : cfg.lateWindowMs + (cfg.earlyWindowMs - cfg.lateWindowMs) * rng.next() ** 2.2;
    const withdraw = rng.next() < cfg.withdrawShare;
    const u = rng.next();
    if (ref < 0) continue;
    taken.add(ref);
    const at = Math.floor((ev.startMs - Math.max(1000, lead)) / 1000) * 1000;
    out.ref.push(ref);
    out.pen.push(pen);
    out.at.push(at);
    out.wd.push(
      withdraw
        ? Math.min(ev.startMs, Math.floor((at + (ev.startMs - at) * u) / 1000) * 1000 + 1000)
        : Number.POSITIVE_INFINITY,
    );
  }
  return out;
}

/**
 * Every signup of the world in a few flat typed arrays (one object per column, not per event:
 * the live heap stays small, which keeps the process's memory low).
 */
export class SignupStore {
  ref = new Int32Array(0);
  pen = new Uint8Array(0);
  at = new Float64Array(0);
  wd = new Float64Array(0);
  /** Signup times grouped by event and pen, each group sorted. */
  penAt = new Float64Array(0);
  /** Finite withdrawal times grouped by event and pen, each group sorted. */
  penWd = new Float64Array(0);
  /** Finite withdrawal times per event, sorted. */
  wdAll = new Float64Array(0);
  private building: Record<'ref' | 'pen' | 'at' | 'wd' | 'penAt' | 'penWd' | 'wdAll', number[]> | null = {
    ref: [],
    pen: [],
    at: [],
    wd: [],
    penAt: [],
    penWd: [],
    wdAll: [],
  };

  /** Append an event's signups (field and team), sorted by time; sets the event's ranges. */
  add(ev: SimEvent, s: RawSignups): void {
    const b = this.building;
    if (!b) throw new Error('SignupStore is sealed');
    const n = s.ref.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort(
      (x, y) => (s.at[x] as number) - (s.at[y] as number) || (s.ref[x] as number) - (s.ref[y] as number),
    );
    ev.s0 = b.ref.length;
    const perPenAt: number[][] = ev.pens.map(() => []);
    const perPenWd: number[][] = ev.pens.map(() => []);
    const wds: number[] = [];
    for (const i of order) {
      const pen = s.pen[i] as number;
      const at = s.at[i] as number;
      const wd = s.wd[i] as number;
      b.ref.push(s.ref[i] as number);
      b.pen.push(pen);
      b.at.push(at);
      b.wd.push(wd);
      (perPenAt[pen] as number[]).push(at);
      if (Number.isFinite(wd)) {
        (perPenWd[pen] as number[]).push(wd);
        wds.push(wd);
      }
    }
    ev.s1 = b.ref.length;
    ev.penAtOff = [b.penAt.length];
    ev.penWdOff = [b.penWd.length];
    for (let p = 0; p < ev.pens.length; p++) {
      for (const x of perPenAt[p] as number[]) b.penAt.push(x);
      for (const x of (perPenWd[p] as number[]).sort((x, y) => x - y)) b.penWd.push(x);
      ev.penAtOff.push(b.penAt.length);
      ev.penWdOff.push(b.penWd.length);
    }
    ev.wd0 = b.wdAll.length;
    for (const x of wds.sort((x, y) => x - y)) b.wdAll.push(x);
    ev.wd1 = b.wdAll.length;
  }

  /** Convert to typed arrays; no more events can be added. */
  seal(): void {
    const b = this.building;
    if (!b) return;
    this.ref = Int32Array.from(b.ref);
    this.pen = Uint8Array.from(b.pen);
    this.at = Float64Array.from(b.at);
    this.wd = Float64Array.from(b.wd);
    this.penAt = Float64Array.from(b.penAt);
    this.penWd = Float64Array.from(b.penWd);
    this.wdAll = Float64Array.from(b.wdAll);
    this.building = null;
  }

  /** Per-pen signup counts at t (signed up and not withdrawn). */
  counts(ev: SimEvent, t: number): number[] {
    const out = new Array<number>(ev.pens.length);
    for (let p = 0; p < ev.pens.length; p++) {
      const a0 = ev.penAtOff[p] as number;
      const w0 = ev.penWdOff[p] as number;
      out[p] =
        countUpTo(this.penAt, t, a0, ev.penAtOff[p + 1] as number) -
        countUpTo(this.penWd, t, w0, ev.penWdOff[p + 1] as number);
    }
    return out;
  }

  /** Index just past the last signup at or before t (within the event's range). */
  endAt(ev: SimEvent, t: number): number {
    return ev.s0 + countUpTo(this.at, t, ev.s0, ev.s1);
  }

  /** The window [from, until) around t in which the event's signup list does not change. */
  stableWindow(ev: SimEvent, t: number): [number, number] {
    const i = ev.s0 + countUpTo(this.at, t, ev.s0, ev.s1);
    const j = ev.wd0 + countUpTo(this.wdAll, t, ev.wd0, ev.wd1);
    const from = Math.max(
      i > ev.s0 ? (this.at[i - 1] as number) : Number.NEGATIVE_INFINITY,
      j > ev.wd0 ? (this.wdAll[j - 1] as number) : Number.NEGATIVE_INFINITY,
    );
    const until = Math.min(
      i < ev.s1 ? (this.at[i] as number) : Number.POSITIVE_INFINITY,
      j < ev.wd1 ? (this.wdAll[j] as number) : Number.POSITIVE_INFINITY,
    );
    return [from, until];
  }
}

/** Number of values ≤ t in the sorted range [lo, hi) of `sorted`. */
export function countUpTo(sorted: Float64Array, t: number, lo = 0, hi = sorted.length): number {
  const base = lo;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - base;
}
