import type { Clock } from '@racesync/zwift-client';
import { DEFAULT_START, toEpochMs } from './clock/start-time.ts';
import { createVirtualClock, isVirtualClock, type VirtualClock } from './clock/virtual-clock.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import {
  BUCKETS,
  type BucketName,
  type BucketSpec,
  SlidingWindowLimiter,
  type Tier,
  ZWIFT_ACCOUNT_BUCKETS,
  type ZwiftAccountBucket,
} from './limits.ts';
import { hash32, stream } from './prng.ts';
import { SimServer } from './server/sim-server.ts';
import { emptyStats, type SimulationStats } from './server/stats.ts';
import { type Truth, TruthIndex, TruthView } from './truth.ts';
import { FOLLOW_DEFAULTS, FollowGraph, type FollowSettings } from './world/follows.ts';
import { World } from './world/world.ts';
import { ZWIFT_AUTH_DEFAULTS, ZwiftAccounts, type ZwiftAuthSettings } from './zwift-auth/accounts.ts';
import type { ZwiftCredentials } from './zwift-auth/credentials.ts';

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

/** Options of `expireZwiftTokens`. */
export interface ExpireTokensOptions {
  /**
   * Expire the refresh tokens too (the client must then use the password grant).
   * @default false
   */
  refreshTokens?: boolean;
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
   * Team riders (members of the team's club).
   * @default 80
   */
  teamSize?: number;
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
   * Accepted API keys (each has its own public-API windows).
   * @default one key derived from the seed
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

export interface ResolvedOptions {
  seed: number | string;
  start: number;
  teamSize: number;
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
}

export interface ListenOptions {
  /**
   * Port to listen on (0: an ephemeral port).
   * @default 0
   */
  port?: number;
  /**
   * Host (interface) to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
}

export interface ListenResult {
  /** Public API base, e.g. `http://127.0.0.1:PORT/zr/api`. */
  baseUrl: string;
  /** Site API base, e.g. `http://127.0.0.1:PORT/site`. */
  siteBaseUrl: string;
  /** Zwift API base (the public feed and the authenticated API), e.g. `http://127.0.0.1:PORT/zwift`. */
  zwiftBaseUrl: string;
  /** Zwift auth base (the token endpoint), e.g. `http://127.0.0.1:PORT/zwift-auth`. */
  zwiftAuthBaseUrl: string;
  /** The simulated Zwift account (the team captain's), as it was when `listen()` resolved. */
  zwiftAccount: ZwiftCredentials;
  apiKey: string;
  clubId: number;
  teamRiderIds: number[];
  port: number;
  host: string;
}

export interface Simulation {
  readonly options: ResolvedOptions;
  /** The simulation's clock (a virtual clock unless one was passed). */
  readonly clock: Clock;
  /** A fetch tracked by the virtual clock (plain fetch for other clocks): use it in-process. */
  readonly fetch: typeof fetch;
  readonly apiKey: string;
  readonly clubId: number;
  readonly teamRiderIds: readonly number[];
  /** Start serving on loopback. Idempotent. */
  listen(options?: ListenOptions): Promise<ListenResult>;
  /** The ground truth at the clock's current time. */
  readonly truth: Truth;
  /** The ground truth at any virtual time. */
  truthAt(t: number | string | Date): Truth;
  stats(): SimulationStats;
  resetStats(): void;
  /** Replace the fault configuration (null or `{ rate: 0 }` turns faults off). */
  setFaults(faults: FaultOptions | null): void;
  /** The simulated Zwift account's current credentials (the team captain's account). */
  readonly zwiftAccount: ZwiftCredentials;
  /**
   * Lock the Zwift account from `at` (default: now): from then on, API calls answer 403 and token
   * requests 403 `{ error: "account_locked" }`, until `unlockZwiftAccount()`.
   */
  lockZwiftAccount(at?: number | string | Date): void;
  /** Lift a lock set by `lockZwiftAccount`. */
  unlockZwiftAccount(): void;
  /**
   * Change the Zwift account's password: the old one gets 401 `invalid_grant`, and every token
   * issued so far stops working (as when a password is reset), so a client must log in again.
   */
  setZwiftPassword(password: string): void;
  /**
   * Make the Zwift account's access tokens (and with `refreshTokens`, its refresh tokens) expire
   * now; returns how many tokens expired.
   */
  expireZwiftTokens(options?: ExpireTokensOptions): number;
  /** Close the server and every socket (hung requests included). */
  close(): Promise<void>;
}

function budget(value: number | BucketSpec | undefined, fallback: BucketSpec): BucketSpec {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return { capacity: value, intervalMs: 60_000 };
  return value;
}

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}`);
  return value;
}

function share(name: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0 && value <= 1))
    throw new RangeError(`${name} must be within [0, 1]`);
  return value;
}

export function resolveOptions(options: SimulationOptions = {}): ResolvedOptions {
  const tier = options.tier ?? 'standard';
  if (tier !== 'standard' && tier !== 'premium') throw new RangeError(`unknown tier: ${String(tier)}`);
  const table = BUCKETS[tier];
  const overrides: Partial<Record<BucketName, BucketSpec>> = {};
  const zwiftOverrides: Partial<Record<ZwiftAccountBucket, BucketSpec>> = {};
  for (const [name, spec] of Object.entries(options.limits ?? {})) {
    if (name in ZWIFT_ACCOUNT_BUCKETS) zwiftOverrides[name as ZwiftAccountBucket] = spec;
    else if (name in table) overrides[name as BucketName] = spec;
    else throw new RangeError(`limits.${name}: unknown bucket`);
  }
  const limits: Record<BucketName, BucketSpec> = {
    ...table,
    site: budget(options.siteBudget, table.site),
    zwift: budget(options.zwiftBudget, table.zwift),
    ...overrides,
  };
  const zwiftLimits: Record<ZwiftAccountBucket, BucketSpec> = { ...ZWIFT_ACCOUNT_BUCKETS, ...zwiftOverrides };
  for (const [name, spec] of [...Object.entries(limits), ...Object.entries(zwiftLimits)]) {
    if (!(spec.capacity >= 0) || !(spec.intervalMs > 0)) throw new RangeError(`invalid limit for ${name}`);
  }
  const populationSize = positiveInt('populationSize', options.populationSize ?? 20_000, 1000);
  const extraFollowees = positiveInt(
    'follow.extraFollowees',
    options.follow?.extraFollowees ?? FOLLOW_DEFAULTS.extraFollowees,
    0,
  );
  if (extraFollowees > populationSize / 2)
    throw new RangeError('follow.extraFollowees must be at most half of populationSize');
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
  return {
    seed: options.seed ?? 42,
    start: toEpochMs(options.start ?? DEFAULT_START),
    teamSize: positiveInt('teamSize', options.teamSize ?? 80),
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
  };
}

/** Derive the default API key from the seed (never a real key). */
function defaultApiKey(seed: number | string): string {
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return `sim-${hex(hash32(seed, 'api-key', 1))}${hex(hash32(seed, 'api-key', 2))}`;
}

/**
 * Create a simulated upstream world (built synchronously, ~0.5 s for the defaults) and its
 * loopback server.
 */
export function createSimulation(options: SimulationOptions = {}): Simulation {
  const resolved = resolveOptions(options);
  const clock: Clock = options.clock ?? createVirtualClock({ start: resolved.start });
  const world = new World({
    seed: resolved.seed,
    startMs: resolved.start,
    days: resolved.days,
    teamSize: resolved.teamSize,
    eventsPerDay: resolved.eventsPerDay,
    populationSize: resolved.populationSize,
  });
  const index = new TruthIndex(world);
  const accounts = new ZwiftAccounts(
    resolved.seed,
    1,
    resolved.zwiftAuth,
    (teamIndex) =>
      new FollowGraph({
        seed: resolved.seed,
        teamIndex,
        team: world.teamProfiles,
        populationSize: resolved.populationSize,
        idOf: (ref) => world.ids.idOf(ref),
        settings: resolved.follow,
      }),
  );
  const captain = accounts.ofTeam(0);
  const follows = () => captain.follows();
  const apiKeys =
    options.apiKeys && options.apiKeys.length > 0 ? [...options.apiKeys] : [defaultApiKey(resolved.seed)];
  const apiKey = apiKeys[0] as string;
  const faults = new FaultInjector(resolved.seed, options.faults);
  let stats = emptyStats();
  const shuffle = stream(resolved.seed, 'bulk-shuffle');
  const server = new SimServer({
    world,
    clock,
    limiter: new SlidingWindowLimiter(),
    faults,
    stats: () => stats,
    limits: resolved.limits,
    zwiftLimits: resolved.zwiftLimits,
    apiKeys: new Set(apiKeys),
    accounts,
    clubPageSize: resolved.clubPageSize,
    shuffleSeed: () => shuffle.u32(),
  });
  const trackedFetch = isVirtualClock(clock)
    ? (clock as VirtualClock).trackFetch()
    : globalThis.fetch.bind(globalThis);
  let listening: Promise<ListenResult> | null = null;

  return {
    options: resolved,
    clock,
    fetch: trackedFetch,
    apiKey,
    clubId: world.team.clubId,
    teamRiderIds: Object.freeze([...world.teamRiderIds]),
    listen(listenOptions: ListenOptions = {}): Promise<ListenResult> {
      if (!listening) {
        const host = listenOptions.host ?? '127.0.0.1';
        listening = server.listen(listenOptions.port ?? 0, host).then((port) => {
          const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
          return {
            baseUrl: `${origin}/zr/api`,
            siteBaseUrl: `${origin}/site`,
            zwiftBaseUrl: `${origin}/zwift`,
            zwiftAuthBaseUrl: `${origin}/zwift-auth`,
            zwiftAccount: captain.credentials,
            apiKey,
            clubId: world.team.clubId,
            teamRiderIds: [...world.teamRiderIds],
            port,
            host,
          };
        });
      }
      return listening;
    },
    get truth(): Truth {
      return new TruthView(world, index, clock.now(), follows);
    },
    truthAt(t: number | string | Date): Truth {
      return new TruthView(world, index, toEpochMs(t), follows);
    },
    stats(): SimulationStats {
      return structuredClone(stats);
    },
    resetStats(): void {
      stats = emptyStats();
    },
    setFaults(f: FaultOptions | null): void {
      faults.set(f);
    },
    get zwiftAccount(): ZwiftCredentials {
      return captain.credentials;
    },
    lockZwiftAccount(at?: number | string | Date): void {
      captain.lockedAt = at === undefined ? clock.now() : toEpochMs(at);
    },
    unlockZwiftAccount(): void {
      captain.lockedAt = Number.POSITIVE_INFINITY;
    },
    setZwiftPassword(password: string): void {
      if (typeof password !== 'string' || password === '')
        throw new RangeError('password must be a non-empty string');
      captain.password = password;
      accounts.tokens.expire(captain.username, ['access', 'refresh'], clock.now());
    },
    expireZwiftTokens(expireOptions: ExpireTokensOptions = {}): number {
      const kinds = expireOptions.refreshTokens ? (['access', 'refresh'] as const) : (['access'] as const);
      return accounts.tokens.expire(captain.username, kinds, clock.now());
    },
    close(): Promise<void> {
      return server.close();
    },
  };
}
