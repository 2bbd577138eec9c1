/**
 * Zwift's subgroup entrants (`GET /api/events/subgroups/entrants/{id}`): the profiles of the riders
 * signed up to one pen, as Zwift's profile objects.
 */
import { hash32 } from '../../prng.ts';
import type { SimEvent } from '../events.ts';
import type { FollowGraph } from '../follows.ts';
import type { World } from '../world.ts';

/** ISO 3166 alpha-3 and numeric codes of the countries riders come from. */
const COUNTRY_CODES: Record<string, [string, number]> = {
  gb: ['gbr', 826],
  'gb-wls': ['gbr', 826],
  'gb-sct': ['gbr', 826],
  us: ['usa', 840],
  nl: ['nld', 528],
  be: ['bel', 56],
  de: ['deu', 276],
  fr: ['fra', 250],
  es: ['esp', 724],
  it: ['ita', 380],
  se: ['swe', 752],
  no: ['nor', 578],
  dk: ['dnk', 208],
  au: ['aus', 36],
  ca: ['can', 124],
  ie: ['irl', 372],
  nz: ['nzl', 554],
  ch: ['che', 756],
  at: ['aut', 40],
  pl: ['pol', 616],
  pt: ['prt', 620],
  jp: ['jpn', 392],
  br: ['bra', 76],
  za: ['zaf', 710],
  fi: ['fin', 246],
  cz: ['cze', 203],
  hu: ['hun', 348],
  mx: ['mex', 484],
  ar: ['arg', 32],
  kr: ['kor', 410],
};

/** A typical age in years for a ZwiftRacing age group. */
const AGE_OF_GROUP: Record<string, number> = {
  Jun: 17,
  U23: 21,
  Sen: 29,
  Mas: 37,
  Vet: 44,
  '50+': 53,
  '60+': 63,
  '70+': 72,
};

/** The riders of pen `p` of `ev` signed up (not withdrawn) at `t`, as refs in signup order. */
export function penEntrants(world: World, ev: SimEvent, p: number, t: number, only?: FollowGraph): number[] {
  const store = world.signups;
  const end = store.endAt(ev, t);
  const out: number[] = [];
  for (let j = ev.s0; j < end; j++) {
    if (store.pen[j] !== p || (store.wd[j] as number) <= t) continue;
    const ref = store.ref[j] as number;
    if (only && !only.followed.has(ref)) continue;
    out.push(ref);
  }
  return out;
}

/** A Zwift profile object of rider `ref` at `t`, as `follows`' account sees it. */
export function zwiftProfile(
  world: World,
  ref: number,
  t: number,
  follows: FollowGraph,
): Record<string, unknown> {
  const p = world.profile(ref);
  const id = p.riderId;
  const h = (i: number): string =>
    (hash32(world.seed, 'zwift-profile', id, i) >>> 0).toString(16).padStart(8, '0');
  const name = p.name.trim();
  const space = name.indexOf(' ');
  const firstName = space < 0 ? name : name.slice(0, space);
  const lastName = space < 0 ? '' : name.slice(space + 1).trim();
  const [alpha3, code] = COUNTRY_CODES[p.country] ?? ['gbr', 826];
  const weight = world.statsAt(ref, t).weight;
  const n = hash32(world.seed, 'zwift-profile', id, 'counts');
  return {
    id,
    publicId: `${h(1)}-${h(2).slice(0, 4)}-4${h(2).slice(5, 8)}-8${h(3).slice(1, 4)}-${h(3).slice(4)}${h(4)}`,
    firstName,
    lastName,
    male: p.gender === 'M',
    imageSrc: `https://static-cdn.zwift.com/prod/profile/${h(5)}-${id}`,
    imageSrcLarge: `https://static-cdn.zwift.com/prod/profile/${h(5)}-${id}`,
    playerType: 'NORMAL',
    countryAlpha3: alpha3,
    countryCode: code,
    useMetric: p.country !== 'us',
    riding: false,
    privacy: {
      approvalRequired: false,
      displayWeight: true,
      minor: p.age === 'Jun',
      privateMessaging: false,
      defaultFitnessDataPrivacy: false,
      suppressFollowerNotification: false,
      displayAge: true,
      defaultActivityPrivacy: 'PUBLIC',
    },
    socialFacts: {
      profileId: id,
      followersCount: 20 + (n % 900),
      followeesCount: 10 + ((n >>> 10) % 600),
      followeesInCommonWithLoggedInPlayer: 0,
      followerStatusOfLoggedInPlayer: follows.followed.has(ref) ? 'IS_FOLLOWING' : 'NO_RELATIONSHIP',
      followeeStatusOfLoggedInPlayer: 'NO_RELATIONSHIP',
      isFavoriteOfLoggedInPlayer: false,
    },
    worldId: null,
    enrolledZwiftAcademy: false,
    playerTypeId: 1,
    playerSubTypeId: null,
    currentActivityId: null,
    likelyInGame: false,
    age: (AGE_OF_GROUP[p.age] ?? 40) + ((n >>> 20) % 4),
    height: p.height * 10,
    weight: Math.round(weight * 1000),
  };
}

/** The JSON array of the profiles of `refs`. */
export function zwiftEntrantsJson(
  world: World,
  refs: readonly number[],
  t: number,
  follows: FollowGraph,
): string {
  return JSON.stringify(refs.map((ref) => zwiftProfile(world, ref, t, follows)));
}
