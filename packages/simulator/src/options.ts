/** The options of a simulation: what can be set, their defaults, and their resolution. */
import type { Clock } from '@racesync/zwift-client';
import { DEFAULT_START, toEpochMs } from './clock/start-time.ts';
import { SimulatorConfigError } from './config-error.ts';
import type { FaultOptions } from './faults.ts';
import {
  BUCKETS,
  type BucketName,
  type BucketSpec,
  type Tier,
  ZWIFT_ACCOUNT_BUCKETS,
  type ZwiftAccountBucket,
} from './limits.ts';
import { hash32 } from './prng.ts';
import { FOLLOW_DEFAULTS, type FollowSettings } from './world/follows.ts';
import { TEAM_MODEL, type TeamRaceTimes, type TeamSignupLead } from './world/team.ts';
import type { TeamSpec } from './world/teams.ts';
import { ZWIFT_AUTH_DEFAULTS, type ZwiftAuthSettings } from './zwift-auth/accounts.ts';

/** The follow graph of the simulated Zwift account (`follow` option). */
export interface FollowOptions {
  /**
   * Share (0…1) of the team's racing riders the account does NOT follow. With a share above 0 and
   * at least 10 racing riders, at least one rider is not followed.
   * @default 0.05
   */
  unfollowedShare?: number;
  /**
   * Riders outside the team (from the field) the account follows too — a captain follows friends,
   * so followee counts also move for reasons unrelated to the team.
   * @default 30
   */
  extraFollowees?: number;
}

/** When the teams race (`teamRaceTimes` option). */
export interface TeamRaceTimesOptions {
  /**
   * UTC hours of the day (0–23) in which team races start.
   * @default every hour
   */
  hoursUtc?: readonly number[];
  /**
   * UTC weekdays (0 = Sunday … 6 = Saturday) on which team races start.
   * @default every day
   */
  weekdaysUtc?: readonly number[];
}

/** How long before the start team riders sign up (`teamSignupLead` option). */
export interface TeamSignupLeadOptions {
  /**
   * Share of team signups made late: uniformly between 5 min and `lateWindowMs` before the start.
   * @default 0.5
   */
  lateShare?: number;
  /**
   * The late window (ms); the other signups are made uniformly between it and 48 h before the start.
   * @default 21600000 (6 h)
   */
  lateWindowMs?: number;
}

/** Token lifetimes of the simulated Zwift token endpoint (`zwiftAuth` option). */
export interface ZwiftAuthOptions {
  /**
   * Lifetime of an access token (ms of simulation clock; `expires_in` is it in seconds).
   * @default 21600000 (6 h, like Zwift's)
   */
  accessTokenTtlMs?: number;
  /**
   * Lifetime of a refresh token (ms of simulation clock).
   * @default 604800000 (7 days)
   */
  refreshTokenTtlMs?: number;
}

