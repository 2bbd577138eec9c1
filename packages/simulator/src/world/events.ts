import { stream } from '../prng.ts';
import { REGION_HOURS, type RouteInfo, type Series } from './series.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Average race speed (km/h) of each pen on flat roads; the slowest pen sets the event duration. */
export const PEN_SPEED_KMH: Record<string, number> = { A: 42, B: 39, C: 36, D: 33, E: 30 };
export const OTHER_PEN_SPEED_KMH = 33;

/** Event timing model (fixed defaults). */
export const EVENT_MODEL = {
  /** Results are published this long after the end (uniform, minutes). */
  resultsDelayMinutes: [5, 20] as const,
  /** Share of races whose results get one correction. */
  correctionShare: 0.15,
  /** The correction comes this long after the results (uniform, minutes). */
  correctionDelayMinutes: [30, 180] as const,
  /** Share of the correction kinds: a time fix (swap with the rider ahead), else a DQ. */
  timeFixShare: 0.6,
  /** Share of multi-pen races with an extra, unusual pen label ("W" or "F"). */
  extraPenShare: 0.025,
} as const;

export interface SimEvent {
  index: number;
  eventId: string;
  idNum: number;
  /** Epoch ms. */
  startMs: number;
  series: Series;
  route: RouteInfo;
  laps: number;
  distanceM: number;
  elevationM: number;
  title: string;
  subType: string;
  staggeredStart: boolean;
  pens: string[];
  durationMs: number;
  endMs: number;
  resultsAt: number;
  correctedAt: number | null;
  correctionKind: 'time' | 'dq' | null;
  /** Zwift subgroup ids, one per pen. */
  subgroupIds: number[];
  // Signups (field + team) live in the world's SignupStore; these are this event's ranges.
  /** Range [s0, s1) of the event's signups (sorted by signup time). */
  s0: number;
  s1: number;
  /** Per pen p: [penAtOff[p], penAtOff[p+1]) in the store's pen-grouped signup times. */
  penAtOff: number[];
  /** Per pen p: [penWdOff[p], penWdOff[p+1]) in the store's pen-grouped withdrawal times. */
  penWdOff: number[];
  /** Range [wd0, wd1) of the event's withdrawal times, sorted. */
  wd0: number;
  wd1: number;
  /** Last serialised feed counts (`"20,29,36"}`), valid for times in [countsFrom, countsUntil). */
  countsFrom: number;
  countsUntil: number;
  countsBuf: Buffer;
  /** Team riders on this event (indices into world.teamSignups). */
  teamSignups: number[];
  /** Cached JSON of the site feed entry up to `"signups":` (string and bytes). */
  sitePrefix: string;
  sitePrefixBuf: Buffer;
}

export interface GroupRide {
  idNum: number;
  startMs: number;
  title: string;
  route: RouteInfo;
  durationS: number;
}

export function penSpeed(pen: string): number {
  return PEN_SPEED_KMH[pen] ?? OTHER_PEN_SPEED_KMH;
}

/** Duration of the event: distance at the slowest pen's speed, slowed by climbing. */
export function eventDurationMs(distanceM: number, elevationM: number, pens: string[]): number {
  const slowest = Math.min(...pens.map(penSpeed));
  const perKm = elevationM / Math.max(distanceM / 1000, 0.1);
  const kmh = slowest / (1 + perKm / 40);
  return Math.round((distanceM / 1000 / kmh) * 3600) * 1000;
}

function title(series: Series, route: RouteInfo, stage: number): string {
  switch (series.titleStyle) {
    case 'colon':
      return `${series.name}: ${route.name}${series.suffix}`;
    case 'stage':
      return `Stage ${stage}: ${series.name}: ${route.name}${series.suffix}`;
    default:
      return `${series.name} - ${route.name}${series.suffix}`;
  }
}

export interface EventGenInput {
  seed: number | string;
  series: Series[];
  /** World span: events with start in [beginMs, endMs). */
  beginMs: number;
  endMs: number;
  eventsPerDay: number;
}

