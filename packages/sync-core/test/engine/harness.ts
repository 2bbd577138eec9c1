import {
  createSimulation,
  type FaultOptions,
  type ListenResult,
  type Simulation,
  type VirtualClock,
} from '@racesync/simulator';
import { createZwiftClient, type RateLimitStore, type ZwiftClient } from '@racesync/zwift-client';
import {
  type ChangeEvent,
  createMemoryStorage,
  createSyncEngine,
  type StorageAdapter,
  type SyncEngine,
  type SyncEngineOptions,
  type SyncSource,
} from '../../src/index.js';
import { StartTimeAffinity, type StartTimeSnapshot } from '../../src/internal.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** A simulated world on loopback, the real client on its virtual clock, an engine into `storage`. */
export interface World {
  sim: Simulation;
  clock: VirtualClock;
  client: ZwiftClient;
  storage: StorageAdapter;
  engine: SyncEngine;
  events: ChangeEvent[];
  start: number;
  /** A new engine on the same storage and world (a restart). */
  restart(): SyncEngine;
  close(): Promise<void>;
}

export async function createWorld(
  options: {
    seed?: number;
    teamSize?: number;
    faults?: FaultOptions | null;
    storage?: StorageAdapter;
    engine?: Partial<SyncEngineOptions>;
    /**
     * Give the client the simulated team captain's Zwift account (the follower feed).
     * @default false
     */
    zwiftAccount?: boolean;
    /** World options of the follow graph. */
    follow?: { unfollowedShare?: number; extraFollowees?: number };
    /** UTC hours at which the team's races start (the simulator's `teamRaceTimes`). */
    teamHoursUtc?: readonly number[];
    /** What the engine gets as its source, made from the client (e.g. a client without a group). */
    source?: (client: ZwiftClient) => SyncSource;
  } = {},
): Promise<World> {
  const sim = createSimulation({
    seed: options.seed ?? 7,
    teamSize: options.teamSize ?? 30,
    days: 2,
    faults: options.faults ?? null,
    ...(options.follow ? { follow: options.follow } : {}),
    ...(options.teamHoursUtc ? { teamRaceTimes: { hoursUtc: options.teamHoursUtc } } : {}),
  });
  const urls = await sim.listen();
  const clock = sim.clock as VirtualClock;
  const client = simulatorClient(sim, urls, { zwiftAccount: options.zwiftAccount ?? false });
  const storage = options.storage ?? createMemoryStorage();
  const events: ChangeEvent[] = [];
  const make = () => {
    const engine = createSyncEngine({
      source: options.source ? options.source(client) : client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      instanceId: 'test',
      ...options.engine,
    });
    engine.on('*', (event) => {
      events.push(event);
    });
    return engine;
  };
  const world: World = {
    sim,
    clock,
    client,
    storage,
    engine: make(),
    events,
    start: clock.now(),
    restart() {
      world.engine = make();
      return world.engine;
    },
    async close() {
      await clock.run(world.engine.stop());
      await sim.close();
    },
  };
  return world;
}

/**
 * The real client against the simulator on loopback, on its virtual clock (retry jitter fixed);
 * with `zwiftAccount`, logged in as the simulated team captain's Zwift account.
 */
export function simulatorClient(
  sim: Simulation,
  urls: ListenResult,
  options: { zwiftAccount: boolean; rateLimitStore?: RateLimitStore },
): ZwiftClient {
  return createZwiftClient({
    apiKey: urls.apiKey,
    baseUrl: urls.baseUrl,
    siteBaseUrl: urls.siteBaseUrl,
    zwiftBaseUrl: urls.zwiftBaseUrl,
    fetch: sim.fetch,
    clock: sim.clock,
    retry: { random: () => 0.5 },
    ...(options.rateLimitStore ? { rateLimitStore: options.rateLimitStore } : {}),
    ...(options.zwiftAccount
      ? { zwiftAuth: urls.zwiftAccount, zwiftAuthBaseUrl: urls.zwiftAuthBaseUrl }
      : {}),
  });
}

/** The active signups storage holds for each race: rider ids, ascending. */
export async function storedSignups(
  storage: StorageAdapter,
  eventIds: readonly string[],
): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const eventId of eventIds) {
    const rows = await storage.listSignups({ eventIds: [eventId], activeOnly: true });
    out[eventId] = rows.map((r) => r.riderId).sort((a, b) => a - b);
  }
  return out;
}

/** Stores the events job's state with `cursor` (what an earlier run learned), due at `at`. */
export async function putEventsCursor(
  storage: StorageAdapter,
  at: number,
  cursor: Record<string, unknown>,
): Promise<void> {
  await storage.putJobState({
    job: 'events',
    nextDueAt: at,
    lastRunAt: null,
    lastSuccessAt: null,
    cursor: cursor as never,
  });
}

/**
 * What the events job would have learned from two weeks before `start` of a team that raced only at
 * `hoursUtc`: a race every 5 min, one in three of those at the team's hours with the team in it.
 */
export function teamHoursHistory(start: number, hoursUtc: readonly number[]): StartTimeSnapshot {
  const history = new StartTimeAffinity({ halfLifeMs: 14 * 24 * HOUR });
  for (let t = start - 14 * 24 * HOUR; t < start; t += HOUR / 12) {
    const { hour } = StartTimeAffinity.timeOf(t);
    history.observeStart(t, hoursUtc.includes(hour) && t % (HOUR / 4) === 0, t);
  }
  return history.snapshot();
}
