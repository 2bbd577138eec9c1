import { routes as zwiftRoutes, worlds as zwiftWorlds } from 'zwift-data';
import { type Rng, stream } from '../prng.ts';
import { SERIES_NAMES, SUBTYPES } from './data.ts';

export interface RouteInfo {
  id: number;
  idStr: string;
  name: string;
  slug: string;
  worldSlug: string;
  worldName: string;
  worldId: number;
  distanceKm: number;
  elevation: number;
  leadInKm: number;
  leadInElevation: number;
  eventOnly: boolean;
  profile: 'Flat' | 'Rolling' | 'Hilly' | 'Mountainous';
  url: string;
}

function profileOf(distanceKm: number, elevation: number): RouteInfo['profile'] {
  const perKm = elevation / Math.max(distanceKm, 0.1);
  if (perKm < 5) return 'Flat';
  if (perKm < 10) return 'Rolling';
  if (perKm < 18) return 'Hilly';
  return 'Mountainous';
}

let routeCache: RouteInfo[] | null = null;

/** Cycling routes from zwift-data that have a Zwift route id (about half of them above 2^31). */
export function allRoutes(): RouteInfo[] {
  if (routeCache) return routeCache;
  const worlds = new Map(zwiftWorlds.map((w) => [w.slug as string, w]));
  const out: RouteInfo[] = [];
  for (const r of zwiftRoutes) {
    if (r.id === undefined || !r.sports.includes('cycling')) continue;
    const world = worlds.get(r.world);
    out.push({
      id: r.id,
      idStr: String(r.id),
      name: r.name,
      slug: r.slug,
      worldSlug: r.world,
      worldName: world?.name ?? r.world,
      worldId: world?.id ?? 1,
      distanceKm: r.distance,
      elevation: r.elevation,
      leadInKm: r.leadInDistance ?? 0,
      leadInElevation: r.leadInElevation ?? 0,
      eventOnly: r.eventOnly,
      profile: profileOf(r.distance, r.elevation),
      url: r.zwiftInsiderUrl ?? `https://zwiftinsider.com/route/${r.slug}/`,
    });
  }
  out.sort((a, b) => a.id - b.id);
  routeCache = out;
  return out;
}

export type Region = 'eu' | 'us' | 'apac' | 'any';

export interface Series {
  index: number;
  name: string;
  routes: RouteInfo[];
  laps: number[];
  pens: string[];
  subType: string;
  staggeredStart: boolean;
  /** Relative frequency of the series' events. */
  weight: number;
  /** Signup-count multiplier (median 1). */
  popularity: number;
  region: Region;
  /** 'plain' "<name> - <route>", 'colon' "<name>: <route>", 'stage' "Stage n: <name>: <route>". */
  titleStyle: 'plain' | 'colon' | 'stage';
  /** Title suffix, e.g. " || Advanced" for single-pen events. */
  suffix: string;
}

const SINGLE_PEN: readonly [string, string][] = [
  ['A', ' || Advanced'],
  ['B', ' || B only'],
  ['C', ' || C only'],
  ['D', ' || Novice'],
];

/** A-pen race speed on a route (km/h): 42 on the flat, slower with climbing. */
export function aPenKmh(r: RouteInfo): number {
  return 42 / (1 + r.elevation / Math.max(r.distanceKm, 0.1) / 40);
}

function chooseRoute(rng: Rng, routes: RouteInfo[], kind: 'crit' | 'flat' | 'climb' | 'any'): RouteInfo {
  const fits = routes.filter((r) => {
    // One lap (with lead-in) must fit in a race: at most ~80 min for the A pen.
    if ((r.distanceKm + r.leadInKm) / aPenKmh(r) > 80 / 60) return false;
    if (kind === 'crit') return r.distanceKm < 6;
    if (kind === 'flat') return r.profile === 'Flat' || r.profile === 'Rolling';
    if (kind === 'climb') return r.profile === 'Hilly' || r.profile === 'Mountainous';
    return r.distanceKm < 45;
  });
  return rng.pick(fits.length > 0 ? fits : routes);
}

