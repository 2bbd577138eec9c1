/** `createSimulation`: the world, its server, its truth and its Zwift accounts, in one handle. */
import type { Clock } from '@racesync/zwift-client';
import { toEpochMs } from './clock/start-time.ts';
import { createVirtualClock, isVirtualClock, type VirtualClock } from './clock/virtual-clock.ts';
import { SimulatorConfigError } from './config-error.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { SlidingWindowLimiter } from './limits.ts';
import { type ResolvedOptions, resolveOptions, type SimulationOptions } from './options.ts';
import { stream } from './prng.ts';
import { SimServer } from './server/sim-server.ts';
import { emptyStats, type SimulationStats } from './server/stats.ts';
import { type Truth, TruthIndex, TruthView } from './truth.ts';
import { FollowGraph } from './world/follows.ts';
import { World, type WorldTeam } from './world/world.ts';
import { type ZwiftAccount, ZwiftAccounts } from './zwift-auth/accounts.ts';
import type { ZwiftCredentials } from './zwift-auth/credentials.ts';

/** Which team's Zwift account an auth fault targets. */
export interface TeamSelector {
  /**
   * The team (its id).
   * @default 0
   */
  teamId?: number;
}

/** Options of `expireZwiftTokens`. */
export interface ExpireTokensOptions extends TeamSelector {
  /**
   * Expire the refresh tokens too (the client must then use the password grant).
   * @default false
   */
  refreshTokens?: boolean;
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
  /** Team 0's API key. */
  apiKey: string;
  /** Team 0's club. */
  clubId: number;
  /** Team 0's riders, ascending. */
  teamRiderIds: number[];
  /** Every team (team 0 first), with its key, club, riders and Zwift account. */
  teams: SimTeam[];
  port: number;
  host: string;
}

/** One team of a simulation. */
export interface SimTeam {
  teamId: number;
  clubId: number;
  clubName: string;
  /** The team's API key (its own public-API windows). */
  apiKey: string;
  /** Rider ids, ascending. */
  riderIds: number[];
  /** The team captain's Zwift account (its current credentials). */
  zwiftAccount: ZwiftCredentials;
}

export interface Simulation {
  readonly options: ResolvedOptions;
  /** The simulation's clock (a virtual clock unless one was passed). */
  readonly clock: Clock;
  /** A fetch tracked by the virtual clock (plain fetch for other clocks): use it in-process. */
  readonly fetch: typeof fetch;
  /** Team 0's API key. */
  readonly apiKey: string;
  /** Team 0's club. */
  readonly clubId: number;
  /** Team 0's riders, ascending. */
  readonly teamRiderIds: readonly number[];
  /** Every team (team 0 first). */
  readonly teams: readonly SimTeam[];
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
  /** Team 0's Zwift account's current credentials (the team captain's account). */
  readonly zwiftAccount: ZwiftCredentials;
  /**
   * Lock a team's Zwift account (team 0's by default) from `at` (default: now): from then on, API
   * calls answer 403 and token requests 403 `{ error: "account_locked" }`, until unlocked.
   */
  lockZwiftAccount(at?: number | string | Date, options?: TeamSelector): void;
  /** Lift a lock set by `lockZwiftAccount`. */
  unlockZwiftAccount(options?: TeamSelector): void;
  /**
   * Change a team's Zwift account password: the old one gets 401 `invalid_grant`, and every token
   * issued so far stops working (as when a password is reset), so a client must log in again.
   */
  setZwiftPassword(password: string, options?: TeamSelector): void;
  /**
   * Make the Zwift account's access tokens (and with `refreshTokens`, its refresh tokens) expire
   * now; returns how many tokens expired.
   */
  expireZwiftTokens(options?: ExpireTokensOptions): number;
  /** Close the server and every socket (hung requests included). */
  close(): Promise<void>;
}

/**
 * Create a simulated upstream world (built synchronously, ~0.5 s for the defaults) and its
 * loopback server.
 */
export function createSimulation(options: SimulationOptions = {}): Simulation {
  const resolved: ResolvedOptions = resolveOptions(options);
  const clock: Clock = options.clock ?? createVirtualClock({ start: resolved.start });
  const world = new World({
    seed: resolved.seed,
    startMs: resolved.start,
    days: resolved.days,
    teams: resolved.teams,
    eventsPerDay: resolved.eventsPerDay,
    teamRaceTimes: resolved.teamRaceTimes,
    teamSignupLead: resolved.teamSignupLead,
    populationSize: resolved.populationSize,
  });
  const index = new TruthIndex(world);
  const accounts = new ZwiftAccounts(
    resolved.seed,
    world.teams.length,
    resolved.zwiftAuth,
    (teamIndex) =>
      new FollowGraph({
        seed: resolved.seed,
        teamIndex,
        team: (world.teams[teamIndex] as WorldTeam).profiles,
        populationSize: resolved.populationSize,
        idOf: (ref) => world.ids.idOf(ref),
        settings: resolved.follow,
      }),
  );
  const follows = (t: number) => accounts.ofTeam(t).follows();
  const account = (selector: TeamSelector = {}): ZwiftAccount => accounts.ofTeam(selector.teamId ?? 0);
  const apiKey = (resolved.teams[0] as { apiKey: string }).apiKey;
  const teams = (): SimTeam[] =>
    world.teams.map((t) => ({
      teamId: t.index,
      clubId: t.info.clubId,
      clubName: t.info.name,
      apiKey: (resolved.teams[t.index] as { apiKey: string }).apiKey,
      riderIds: [...t.riderIds],
      zwiftAccount: accounts.ofTeam(t.index).credentials,
    }));
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
    apiKeys: new Set(resolved.apiKeys),
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
    get teams(): readonly SimTeam[] {
      return teams();
    },
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
            zwiftAccount: account().credentials,
            apiKey,
            clubId: world.team.clubId,
            teamRiderIds: [...world.teamRiderIds],
            teams: teams(),
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
      return account().credentials;
    },
    lockZwiftAccount(at?: number | string | Date, selector?: TeamSelector): void {
      account(selector).lockedAt = at === undefined ? clock.now() : toEpochMs(at);
    },
    unlockZwiftAccount(selector?: TeamSelector): void {
      account(selector).lockedAt = Number.POSITIVE_INFINITY;
    },
    setZwiftPassword(password: string, selector?: TeamSelector): void {
      if (typeof password !== 'string' || password === '')
        throw new SimulatorConfigError('password must be a non-empty string');
      const a = account(selector);
      a.password = password;
      accounts.tokens.expire(a.username, ['access', 'refresh'], clock.now());
    },
    expireZwiftTokens(expireOptions: ExpireTokensOptions = {}): number {
      const kinds = expireOptions.refreshTokens ? (['access', 'refresh'] as const) : (['access'] as const);
      return accounts.tokens.expire(account(expireOptions).username, kinds, clock.now());
    },
    close(): Promise<void> {
      return server.close();
    },
  };
}
