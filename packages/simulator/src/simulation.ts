import type { Clock } from '@racesync/zwift-client';
import { DEFAULT_START, toEpochMs } from './clock/start-time.ts';
import { createVirtualClock, isVirtualClock, type VirtualClock } from './clock/virtual-clock.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { BUCKETS, type BucketName, type BucketSpec, SlidingWindowLimiter, type Tier } from './limits.ts';
import { hash32, stream } from './prng.ts';
import { SimServer } from './server/sim-server.ts';
import { emptyStats, type SimulationStats } from './server/stats.ts';
import { type Truth, TruthIndex, TruthView } from './truth.ts';
import { World } from './world/world.ts';

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
  /** Override any bucket of the tier's table. */
  limits?: Partial<Record<BucketName, BucketSpec>>;
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
  clubPageSize: number;
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
  /** Zwift API base, e.g. `http://127.0.0.1:PORT/zwift`. */
  zwiftBaseUrl: string;
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

export function resolveOptions(options: SimulationOptions = {}): ResolvedOptions {
  const tier = options.tier ?? 'standard';
  if (tier !== 'standard' && tier !== 'premium') throw new RangeError(`unknown tier: ${String(tier)}`);
  const table = BUCKETS[tier];
  const limits: Record<BucketName, BucketSpec> = {
    ...table,
    site: budget(options.siteBudget, table.site),
    zwift: budget(options.zwiftBudget, table.zwift),
    ...options.limits,
  };
  for (const [name, spec] of Object.entries(limits)) {
    if (!(spec.capacity >= 0) || !(spec.intervalMs > 0)) throw new RangeError(`invalid limit for ${name}`);
  }
  return {
    seed: options.seed ?? 42,
    start: toEpochMs(options.start ?? DEFAULT_START),
    teamSize: positiveInt('teamSize', options.teamSize ?? 80),
    days: positiveInt('days', options.days ?? 7),
    eventsPerDay: positiveInt('eventsPerDay', options.eventsPerDay ?? 120),
    populationSize: positiveInt('populationSize', options.populationSize ?? 20_000, 1000),
    tier,
    limits,
    clubPageSize: positiveInt('clubPageSize', options.clubPageSize ?? 1000),
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
    apiKeys: new Set(apiKeys),
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
      return new TruthView(world, index, clock.now());
    },
    truthAt(t: number | string | Date): Truth {
      return new TruthView(world, index, toEpochMs(t));
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
    close(): Promise<void> {
      return server.close();
    },
  };
}
