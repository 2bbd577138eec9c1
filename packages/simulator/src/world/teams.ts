/**
 * The teams of a world: each a club with its own riders, favourite series and signups. Team 0 is
 * the single team of a one-team world, drawn from exactly the streams it always was; team t ≥ 1
 * draws from streams named with its index, so adding teams changes nothing of team 0's riders or
 * signups.
 */

import { SimulatorConfigError } from '../config-error.ts';
import { hash32, type Rng, stream } from '../prng.ts';
import { OTHER_CLUBS, TEAM_NAME_FIRST, TEAM_NAME_SECOND, TEAM_NAMES } from './data.ts';
import { siteClubJson, type TeamInfo } from './riders.ts';

/** One team of the `teams` option. */
export interface TeamSpec {
  /** Riders (members of the team's club), an integer ≥ 1. */
  size: number;
  /**
   * The team's club id (distinct from every other team's).
   * @default drawn from the seed
   */
  clubId?: number;
  /**
   * The team's API key (its own public-API windows).
   * @default derived from the seed (team 0: the first of `apiKeys`, if given)
   */
  apiKey?: string;
}

/** A stream of `name` for team `teamIndex` (team 0: the stream a one-team world always used). */
export function teamStream(
  seed: number | string,
  teamIndex: number,
  name: string,
  ...rest: (string | number)[]
): Rng {
  return teamIndex === 0 ? stream(seed, name, ...rest) : stream(seed, name, `team:${teamIndex}`, ...rest);
}

/** Club ids other riders' clubs use (a team never takes one). */
const TAKEN_CLUB_IDS = new Set(OTHER_CLUBS.map((c) => c[0]));

/**
 * Name, tag and club of team `teamIndex`. Team 0's come from the stream `team` as they always did;
 * the others' from their own, with club ids distinct from `used` (which this adds to) and names
 * made distinct with a number when two teams draw the same.
 */
export function teamInfo(
  seed: number | string,
  teamIndex: number,
  clubIdOverride: number | undefined,
  used: { clubIds: Set<number>; names: Set<string>; tags: Set<string> },
): TeamInfo {
  let name: string;
  let tag: string;
  let clubId: number;
  let color: string;
  if (teamIndex === 0) {
    const rng = stream(seed, 'team');
    [name, tag] = rng.pick(TEAM_NAMES);
    clubId = rng.int(10_000, 60_000);
    color = (rng.u32() & 0xffffff).toString(16).padStart(6, '0');
  } else {
    const rng = teamStream(seed, teamIndex, 'team');
    const first = rng.pick(TEAM_NAME_FIRST);
    const second = rng.pick(TEAM_NAME_SECOND);
    name = `${first} ${second}`;
    for (let n = 2; used.names.has(name); n++) name = `${first} ${second} ${n}`;
    tag = `${first.slice(0, 2)}${second.charAt(0)}`.toUpperCase();
    for (let n = 2; used.tags.has(tag); n++)
      tag = `${first.slice(0, 2)}${second.charAt(0)}${n}`.toUpperCase();
    do clubId = rng.int(60_001, 999_999);
    while (used.clubIds.has(clubId) || TAKEN_CLUB_IDS.has(clubId));
    color = (rng.u32() & 0xffffff).toString(16).padStart(6, '0');
  }
  if (clubIdOverride !== undefined) clubId = clubIdOverride;
  used.clubIds.add(clubId);
  used.names.add(name);
  used.tags.add(tag);
  return { clubId, name, tag, siteClubJson: siteClubJson(clubId, name, color, hash32(seed, 'club-oid')) };
}

/** Options of `teamSizes`. */
export interface TeamSizesOptions {
  /**
   * Smallest team.
   * @default 10
   */
  min?: number;
  /**
   * Largest team.
   * @default 80
   */
  max?: number;
  /**
   * Seed of the sizes (independent of the world's seed).
   * @default 1
   */
  seed?: number | string;
}

/**
 * `count` team specs with sizes drawn uniformly from [min, max] (seeded): the `teams` option for
 * "200 teams of 10–80 riders" is `teamSizes(200)`.
 */
export function teamSizes(count: number, options: TeamSizesOptions = {}): TeamSpec[] {
  const min = options.min ?? 10;
  const max = options.max ?? 80;
  if (!Number.isInteger(count) || count < 1)
    throw new SimulatorConfigError('teamSizes: count must be an integer ≥ 1');
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min)
    throw new SimulatorConfigError('teamSizes: min and max must be integers with 1 ≤ min ≤ max');
  const rng = stream(options.seed ?? 1, 'team-sizes');
  return Array.from({ length: count }, () => ({ size: rng.int(min, max) }));
}