/** Races of the world, sorted by start, with ids. Signups are attached later. */
export function generateEvents(input: EventGenInput): SimEvent[] {
  const { seed, series, beginMs, endMs, eventsPerDay } = input;
  const weights = series.map((s) => s.weight);
  const raw: Omit<SimEvent, 'index' | 'eventId' | 'idNum' | 'subgroupIds'>[] = [];
  const firstDay = Math.floor(beginMs / DAY);
  const lastDay = Math.ceil(endMs / DAY);
  for (let day = firstDay; day < lastDay; day++) {
    const dayStart = day * DAY;
    const rng = stream(seed, 'events-day', day);
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const n = Math.round(eventsPerDay * (weekend ? 1.06 : 0.976) * rng.float(0.96, 1.04));
    for (let j = 0; j < n; j++) {
      const s = series[rng.weightedIndex(weights)] as Series;
      const hour = rng.weightedIndex(REGION_HOURS[s.region]);
      const minute = rng.bool(0.55) ? (rng.bool(0.7) ? 0 : 30) : rng.int(0, 11) * 5;
      const startMs = dayStart + hour * HOUR + minute * MINUTE;
      const routeIdx = (day + s.index) % s.routes.length;
      const route = s.routes[routeIdx] as RouteInfo;
      const laps = s.laps[routeIdx] as number;
      const pens = [...s.pens];
      if (pens.length > 2 && rng.bool(EVENT_MODEL.extraPenShare)) pens.push(rng.bool(0.6) ? 'W' : 'F');
      const distanceM = Math.round((route.distanceKm * laps + route.leadInKm) * 1000);
      const elevationM = Math.round(route.elevation * laps + route.leadInElevation);
      const durationMs = eventDurationMs(distanceM, elevationM, pens);
      const [r0, r1] = EVENT_MODEL.resultsDelayMinutes;
      const [c0, c1] = EVENT_MODEL.correctionDelayMinutes;
      const resultsDelay = rng.int(r0 * 60, r1 * 60) * 1000;
      const corrected = rng.bool(EVENT_MODEL.correctionShare);
      const correctionDelay = rng.int(c0 * 60, c1 * 60) * 1000;
      const correctionKind = rng.bool(EVENT_MODEL.timeFixShare) ? 'time' : 'dq';
      if (startMs < beginMs || startMs >= endMs) continue;
      raw.push({
        startMs,
        series: s,
        route,
        laps,
        distanceM,
        elevationM,
        title: title(s, route, (Math.floor(day / 7) % 8) + 1),
        subType: s.subType,
        staggeredStart: s.staggeredStart,
        pens,
        durationMs,
        endMs: startMs + durationMs,
        resultsAt: startMs + durationMs + resultsDelay,
        correctedAt: corrected ? startMs + durationMs + resultsDelay + correctionDelay : null,
        correctionKind: corrected ? correctionKind : null,
        s0: 0,
        s1: 0,
        penAtOff: [],
        penWdOff: [],
        wd0: 0,
        wd1: 0,
        countsFrom: 0,
        countsUntil: 0,
        countsBuf: Buffer.alloc(0),
        teamSignups: [],
        sitePrefix: '',
        sitePrefixBuf: Buffer.alloc(0),
      });
    }
  }
  raw.sort((a, b) => a.startMs - b.startMs || a.series.index - b.series.index);
  const idRng = stream(seed, 'event-ids');
  let id = 5_300_000 + idRng.int(0, 99_999);
  let subgroup = 6_400_000 + idRng.int(0, 99_999);
  return raw.map((e, index) => {
    id += idRng.int(2, 40);
    const subgroupIds = e.pens.map(() => (subgroup += idRng.int(1, 3)));
    return { ...e, index, idNum: id, eventId: String(id), subgroupIds };
  });
}

/** Zwift-only group rides (the Zwift feed lists more than races; clients must filter). */
export function generateGroupRides(input: EventGenInput & { routes: RouteInfo[] }): GroupRide[] {
  const { seed, beginMs, endMs, routes } = input;
  const out: GroupRide[] = [];
  const firstDay = Math.floor(beginMs / DAY);
  const lastDay = Math.ceil(endMs / DAY);
  const idRng = stream(seed, 'ride-ids');
  let id = 5_900_000 + idRng.int(0, 9_999);
  for (let day = firstDay; day < lastDay; day++) {
    const rng = stream(seed, 'rides-day', day);
    const n = rng.int(30, 50);
    const rides: GroupRide[] = [];
    for (let j = 0; j < n; j++) {
      const startMs = day * DAY + rng.int(0, 24 * 12 - 1) * 5 * MINUTE;
      const route = rng.pick(routes);
      const name = rng.pick(['Social Ride', 'Recovery Ride', 'Coffee Ride', 'Endurance Ride', 'Group Ride']);
      rides.push({
        idNum: 0,
        startMs,
        title: `${name} - ${route.name}`,
        route,
        durationS: rng.pick([3600, 5400]),
      });
    }
    rides.sort((a, b) => a.startMs - b.startMs);
    for (const r of rides) {
      if (r.startMs < beginMs || r.startMs >= endMs) continue;
      id += idRng.int(1, 20);
      r.idNum = id;
      out.push(r);
    }
  }
  return out;
}