export interface SimulationOptions {
  /**
   * Seed of every random stream.
   * @default 42
   */
  seed?: number | string;
  /**
   * Virtual start (epoch ms, ISO string or Date).
   * @default '2026-01-01T00:00:00Z'
   */
  start?: number | string | Date;
  /**
   * Team riders (members of the team's club); with `teams`, the size of every team given as a number
   * (with a list of teams, team 0's size, which must then agree).
   * @default 80
   */
  teamSize?: number;
  /**
   * The teams of the world: a count of teams of `teamSize` riders, or one spec per team
   * (`{ size, clubId?, apiKey? }`; `teamSizes(200)` draws 200 teams of 10–80 riders). Each team is a
   * club with its own riders, favourite series, signups, API key and Zwift account; team 0 is the
   * single team of a one-team world, identical to it in riders, club, key and signups.
   * @default 1 (one team of `teamSize` riders)
   */
  teams?: number | TeamSpec[];
  /**
   * Simulated days after `start` (the world also covers 2 days before and a 7-day feed after).
   * @default 7
   */
  days?: number;
  /**
   * Races per day on the site feed.
   * @default 120
   */
  eventsPerDay?: number;
  /**
   * Other riders who fill signup lists and results (at least 1000).
   * @default 20000
   */
  populationSize?: number;
  /**
   * Public API tier of the API key(s).
   * @default 'standard'
   */
  tier?: Tier;
  /**
   * Site API budget (global): requests per 60 s, or a full spec.
   * @default 10 (per 60 s)
   */
  siteBudget?: number | BucketSpec;
  /**
   * Zwift API budget (global): requests per 60 s, or a full spec.
   * @default 5 (per 60 s)
   */
  zwiftBudget?: number | BucketSpec;
  /**
   * Override any bucket of the tier's table, or of Zwift's authenticated API (`zwift-auth`,
   * `zwift-search`, `zwift-entrants`, per account).
   * @default {} (the tier's table and `ZWIFT_ACCOUNT_BUCKETS`)
   */
  limits?: Partial<Record<BucketName | ZwiftAccountBucket, BucketSpec>>;
  /**
   * Club page size of `/public/clubs/{id}[/{from}]`.
   * @default 1000
   */
  clubPageSize?: number;
  /**
   * Accepted API keys (each has its own public-API windows); the first is team 0's key unless
   * `teams[0].apiKey` is given. Every team's key is accepted too.
   * @default one key per team, derived from the seed
   */
  apiKeys?: string[];
  /**
   * Fault injection.
   * @default null (no faults)
   */
  faults?: FaultOptions | null;
  /**
   * Which riders the simulated Zwift account follows.
   * @default { unfollowedShare: 0.05, extraFollowees: 30 }
   */
  follow?: FollowOptions;
  /**
   * When every team races: team riders sign up only to races starting in these UTC hours of the
   * day and on these UTC weekdays (a team of one time zone). Opt-in, for measuring a strategy that
   * learns when a team races; the benchmarks' targets use the default.
   * @default { hoursUtc: 0–23, weekdaysUtc: 0–6 } (any time)
   */
  teamRaceTimes?: TeamRaceTimesOptions;
  /**
   * How long before the start team riders sign up: `lateShare` of the signups within the last
   * `lateWindowMs` (but not in the last 5 min), the others between `lateWindowMs` and 48 h before.
   * Opt-in, for measuring a strategy that learns how long before a start the team signs up; the
   * benchmarks' targets use the default.
   * @default { lateShare: 0.5, lateWindowMs: 6 h }
   */
  teamSignupLead?: TeamSignupLeadOptions;
  /**
   * Token lifetimes of the simulated Zwift token endpoint.
   * @default { accessTokenTtlMs: 6 h, refreshTokenTtlMs: 7 days }
   */
  zwiftAuth?: ZwiftAuthOptions;
  /**
   * Clock of the simulation.
   * @default a new virtual clock at `start`
   */
  clock?: Clock;
}

/** A team, resolved: its size, its club id if one was given, its API key. */
export interface ResolvedTeam {
  size: number;
  clubId?: number;
  apiKey: string;
}

export interface ResolvedOptions {
  seed: number | string;
  start: number;
  /** Team 0's size. */
  teamSize: number;
  /** Every team (at least one). */
  teams: ResolvedTeam[];
  /** Every accepted API key: the `apiKeys` option's and every team's. */
  apiKeys: string[];
  days: number;
  eventsPerDay: number;
  populationSize: number;
  tier: Tier;
  limits: Record<BucketName, BucketSpec>;
  /** Limits of Zwift's authenticated API, per account. */
  zwiftLimits: Record<ZwiftAccountBucket, BucketSpec>;
  clubPageSize: number;
  follow: FollowSettings;
  zwiftAuth: ZwiftAuthSettings;
  /** Start times team races may have, or null for any time. */
  teamRaceTimes: TeamRaceTimes | null;
  /** How long before the start team riders sign up, or null for the default (`TEAM_MODEL`'s). */
  teamSignupLead: TeamSignupLead | null;
}

function budget(value: number | BucketSpec | undefined, fallback: BucketSpec): BucketSpec {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return { capacity: value, intervalMs: 60_000 };
  return value;
}

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min)
    throw new SimulatorConfigError(`${name} must be an integer ≥ ${min}`);
  return value;
}

