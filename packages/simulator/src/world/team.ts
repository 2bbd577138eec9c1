import type { Rng } from '../prng.ts';
import { DAY, HOUR, MINUTE, type SimEvent } from './events.ts';
import type { RawResultRow } from './results.ts';
import {
  CATEGORIES,
  type Category,
  cloneDynamic,
  DAY_S,
  type RaceState,
  type RiderDynamic,
  type RiderProfile,
  riderPublicObject,
  riderSiteJson,
  roundTo,
} from './riders.ts';
import type { Series } from './series.ts';
import { teamStream } from './teams.ts';

/**
 * Team behaviour, fixed defaults (tests and benchmarks must not be made easier by changing them):
 * - the team rides `racesPerRiderDay` races per rider per day on average (non-racing members,
 *   i.e. riders with `race: null`, never sign up; the others make up for them);
 * - `favouriteSignupShare` of team signups go to the team's favourite series (`favouriteSeriesShare`
 *   of all series, chosen per seed);
 * - signups happen between `maxLeadMs` and `minLeadMs` before the start, `lateShare` of them
 *   within the last `lateWindowMs`;
 * - `withdrawShare` of signups are withdrawn, between the signup and `minLeadMs` before the start:
 *   no team signup changes later than 5 minutes before a start;
 * - a rider's races start at least `minGapMs` apart; `dnfShare` of started races end in a DNF.
 */
export const TEAM_MODEL = {
  racesPerRiderDay: 0.5,
  favouriteSeriesShare: 0.2,
  favouriteSignupShare: 0.7,
  minLeadMs: 5 * MINUTE,
  maxLeadMs: 48 * HOUR,
  lateShare: 0.5,
  lateWindowMs: 6 * HOUR,
  withdrawShare: 0.1,
  dnfShare: 0.03,
  minGapMs: 4 * HOUR,
  /** Share of team riders whose weight changes on a given day. */
  weightChangePerDay: 0.02,
} as const;

export interface TeamSignup {
  index: number;
  /** Team rider index. */
  k: number;
  ref: number;
  riderId: number;
  eventIndex: number;
  /** Index into the event's pens. */
  pen: number;
  /** Signup time, epoch ms. */
  at: number;
  /** Withdrawal time (epoch ms) or +Infinity. */
  wd: number;
  favourite: boolean;
  dnf: boolean;
  /** Set while processing races in start order. */
  ratingBefore: number | null;
  max30Before: number;
  max90Before: number;
}

/** Start times team races may have (UTC hours of the day, UTC weekdays); null = any. */
export interface TeamRaceTimes {
  hours: ReadonlySet<number> | null;
  weekdays: ReadonlySet<number> | null;
}

/** How long before the start team riders sign up: `lateShare` of them within `lateWindowMs`. */
export interface TeamSignupLead {
  lateShare: number;
  lateWindowMs: number;
}

/** Whether a race starting at `startMs` fits `times`. */
export function fitsRaceTimes(times: TeamRaceTimes | null, startMs: number): boolean {
  if (times === null) return true;
  const start = new Date(startMs);
  return (times.hours?.has(start.getUTCHours()) ?? true) && (times.weekdays?.has(start.getUTCDay()) ?? true);
}

/** A team's favourite series: ~20 % of all series, among the A–E (all-category) mass-start ones. */
export function chooseFavourites(seed: number | string, series: Series[], teamIndex = 0): Set<number> {
  const rng = teamStream(seed, teamIndex, 'favourites');
  const eligible = series
    .filter((s) => s.pens.length === 5 && s.pens[0] === 'A' && !s.subType.includes('Time Trial'))
    .map((s) => s.index);
  rng.shuffle(eligible);
  const n = Math.round(series.length * TEAM_MODEL.favouriteSeriesShare);
  return new Set(eligible.slice(0, n));
}

/**
 * One team's signups, rider by rider (each rider's in event order). `k` of each signup is
 * `k0` + the rider's index in `team`; `index` is left for the caller to number.
 */
