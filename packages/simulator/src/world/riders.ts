import { hash32, type Rng, stream } from '../prng.ts';
import {
  AGE_GROUPS,
  COUNTRIES,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  HTML_ENTITIES,
  LAST_NAMES,
  MIXED_CATEGORIES,
  NAME_SUFFIXES,
  OTHER_CLUBS,
  PHENOTYPES,
} from './data.ts';
import type { RiderIds } from './ids.ts';

export const CATEGORIES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Category shares of the simulated team (like a real club: few A, most C). */
export const TEAM_CATEGORY_SHARES: Record<Category, number> = { A: 0.1, B: 0.25, C: 0.35, D: 0.25, E: 0.05 };
/** Category shares of the other riders who fill signup lists and results. */
export const FIELD_CATEGORY_SHARES: Record<Category, number> = { A: 0.12, B: 0.22, C: 0.3, D: 0.26, E: 0.1 };

/** Rating (mean, sd, min, max) per category. */
const RATING_BY_CATEGORY: Record<Category, [number, number, number, number]> = {
  A: [1950, 200, 1620, 2900],
  B: [1520, 100, 1300, 1760],
  C: [1200, 90, 1000, 1420],
  D: [900, 90, 700, 1120],
  E: [620, 90, 300, 820],
};
/** FTP in W/kg (mean, sd) per category. */
const WKG_BY_CATEGORY: Record<Category, [number, number]> = {
  A: [4.4, 0.3],
  B: [3.7, 0.2],
  C: [3.15, 0.2],
  D: [2.65, 0.2],
  E: [2.1, 0.25],
};

export const DAY_S = 86_400;

/** A rated race block ("race" or "womens") in the rider's own state. */
export interface RaceState {
  rating: number;
  /** Epoch seconds of the last race. */
  lastDate: number;
  max30: number;
  max30Date: number;
  max90: number;
  max90Date: number;
  finishes: number;
  dnfs: number;
  wins: number;
  podiums: number;
  /** max30/max90 are served without `date` and `mixed` (legacy records). */
  legacyMax: boolean;
}

export interface PowerState {
  /** Watts for 5, 15, 30, 60, 120, 300, 1200 s. */
  w: number[];
  CP: number;
  AWC: number;
  compoundScore: number;
  /** Absent for some riders. */
  powerRating: number | null;
}

/** The parts of a rider that move over time (team riders get versions of this). */
export interface RiderDynamic {
  weight: number;
  zpFTP: number;
  power: PowerState;
  race: RaceState | null;
  womens: RaceState | null;
}

export interface RiderProfile {
  ref: number;
  riderId: number;
  team: boolean;
  name: string;
  gender: 'M' | 'F';
  country: string;
  age: string;
  height: number;
  category: Category;
  /** Weight is served as an int (0), or with 1–3 decimals. */
  weightDecimals: number;
  /** wkg values with full float precision (true) or 4 decimals. */
  wkgFull: boolean;
  handicaps: { flat: number; rolling: number; hilly: number; mountainous: number };
  phenotype: { scores: Record<string, number>; value: string; bias: number };
  /** Public API club. */
  club: { id: number; name: string } | null;
  /** Site API club object fragment (pre-serialised JSON) or null. */
  siteClubJson: string;
  points: { total: number; events: string[] };
  user: string | null;
  initial: RiderDynamic;
}

export interface TeamInfo {
  clubId: number;
  name: string;
  tag: string;
  siteClubJson: string;
}

const DURATIONS = [5, 15, 30, 60, 120, 300, 1200];