/** The fixed set of series races are drawn from (about 60). */
export function makeSeries(seed: number | string): Series[] {
  const routes = allRoutes();
  return SERIES_NAMES.map((name, index) => {
    const rng = stream(seed, 'series', index);
    const lower = name.toLowerCase();
    let subType = (SUBTYPES[rng.weightedIndex(SUBTYPES.map((s) => s[1]))] as [string, number])[0];
    if (lower.includes('team time trial')) subType = 'Team Time Trial';
    else if (lower.includes('tt ') || lower.includes('time trial') || lower.includes('ctt'))
      subType = 'Time Trial';
    else if (lower.includes('points')) subType = 'Points';
    else if (subType === 'Team Time Trial' || subType === 'Time Trial') subType = 'Scratch';
    const kind = lower.includes('crit')
      ? 'crit'
      : lower.includes('climb') || lower.includes('mountain')
        ? 'climb'
        : lower.includes('flat') || lower.includes('sprint')
          ? 'flat'
          : 'any';
    const nRoutes = rng.int(1, 3);
    const seriesRoutes: RouteInfo[] = [];
    const laps: number[] = [];
    // Races last about 20–90 minutes for the A pen (the slowest pen takes ~40 % longer).
    const targetMinutes =
      kind === 'crit' ? rng.float(20, 35) : Math.min(90, Math.max(20, rng.logNormal(45, 0.35)));
    for (let i = 0; i < nRoutes; i++) {
      const r = chooseRoute(rng, routes, kind);
      seriesRoutes.push(r);
      const km = (targetMinutes / 60) * aPenKmh(r);
      laps.push(Math.max(1, Math.round((km - r.leadInKm) / r.distanceKm)));
    }
    const penRoll = rng.next();
    let pens: string[];
    let suffix = '';
    if (lower.includes('rookie')) pens = ['C', 'D', 'E'];
    else if (lower.includes('50+') || subType === 'Team Time Trial') pens = ['A', 'B', 'C', 'D'];
    else if (penRoll < 0.62) pens = ['A', 'B', 'C', 'D', 'E'];
    else if (penRoll < 0.84) pens = ['A', 'B', 'C', 'D'];
    else if (penRoll < 0.9) pens = ['B', 'C', 'D', 'E'];
    else {
      const [pen, sfx] = rng.pick(SINGLE_PEN);
      pens = [pen];
      suffix = sfx;
    }
    const regionRoll = rng.next();
    const region: Region =
      regionRoll < 0.45 ? 'eu' : regionRoll < 0.75 ? 'us' : regionRoll < 0.9 ? 'apac' : 'any';
    const styleRoll = rng.next();
    return {
      index,
      name,
      routes: seriesRoutes,
      laps,
      pens,
      subType,
      staggeredStart: pens.length > 1 && subType === 'Scratch' && rng.bool(0.5),
      weight: rng.logNormal(1, 0.8) * (lower.includes('crit racing club') ? 3 : 1),
      popularity: rng.logNormal(1, 0.3),
      region,
      titleStyle: styleRoll < 0.6 ? 'plain' : styleRoll < 0.85 ? 'colon' : 'stage',
      suffix,
    };
  });
}

/** Hour-of-day (UTC) weights per region. */
export const REGION_HOURS: Record<Region, number[]> = (() => {
  const w = (pairs: [number, number][]): number[] => {
    const a = new Array<number>(24).fill(0.05);
    for (const [h, v] of pairs) a[h] = v;
    return a;
  };
  return {
    eu: w([
      [5, 0.4],
      [6, 0.6],
      [7, 0.4],
      [11, 0.5],
      [12, 0.7],
      [16, 1],
      [17, 2],
      [18, 3],
      [19, 3],
      [20, 2],
      [21, 1],
    ]),
    us: w([
      [11, 0.5],
      [12, 0.6],
      [16, 0.7],
      [17, 0.7],
      [22, 1.5],
      [23, 2.5],
      [0, 3],
      [1, 2.5],
      [2, 1.5],
      [3, 0.7],
    ]),
    apac: w([
      [6, 1],
      [7, 1.5],
      [8, 2],
      [9, 2],
      [10, 1.5],
      [11, 1],
      [20, 0.5],
      [21, 0.8],
    ]),
    any: new Array<number>(24).fill(1),
  };
})();