export function generateTeamSignups(args: {
  seed: number | string;
  teamIndex: number;
  /** Global team-rider index of the team's first rider. */
  k0: number;
  events: SimEvent[];
  team: RiderProfile[];
  favourites: Set<number>;
  beginMs: number;
  endMs: number;
  /** Start times the team's races may have (null: any). */
  raceTimes?: TeamRaceTimes | null;
  /** How long before the start the team's riders sign up (null: `TEAM_MODEL`'s). */
  signupLead?: TeamSignupLead | null;
}): TeamSignup[] {
  const { seed, teamIndex, k0, events, team, favourites, beginMs, endMs } = args;
  const raceTimes = args.raceTimes ?? null;
  const m = TEAM_MODEL;
  const { lateShare, lateWindowMs } = args.signupLead ?? m;
  // Eligible events per category, split by favourite series.
  const pools = new Map<string, { fav: SimEvent[]; other: SimEvent[] }>();
  for (const c of [...CATEGORIES, 'W']) pools.set(c, { fav: [], other: [] });
  for (const ev of events) {
    if (!fitsRaceTimes(raceTimes, ev.startMs)) continue;
    for (const pen of ev.pens) {
      const pool = pools.get(pen);
      if (!pool) continue;
      (favourites.has(ev.series.index) ? pool.fav : pool.other).push(ev);
    }
  }
  const spanDays = (endMs - beginMs) / DAY;
  const racing = team.filter((p) => p.initial.race !== null).length;
  const ridden = racing > 0 ? (m.racesPerRiderDay * team.length) / racing : 0;
  const signupRate = ridden / (1 - m.withdrawShare);
  const out: TeamSignup[] = [];
  team.forEach((p, k) => {
    if (p.initial.race === null) return;
    const rng = teamStream(seed, teamIndex, 'team-signups', k);
    const sigma = 0.5;
    const personalRate = signupRate * rng.logNormal(Math.exp((-sigma * sigma) / 2), sigma);
    const count = rng.poisson(personalRate * spanDays);
    const pool = pools.get(p.category as Category) as { fav: SimEvent[]; other: SimEvent[] };
    const starts: number[] = [];
    const mine: TeamSignup[] = [];
    for (let i = 0; i < count; i++) {
      const favourite = rng.next() < m.favouriteSignupShare;
      const list =
        favourite && pool.fav.length > 0 ? pool.fav : pool.other.length > 0 ? pool.other : pool.fav;
      let chosen: SimEvent | null = null;
      for (let attempt = 0; attempt < 100 && list.length > 0; attempt++) {
        const ev = list[rng.int(0, list.length - 1)] as SimEvent;
        if (starts.every((s) => Math.abs(s - ev.startMs) >= m.minGapMs)) {
          chosen = ev;
          break;
        }
      }
      const late = rng.next() < lateShare;
      const lead = late ? rng.float(m.minLeadMs, lateWindowMs) : rng.float(lateWindowMs, m.maxLeadMs);
      const withdraw = rng.next() < m.withdrawShare;
      const wdU = rng.next();
      const dnf = rng.next() < m.dnfShare;
      const wPen = rng.next() < 0.5;
      if (!chosen) continue;
      starts.push(chosen.startMs);
      const at = Math.ceil((chosen.startMs - lead) / 1000) * 1000;
      const lastChange = chosen.startMs - m.minLeadMs;
      const wd = withdraw
        ? Math.min(lastChange, Math.floor((at + (lastChange - at) * wdU) / 1000) * 1000 + 1000)
        : Infinity;
      let pen = chosen.pens.indexOf(p.category);
      const wIdx = chosen.pens.indexOf('W');
      if (p.initial.womens && wIdx >= 0 && wPen) pen = wIdx;
      mine.push({
        index: 0,
        k: k0 + k,
        ref: p.ref,
        riderId: p.riderId,
        eventIndex: chosen.index,
        pen,
        at,
        wd,
        favourite: favourites.has(chosen.series.index),
        dnf: !Number.isFinite(wd) && dnf,
        ratingBefore: null,
        max30Before: 0,
        max90Before: 0,
      });
    }
    mine.sort((a, b) => a.eventIndex - b.eventIndex);
    out.push(...mine);
  });
  return out;
}

/** What a race did to a team rider, applied at the results' availability time. */
interface RaceUpdate {
  kind: 'race';
  at: number;
  eventIndex: number;
  race: RaceState;
  womens: RaceState | null;
  dnf: boolean;
}
interface WeightUpdate {
  kind: 'weight';
  at: number;
  deltaKg: number;
}

export interface RiderChange {
  riderId: number;
  /** Epoch ms at which the upstream payload changed. */
  at: number;
  /** Top-level payload fields that changed. */
  fields: string[];
  cause: 'race' | 'weight';
  /** The race whose results caused the change. */
  eventId: string | null;
}

export interface RiderTimeline {
  k: number;
  profile: RiderProfile;
  /** Version start times (first is -Infinity). */
  at: number[];
  /** Per version, STATS_STRIDE numbers: rating (NaN = unrated), weight, zpFTP, w5 … w1200. */
  stats: Float64Array;
  /** The rider's state per version (never mutated once stored). */
  versions: RiderDynamic[];
  /** Public payload (JSON bytes) per version, serialised on first use (see `publicBufOf`). */
  publicBuf: (Buffer | undefined)[];
  /** Site signup-list entry (JSON bytes) per version, serialised on first use (`siteBufOf`). */
  siteBuf: (Buffer | undefined)[];
  changes: RiderChange[];
}