function share(name: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0 && value <= 1))
    throw new SimulatorConfigError(`${name} must be within [0, 1]`);
  return value;
}

export function resolveOptions(options: SimulationOptions = {}): ResolvedOptions {
  const tier = options.tier ?? 'standard';
  if (tier !== 'standard' && tier !== 'premium')
    throw new SimulatorConfigError(`unknown tier: ${String(tier)}`);
  const table = BUCKETS[tier];
  const overrides: Partial<Record<BucketName, BucketSpec>> = {};
  const zwiftOverrides: Partial<Record<ZwiftAccountBucket, BucketSpec>> = {};
  for (const [name, spec] of Object.entries(options.limits ?? {})) {
    if (name in ZWIFT_ACCOUNT_BUCKETS) zwiftOverrides[name as ZwiftAccountBucket] = spec;
    else if (name in table) overrides[name as BucketName] = spec;
    else throw new SimulatorConfigError(`limits.${name}: unknown bucket`);
  }
  const limits: Record<BucketName, BucketSpec> = {
    ...table,
    site: budget(options.siteBudget, table.site),
    zwift: budget(options.zwiftBudget, table.zwift),
    ...overrides,
  };
  const zwiftLimits: Record<ZwiftAccountBucket, BucketSpec> = { ...ZWIFT_ACCOUNT_BUCKETS, ...zwiftOverrides };
  for (const [name, spec] of [...Object.entries(limits), ...Object.entries(zwiftLimits)]) {
    if (!(spec.capacity >= 0) || !(spec.intervalMs > 0))
      throw new SimulatorConfigError(`invalid limit for ${name}`);
  }
  const populationSize = positiveInt('populationSize', options.populationSize ?? 20_000, 1000);
  const extraFollowees = positiveInt(
    'follow.extraFollowees',
    options.follow?.extraFollowees ?? FOLLOW_DEFAULTS.extraFollowees,
    0,
  );
  if (extraFollowees > populationSize / 2)
    throw new SimulatorConfigError('follow.extraFollowees must be at most half of populationSize');
  const accessTokenTtlMs = positiveInt(
    'zwiftAuth.accessTokenTtlMs',
    options.zwiftAuth?.accessTokenTtlMs ?? ZWIFT_AUTH_DEFAULTS.accessTokenTtlMs,
    1000,
  );
  const refreshTokenTtlMs = positiveInt(
    'zwiftAuth.refreshTokenTtlMs',
    options.zwiftAuth?.refreshTokenTtlMs ?? ZWIFT_AUTH_DEFAULTS.refreshTokenTtlMs,
    1000,
  );
  const seed = options.seed ?? 42;
  const teams = resolveTeams(options, seed);
  return {
    seed,
    start: toEpochMs(options.start ?? DEFAULT_START),
    teamSize: (teams[0] as ResolvedTeam).size,
    teams,
    apiKeys: [...new Set([...(options.apiKeys ?? []), ...teams.map((team) => team.apiKey)])],
    days: positiveInt('days', options.days ?? 7),
    eventsPerDay: positiveInt('eventsPerDay', options.eventsPerDay ?? 120),
    populationSize,
    tier,
    limits,
    zwiftLimits,
    clubPageSize: positiveInt('clubPageSize', options.clubPageSize ?? 1000),
    follow: {
      unfollowedShare: share(
        'follow.unfollowedShare',
        options.follow?.unfollowedShare ?? FOLLOW_DEFAULTS.unfollowedShare,
      ),
      extraFollowees,
    },
    zwiftAuth: { accessTokenTtlMs, refreshTokenTtlMs },
    teamRaceTimes: resolveRaceTimes(options.teamRaceTimes),
    teamSignupLead: resolveSignupLead(options.teamSignupLead),
  };
}