export function mixedFor(rating: number): { category: string; number: number } {
  for (let i = 0; i < MIXED_CATEGORIES.length; i++) {
    const [name, min] = MIXED_CATEGORIES[i] as [string, number];
    if (rating >= min) return { category: name, number: i + 1 };
  }
  return { category: 'Copper', number: MIXED_CATEGORIES.length };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

function pickWeighted<T>(rng: Rng, items: readonly [T, number][]): T {
  return (items[rng.weightedIndex(items.map((i) => i[1]))] as [T, number])[0];
}

export function categoryFromShares(u: number, shares: Record<Category, number>): Category {
  let acc = 0;
  for (const c of CATEGORIES) {
    acc += shares[c];
    if (u < acc) return c;
  }
  return 'E';
}

/** Category and gender of field rider `i`, without generating the whole profile. */
export function fieldRiderBasics(seed: number | string, i: number): { category: Category; female: boolean } {
  const h = hash32(seed, 'field-basics', i);
  const category = categoryFromShares((h & 0xffff) / 0x10000, FIELD_CATEGORY_SHARES);
  const female = (h >>> 16) / 0x10000 < 0.12;
  return { category, female };
}

export function makeName(rng: Rng, female: boolean): string {
  const first = rng.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
  const last = rng.pick(LAST_NAMES);
  const style = rng.next();
  if (style < 0.08) return `${first} ${last}`.toUpperCase();
  if (style < 0.12) return `${first.toLowerCase()} ${last.toLowerCase()}`;
  if (style < 0.15) return `${first} ${last.charAt(0)}.`;
  return `${first} ${last}${rng.pick(NAME_SUFFIXES)}`;
}

/** The parts of a rider the results need: cheap to generate and to keep for every field rider. */
export interface RiderCore {
  name: string;
  unrated: boolean;
  rating: number;
  max30: number;
  max90: number;
}

export function makeCore(rng: Rng, category: Category, female: boolean, unratedShare: number): RiderCore {
  const name = makeName(rng, female);
  const unrated = rng.bool(unratedShare);
  const [rm, rsd, rmin, rmax] = RATING_BY_CATEGORY[category];
  const rating = clamp(rng.normal(rm, rsd), rmin, rmax);
  const max30 = rating + Math.abs(rng.normal(0, 25));
  const max90 = max30 + Math.abs(rng.normal(0, 40));
  return { name, unrated, rating, max30, max90 };
}

function makeRaceState(rng: Rng, core: RiderCore, beginSec: number, legacyMax: boolean): RaceState {
  const finishes = Math.round(rng.logNormal(25, 1.0));
  const winRate = clamp(rng.logNormal(0.04, 1), 0, 0.4);
  const wins = Math.round(finishes * winRate);
  const podiums = Math.min(finishes, wins + Math.round(finishes * clamp(rng.logNormal(0.08, 0.9), 0, 0.5)));
  const dnfs = Math.round(finishes * clamp(rng.logNormal(0.03, 0.8), 0, 0.3));
  const lastDate = beginSec - rng.int(1, 20 * 24) * 3600;
  return {
    rating: core.rating,
    lastDate,
    max30: core.max30,
    max30Date: lastDate - rng.int(0, 20) * DAY_S,
    max90: core.max90,
    max90Date: lastDate - rng.int(0, 80) * DAY_S,
    finishes,
    dnfs,
    wins,
    podiums,
    legacyMax,
  };
}

function makePower(rng: Rng, ftp: number, phenotype: string): PowerState {
  const sprint = phenotype === 'Sprinter' ? rng.float(3.4, 4.3) : rng.float(2.4, 3.4);
  const w5 = ftp * sprint;
  const w = [
    w5,
    w5 * rng.float(0.87, 0.94),
    w5 * rng.float(0.72, 0.8),
    ftp * rng.float(1.55, 1.95),
    ftp * rng.float(1.3, 1.5),
    ftp * rng.float(1.1, 1.28),
    ftp * rng.float(1.0, 1.1),
  ].map((x) => Math.round(x));
  return {
    w,
    CP: (w[6] as number) * rng.float(0.92, 0.98),
    AWC: rng.float(8000, 32000),
    compoundScore: 0, // set by caller (depends on weight)
    powerRating: null,
  };
}

function makePhenotype(rng: Rng): RiderProfile['phenotype'] {
  const value = rng.pick(PHENOTYPES);
  const base = rng.float(45, 92);
  const scores: Record<string, number> = {};
  for (const key of ['sprinter', 'puncheur', 'pursuiter', 'climber', 'tt']) {
    scores[key] = round(clamp(base + rng.normal(0, 8), 30, 100), 1);
  }
  const favoured: Record<string, string> = {
    Sprinter: 'sprinter',
    Puncheur: 'puncheur',
    Pursuiter: 'pursuiter',
    Climber: 'climber',
    'Time Trialist': 'tt',
  };
  const key = favoured[value];
  if (key) scores[key] = round(clamp((scores[key] as number) + rng.float(4, 12), 30, 100), 1);
  const vals = Object.values(scores);
  const bias = Math.max(...vals) - vals.reduce((a, b) => a + b, 0) / vals.length;
  return { scores, value, bias };
}

export function siteClubJson(id: number, name: string, color: string, seedHash: number): string {
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  const objectId = `6${hex(seedHash ^ id).slice(1)}${hex(id * 2654435761)}${hex(seedHash)}`.slice(0, 24);
  return JSON.stringify({
    _id: objectId,
    clubId: id,
    name,
    backgroundColor: color,
    textColor: 'ffffff',
    borderColor: color,
    createdAt: '2021-09-21T18:16:17.647Z',
    updatedAt: '2025-12-08T13:11:00.555Z',
    __v: 0,
  });
}

interface ProfileInput {
  seed: number | string;
  ids: RiderIds;
  ref: number;
  category: Category;
  female: boolean;
  beginSec: number;
  team: TeamInfo | null;
  core: RiderCore;
}

function makeProfile(rng: Rng, input: ProfileInput): RiderProfile {
  const { category, female, team, core } = input;
  const riderId = input.ids.idOf(input.ref);
  let name = core.name;
  if (team && rng.bool(0.6)) name = `${name.trim()} [${team.tag}]`;
  const height = Math.round(female ? rng.normal(168, 6) : rng.normal(181, 7));
  const weightKg = clamp(female ? rng.normal(63, 7) : rng.normal(78, 9), 48, 115);
  const wd = rng.next();
  const weightDecimals = wd < 0.6 ? 0 : wd < 0.85 ? 1 : wd < 0.95 ? 2 : 3;
  const weight = round(weightKg, weightDecimals);
  const [wkgMean, wkgSd] = WKG_BY_CATEGORY[category];
  const ftpWkg = clamp(rng.normal(wkgMean, wkgSd), 1.2, 6.5);
  const ftp = Math.round(ftpWkg * weight);
  const phenotype = makePhenotype(rng);
  const power = makePower(rng, ftp, phenotype.value);
  power.compoundScore = ((power.w[6] as number) / weight) * rng.float(360, 410);
  if (rng.bool(0.75)) power.powerRating = power.compoundScore * rng.float(0.95, 1.08);
  const legacyMax = rng.bool(0.15);
  const race = core.unrated ? null : makeRaceState(rng, core, input.beginSec, legacyMax);
  const womensOffset = rng.normal(60, 40);
  const womens =
    female && race && rng.bool(0.7)
      ? makeRaceState(
          rng,
          {
            ...core,
            rating: core.rating + womensOffset,
            max30: core.max30 + womensOffset,
            max90: core.max90 + womensOffset,
          },
          input.beginSec,
          false,
        )
      : null;
  const zpFTP = Math.round(ftp * rng.float(0.95, 1.04));
  const handicaps = {
    flat: rng.normal(0, 70),
    rolling: rng.normal(0, 70),
    hilly: rng.normal(0, 70),
    mountainous: rng.normal(0, 70),
  };
  let club: RiderProfile['club'];
  let clubJson: string;
  if (team) {
    club = { id: team.clubId, name: team.name };
    clubJson = team.siteClubJson;
  } else if (rng.bool(0.55)) {
    const [id, clubName, color] = rng.pick(OTHER_CLUBS);
    club = { id, name: clubName };
    clubJson = siteClubJson(id, clubName, color, hash32(input.seed, 'club-oid'));
  } else {
    club = null;
    clubJson = 'null';
  }
  const nEvents = race ? rng.int(0, 5) : 0;
  const events: string[] = [];
  for (let i = 0; i < nEvents; i++) events.push(String(rng.int(5_000_000, 5_290_000)));
  const points = { total: race ? rng.float(50, 900) : 0, events };
  const user = rng.bool(0.3)
    ? (hash32(input.seed, 'user', riderId) >>> 0).toString(16).padStart(8, '0') + '2db345624b10b607'
    : null;
  return {
    ref: input.ref,
    riderId,
    team: team !== null,
    name,
    gender: female ? 'F' : 'M',
    country: rng.pick(COUNTRIES),
    age: pickWeighted(rng, AGE_GROUPS),
    height,
    category,
    weightDecimals,
    wkgFull: rng.bool(0.5),
    handicaps,
    phenotype,
    club,
    siteClubJson: clubJson,
    points,
    user,
    initial: { weight, zpFTP, power, race, womens },
  };
}

/** Core of field rider `i` (name and ratings), from its own stream. */
export function makeFieldCore(seed: number | string, i: number): RiderCore {
  const { category, female } = fieldRiderBasics(seed, i);
  return makeCore(stream(seed, 'field-core', i), category, female, 0.05);
}

export function makeFieldProfile(
  seed: number | string,
  ids: RiderIds,
  i: number,
  beginSec: number,
  core: RiderCore = makeFieldCore(seed, i),
): RiderProfile {
  const { category, female } = fieldRiderBasics(seed, i);
  const rng = stream(seed, 'field-rider', i);
  return makeProfile(rng, { seed, ids, ref: i, category, female, beginSec, team: null, core });
}

/** A team rider with ref `ref`, drawn from `rng` (the rider's own stream). */
export function makeTeamProfile(
  seed: number | string,
  ids: RiderIds,
  rng: Rng,
  ref: number,
  beginSec: number,
  team: TeamInfo,
): RiderProfile {
  const category = categoryFromShares(rng.next(), TEAM_CATEGORY_SHARES);
  const female = rng.bool(0.14);
  const core = makeCore(rng, category, female, 0.1);
  return makeProfile(rng, { seed, ids, ref, category, female, beginSec, team, core });
}

// ---------------------------------------------------------------------------------------------
// Serialisation (raw upstream shapes)

function wkg(p: RiderProfile, watts: number, weight: number): number {
  const x = watts / weight;
  return p.wkgFull ? x : round(x, 4);
}

function powerObject(p: RiderProfile, d: RiderDynamic, withRating: boolean): Record<string, number> {
  const o: Record<string, number> = {};
  const w = d.power.w;
  for (let i = 0; i < DURATIONS.length; i++) o[`wkg${DURATIONS[i]}`] = wkg(p, w[i] as number, d.weight);
  for (let i = 0; i < DURATIONS.length; i++) o[`w${DURATIONS[i]}`] = w[i] as number;
  o['CP'] = d.power.CP;
  o['AWC'] = d.power.AWC;
  o['compoundScore'] = d.power.compoundScore;
  if (withRating && d.power.powerRating !== null) o['powerRating'] = d.power.powerRating;
  return o;
}

const D30 = 30 * DAY_S;
const D90 = 90 * DAY_S;

export function raceObject(r: RaceState): Record<string, unknown> {
  const point = (rating: number, date: number) => ({ rating, date, mixed: mixedFor(rating) });
  const max = (rating: number, date: number, expires: number) =>
    r.legacyMax ? { rating, expires } : { rating, date, expires, mixed: mixedFor(rating) };
  return {
    last: point(r.rating, r.lastDate),
    current: point(r.rating, r.lastDate),
    max30: max(r.max30, r.max30Date, r.lastDate + D30),
    max90: max(r.max90, r.max90Date, r.lastDate + D90),
    finishes: r.finishes,
    dnfs: r.dnfs,
    wins: r.wins,
    podiums: r.podiums,
  };
}

/** The public API rider payload (shape of zwiftracing-public-rider-single.json). */
export function riderPublicObject(p: RiderProfile, d: RiderDynamic): Record<string, unknown> {
  const o: Record<string, unknown> = {
    riderId: p.riderId,
    name: p.name,
    gender: p.gender,
    country: p.country,
    age: p.age,
    height: p.height,
    weight: d.weight,
    zpCategory: zpCategoryOf(d),
    zpFTP: d.zpFTP,
    power: powerObject(p, d, true),
    race: d.race ? raceObject(d.race) : null,
  };
  if (d.womens) o['womens'] = raceObject(d.womens);
  o['handicaps'] = { profile: p.handicaps };
  o['phenotype'] = p.phenotype;
  o['club'] = p.club;
  return o;
}

function zpCategoryOf(d: RiderDynamic): string {
  const x = d.zpFTP / d.weight;
  return x >= 4.0 ? 'A' : x >= 3.2 ? 'B' : x >= 2.5 ? 'C' : 'D';
}

export function encodeEntities(s: string): string {
  let out = '';
  for (const ch of s) {
    const named = HTML_ENTITIES[ch];
    if (named) out += named;
    else if ((ch.codePointAt(0) as number) > 127) out += `&#${ch.codePointAt(0)};`;
    else out += ch;
  }
  return out;
}

/** A rider entry of the site API's signup list (shape of zwiftracing-internal-api-event-signups.json). */
export function riderSiteJson(p: RiderProfile, d: RiderDynamic): string {
  const race = d.race
    ? {
        rating: d.race.rating,
        finishes: d.race.finishes,
        wins: d.race.wins,
        podiums: d.race.podiums,
        dnfs: d.race.dnfs,
        max30: d.race.max30,
      }
    : { rating: 0, finishes: 0, wins: 0, podiums: 0, dnfs: 0, max30: 0 };
  const head = JSON.stringify({
    riderId: p.riderId,
    name: encodeEntities(p.name),
    power: powerObject(p, d, false),
    race,
    weight: d.weight,
    height: p.height,
  });
  const tail = JSON.stringify({
    points: p.points,
    phenotype: { value: p.phenotype.value, overall: p.phenotype },
    handicaps: { profile: p.handicaps },
    ...(p.user ? { user: p.user } : {}),
    visibility: 'public',
  });
  return `${head.slice(0, -1)},"club":${p.siteClubJson},${tail.slice(1)}`;
}

/** Rating the site lists sort by (0 for unrated). */
export function siteRating(d: RiderDynamic): number {
  return d.race ? d.race.rating : 0;
}

export function cloneDynamic(d: RiderDynamic): RiderDynamic {
  return {
    weight: d.weight,
    zpFTP: d.zpFTP,
    power: { ...d.power, w: [...d.power.w] },
    race: d.race ? { ...d.race } : null,
    womens: d.womens ? { ...d.womens } : null,
  };
}

export { clamp, round as roundTo };