function applyRace(r: RaceState, eventSec: number, rating: number, pos: number): void {
  r.rating = rating;
  r.lastDate = eventSec;
  if (rating > r.max30 || r.max30Date < eventSec - 30 * DAY_S) {
    r.max30 = rating;
    r.max30Date = eventSec;
  }
  if (rating > r.max90 || r.max90Date < eventSec - 90 * DAY_S) {
    r.max90 = rating;
    r.max90Date = eventSec;
  }
  r.finishes++;
  if (pos === 1) r.wins++;
  if (pos <= 3) r.podiums++;
}

/**
 * Process the teams' races in start order: set each team signup's rating inputs, compute the
 * race's results, and derive every team rider's payload versions. `team` holds the riders of every
 * team (index = global k); `riderStream(k, name)` is rider k's stream of that name.
 */
export function buildTeamTimelines(args: {
  events: SimEvent[];
  team: RiderProfile[];
  teamSignups: TeamSignup[];
  beginMs: number;
  endMs: number;
  results: (ev: SimEvent) => RawResultRow[];
  riderStream: (k: number, name: string) => Rng;
}): RiderTimeline[] {
  const { events, team, teamSignups, beginMs, endMs, riderStream } = args;
  const raceState: (RaceState | null)[] = team.map((p) => (p.initial.race ? { ...p.initial.race } : null));
  const womensState: (RaceState | null)[] = team.map((p) =>
    p.initial.womens ? { ...p.initial.womens } : null,
  );
  const updates: (RaceUpdate | WeightUpdate)[][] = team.map(() => []);

  const byEvent = new Map<number, TeamSignup[]>();
  for (const s of teamSignups) {
    if (Number.isFinite(s.wd)) continue;
    const list = byEvent.get(s.eventIndex) ?? [];
    list.push(s);
    byEvent.set(s.eventIndex, list);
  }
  const order = [...byEvent.keys()].sort((a, b) => a - b);
  for (const idx of order) {
    const ev = events[idx] as SimEvent;
    const riders = byEvent.get(idx) as TeamSignup[];
    for (const s of riders) {
      const r = raceState[s.k];
      s.ratingBefore = r ? r.rating : null;
      s.max30Before = r ? r.max30 : 0;
      s.max90Before = r ? r.max90 : 0;
    }
    const rows = args.results(ev);
    const rowOf = new Map<number, RawResultRow>();
    for (const x of rows) if (!rowOf.has(x.riderId)) rowOf.set(x.riderId, x);
    const eventSec = ev.startMs / 1000;
    for (const s of riders) {
      const r = raceState[s.k];
      if (!r) continue;
      const row = rowOf.get(s.riderId);
      const w = womensState[s.k];
      if (!row || s.dnf) {
        r.dnfs++;
        if (w) w.dnfs++;
      } else {
        const delta = row.rating - r.rating;
        applyRace(r, eventSec, row.rating, row.positionInCategory);
        if (w) applyRace(w, eventSec, w.rating + delta * 1.1, row.positionInCategory);
      }
      (updates[s.k] as (RaceUpdate | WeightUpdate)[]).push({
        kind: 'race',
        at: ev.resultsAt,
        eventIndex: idx,
        race: { ...r },
        womens: w ? { ...w } : null,
        dnf: !row || s.dnf,
      });
    }
  }

  // Weight changes: each rider, each day, with a small probability.
  team.forEach((_, k) => {
    const rng = riderStream(k, 'weight-changes');
    for (let day = Math.floor(beginMs / DAY); day < Math.ceil(endMs / DAY); day++) {
      const change = rng.next() < TEAM_MODEL.weightChangePerDay;
      const at = day * DAY + rng.int(0, 86_399) * 1000;
      const deltaKg = (rng.bool(0.5) ? 1 : -1) * rng.float(0.3, 2);
      if (change && at >= beginMs && at < endMs)
        (updates[k] as (RaceUpdate | WeightUpdate)[]).push({ kind: 'weight', at, deltaKg });
    }
  });

  return team.map((profile, k) => {
    const rng = riderStream(k, 'rider-evolution');
    const list = (updates[k] as (RaceUpdate | WeightUpdate)[]).sort((a, b) => a.at - b.at);
    let dyn = cloneDynamic(profile.initial);
    let prevObj = riderPublicObject(profile, dyn);
    const stats: number[] = [];
    const timeline: RiderTimeline = {
      k,
      profile,
      at: [Number.NEGATIVE_INFINITY],
      stats: new Float64Array(0),
      versions: [dyn],
      publicBuf: [],
      siteBuf: [],
      changes: [],
    };
    pushStats(stats, dyn);
    for (const u of list) {
      dyn = cloneDynamic(dyn);
      let eventId: string | null = null;
      if (u.kind === 'weight') {
        dyn.weight = Math.max(45, roundTo(dyn.weight + u.deltaKg, profile.weightDecimals));
      } else {
        eventId = (events[u.eventIndex] as SimEvent).eventId;
        dyn.race = { ...u.race };
        dyn.womens = u.womens ? { ...u.womens } : null;
        if (!u.dnf && rng.next() < 0.35) {
          // A good day: a few power bests improve by 1–4 %.
          const n = rng.int(1, 3);
          for (let i = 0; i < n; i++) {
            const idx = rng.int(0, 6);
            dyn.power.w[idx] = Math.round((dyn.power.w[idx] as number) * rng.float(1.01, 1.04));
          }
          dyn.power.CP = (dyn.power.w[6] as number) * rng.float(0.92, 0.98);
          dyn.power.compoundScore *= rng.float(1.0, 1.02);
          if (dyn.power.powerRating !== null) dyn.power.powerRating *= rng.float(1.0, 1.02);
        }
        if (rng.next() < 0.1) dyn.zpFTP += rng.int(-3, 6);
      }
      const obj = riderPublicObject(profile, dyn);
      const fields = Object.keys(obj).filter(
        (key) => !sameJson(obj[key], (prevObj as Record<string, unknown>)[key]),
      );
      for (const key of Object.keys(prevObj)) if (!(key in obj) && !fields.includes(key)) fields.push(key);
      prevObj = obj;
      if (fields.length === 0) continue;
      timeline.at.push(u.at);
      pushStats(stats, dyn);
      timeline.versions.push(dyn);
      timeline.changes.push({ riderId: profile.riderId, at: u.at, fields, cause: u.kind, eventId });
    }
    timeline.stats = Float64Array.from(stats);
    return timeline;
  });
}