function resolveRaceTimes(times: TeamRaceTimesOptions | undefined): TeamRaceTimes | null {
  if (times === undefined) return null;
  const set = (name: string, values: readonly number[] | undefined, max: number): Set<number> | null => {
    if (values === undefined) return null;
    if (!Array.isArray(values) || values.length === 0)
      throw new SimulatorConfigError(`teamRaceTimes.${name} must be a non-empty array`);
    for (const v of values) {
      if (!Number.isInteger(v) || v < 0 || v > max)
        throw new SimulatorConfigError(
          `teamRaceTimes.${name}: ${String(v)} is not an integer within [0, ${max}]`,
        );
    }
    return new Set(values);
  };
  const hours = set('hoursUtc', times.hoursUtc, 23);
  const weekdays = set('weekdaysUtc', times.weekdaysUtc, 6);
  return hours === null && weekdays === null ? null : { hours, weekdays };
}

function resolveSignupLead(lead: TeamSignupLeadOptions | undefined): TeamSignupLead | null {
  if (lead === undefined || (lead.lateShare === undefined && lead.lateWindowMs === undefined)) return null;
  const { minLeadMs, maxLeadMs } = TEAM_MODEL;
  const lateShare = lead.lateShare ?? TEAM_MODEL.lateShare;
  const lateWindowMs = lead.lateWindowMs ?? TEAM_MODEL.lateWindowMs;
  if (!(typeof lateShare === 'number' && lateShare >= 0 && lateShare <= 1))
    throw new SimulatorConfigError(
      `teamSignupLead.lateShare: ${String(lateShare)} is not a number within [0, 1]`,
    );
  if (!Number.isInteger(lateWindowMs) || lateWindowMs <= minLeadMs || lateWindowMs >= maxLeadMs)
    throw new SimulatorConfigError(
      `teamSignupLead.lateWindowMs: ${String(lateWindowMs)} is not an integer within (${minLeadMs}, ${maxLeadMs}) (5 min to 48 h, exclusive)`,
    );
  return { lateShare, lateWindowMs };
}

/** Derive team `t`'s default API key from the seed (never a real key). */
function defaultApiKey(seed: number | string, t: number): string {
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  const path = t === 0 ? [] : [`team:${t}`];
  return `sim-${hex(hash32(seed, 'api-key', ...path, 1))}${hex(hash32(seed, 'api-key', ...path, 2))}`;
}

/** The teams option, resolved (sizes checked, keys given or derived, clubs and keys distinct). */
function resolveTeams(options: SimulationOptions, seed: number | string): ResolvedTeam[] {
  const teamSize = options.teamSize === undefined ? undefined : positiveInt('teamSize', options.teamSize);
  let specs: TeamSpec[];
  const t = options.teams;
  if (t === undefined) specs = [{ size: teamSize ?? 80 }];
  else if (typeof t === 'number') {
    positiveInt('teams', t);
    if (t > 65_535) throw new SimulatorConfigError('teams must be at most 65535');
    specs = Array.from({ length: t }, () => ({ size: teamSize ?? 80 }));
  } else {
    if (!Array.isArray(t) || t.length === 0)
      throw new SimulatorConfigError('teams must be a count or a non-empty list');
    if (t.length > 65_535) throw new SimulatorConfigError('teams must be at most 65535');
    specs = t;
    if (teamSize !== undefined && t[0]?.size !== teamSize)
      throw new SimulatorConfigError('teamSize disagrees with teams[0].size (give one of them)');
  }
  const clubIds = new Set<number>();
  const keys = new Set<string>();
  const firstKey = options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys[0] : undefined;
  return specs.map((spec, i) => {
    const size = positiveInt(`teams[${i}].size`, spec?.size as number);
    const team: ResolvedTeam = {
      size,
      apiKey: spec.apiKey ?? (i === 0 && firstKey !== undefined ? firstKey : defaultApiKey(seed, i)),
    };
    if (spec.clubId !== undefined) {
      team.clubId = positiveInt(`teams[${i}].clubId`, spec.clubId);
      if (clubIds.has(team.clubId))
        throw new SimulatorConfigError(`teams[${i}].clubId ${team.clubId} is another team's`);
      clubIds.add(team.clubId);
    }
    if (typeof team.apiKey !== 'string' || team.apiKey === '')
      throw new SimulatorConfigError(`teams[${i}].apiKey must be a non-empty string`);
    if (keys.has(team.apiKey)) throw new SimulatorConfigError(`teams[${i}].apiKey is another team's`);
    keys.add(team.apiKey);
    return team;
  });
}