/**
 * `json` in a buffer of its own. Not a slice of Node's shared 8 KB pool: a kept payload made while
 * serving would pin a pool slab the responses around it share.
 */
function ownBuffer(json: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  b.write(json);
  return b;
}

/**
 * Version `v`'s public payload bytes. Serialised on first use and kept: a world of many teams would
 * otherwise hold every version of every rider as JSON (~3 KB each) from the start.
 */
export function publicBufOf(tl: RiderTimeline, v: number): Buffer {
  let b = tl.publicBuf[v];
  if (b === undefined) {
    b = ownBuffer(JSON.stringify(riderPublicObject(tl.profile, tl.versions[v] as RiderDynamic)));
    tl.publicBuf[v] = b;
  }
  return b;
}

/** Version `v`'s site signup-list entry bytes, serialised on first use and kept. */
export function siteBufOf(tl: RiderTimeline, v: number): Buffer {
  let b = tl.siteBuf[v];
  if (b === undefined) {
    b = ownBuffer(riderSiteJson(tl.profile, tl.versions[v] as RiderDynamic));
    tl.siteBuf[v] = b;
  }
  return b;
}

/**
 * Whether two JSON-ready values serialise to the same JSON (`JSON.stringify(a) === JSON.stringify(b)`,
 * keys in order), without building the strings.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return !Number.isFinite(a) && !Number.isFinite(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // JSON.stringify writes non-finite numbers as null.
    const nullish = (x: unknown): boolean => x === null || (typeof x === 'number' && !Number.isFinite(x));
    return nullish(a) && nullish(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, y[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x).filter((k) => x[k] !== undefined);
  const ky = Object.keys(y).filter((k) => y[k] !== undefined);
  if (kx.length !== ky.length) return false;
  for (let i = 0; i < kx.length; i++) {
    const k = kx[i] as string;
    if (k !== ky[i] || !sameJson(x[k], y[k])) return false;
  }
  return true;
}

export const STATS_STRIDE = 10;

function pushStats(out: number[], d: RiderDynamic): void {
  out.push(d.race ? d.race.rating : Number.NaN, d.weight, d.zpFTP, ...d.power.w);
}

/** Compact state of a rider: what results, signup lists and ZP rows need. */
export interface RiderStats {
  /** 0 when unrated. */
  rating: number;
  weight: number;
  zpFTP: number;
  /** Watts for 5, 15, 30, 60, 120, 300, 1200 s. */
  w: number[];
}

export function statsOf(tl: RiderTimeline, v: number): RiderStats {
  const o = v * STATS_STRIDE;
  const s = tl.stats;
  const rating = s[o] as number;
  return {
    rating: Number.isNaN(rating) ? 0 : rating,
    weight: s[o + 1] as number,
    zpFTP: s[o + 2] as number,
    w: Array.from(s.subarray(o + 3, o + 10)),
  };
}

/** Index of the version in effect at `t`. */
export function versionAt(tl: RiderTimeline, t: number): number {
  const a = tl.at;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((a[mid] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
