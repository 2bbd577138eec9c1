import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@racesync/zwift-client';
import { createEventsJob } from '../adaptive/events-job.js';
import { createResultsJob } from '../adaptive/results-job.js';
import { createRidersJob } from '../adaptive/riders-job.js';
import { createTeamJob } from '../adaptive/team-job.js';
import { type BaselineSchedule, createBaselineJobs, ORIGINAL_SCHEDULE } from '../baseline/baseline-jobs.js';
import { SyncConfigError } from '../errors/config-error.js';
import type { ChangeEventType } from '../events/change-event.js';
import { type ChangeListener, EventBus } from '../events/event-bus.js';
import type { TeamConfig } from '../operations/sync-team.js';
import { resolvePolicy } from '../policy/resolve-policy.js';
import type { SyncPolicy, SyncPolicyInput } from '../policy/sync-policy.js';
import type { SyncSource } from '../source/sync-source.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';
import { Coordinator, type RunSummary } from './coordinator.js';
import type { Job } from './job.js';
import { silentLogger } from './logger.js';
import { systemClock } from './system-clock.js';

/** Options of {@link createSyncEngine}. */
export interface SyncEngineOptions {
  /** The upstream: a `@racesync/zwift-client` client, or anything shaped like {@link SyncSource}. */
  source: SyncSource;
  /** Where the data goes: `createMemoryStorage()`, the Supabase adapter, or your own adapter. */
  storage: StorageAdapter;
  /** The team: rider ids (`riderIds`), a club (`clubId`), or both. Required. */
  team: TeamConfig;
  /** Time source. Default: the system clock. */
  clock?: Clock;
  /** Scheduling policy overrides (adaptive strategy). Default: {@link DEFAULT_POLICY}. */
  policy?: SyncPolicyInput;
  /** Structured logger. Default: silent. */
  logger?: Logger;
  /**
   * `adaptive` (default): plans every call within the budget, TTLs by time to start, results on race
   * completion. `baseline`: the original system's fixed schedule, for comparison.
   */
  strategy?: 'adaptive' | 'baseline';
  /** Overrides of the baseline's schedule (strategy `baseline` only). Default: the original schedule. */
  baselineSchedule?: Partial<BaselineSchedule>;
  /** Names this instance in run ids and leases. Default: a random id. */
  instanceId?: string;
  /** Coordinate with other instances through the storage's leases. Default: true when the storage has leases. */
  useLeases?: boolean;
}

/** Names of the adaptive engine's jobs. */
export type JobName = 'team' | 'riders' | 'events' | 'results' | (string & {});

/** A running sync. */
export interface SyncEngine {
  /** Starts the loop (no-op when running). Jobs run when due; state is read from storage first. */
  start(): void;
  /** Stops gracefully: waits and in-flight calls are aborted, storage batches finish; resolves when idle. */
  stop(): Promise<void>;
  /** Runs one job (or every job, in order) now, due or not. */
  runOnce(job?: JobName, options?: { signal?: AbortSignal }): Promise<RunSummary[]>;
  /** Runs the jobs that are due now (for cron/Edge-Function style invocations), then resolves. */
  runDue(options?: { signal?: AbortSignal }): Promise<RunSummary[]>;
  /** Earliest time a job is due. */
  nextDueAt(): number;
  /** Per-job schedule, for progress displays. */
  schedule(): { job: string; nextDueAt: number; lastRunAt: number | null; running: boolean }[];
  /** Subscribes to change events (`'*'` for all); returns the unsubscribe function. */
  on<T extends ChangeEventType | '*'>(type: T, listener: ChangeListener<T>): () => void;
  readonly running: boolean;
  /** The resolved policy. */
  readonly policy: SyncPolicy;
}

function assertFunction(value: unknown, path: string): void {
  if (typeof value !== 'function') throw new SyncConfigError(path, 'must be a function');
}

const OPTION_NAMES = new Set([
  'source',
  'storage',
  'team',
  'clock',
  'policy',
  'logger',
  'strategy',
  'baselineSchedule',
  'instanceId',
  'useLeases',
]);

function validate(options: SyncEngineOptions): void {
  if (!options || typeof options !== 'object') throw new SyncConfigError('options', 'must be an object');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      throw new SyncConfigError(
        name,
        `is not an option of createSyncEngine (${[...OPTION_NAMES].join(', ')})`,
      );
    }
  }
  const { source, storage, team } = options;
  if (!source) throw new SyncConfigError('source', 'is required (e.g. createZwiftClient({ apiKey }))');
  assertFunction(source.riders?.getMany, 'source.riders.getMany');
  assertFunction(source.events?.upcoming, 'source.events.upcoming');
  assertFunction(source.events?.signups, 'source.events.signups');
  assertFunction(source.results?.forEvent, 'source.results.forEvent');
  if (!storage) throw new SyncConfigError('storage', 'is required (e.g. createMemoryStorage())');
  for (const method of [
    'getTeam',
    'writeRiders',
    'upsertEvents',
    'applySignups',
    'applyResults',
    'putJobState',
  ] as const) {
    assertFunction(storage[method], `storage.${method}`);
  }
  if (!team || (team.riderIds === undefined && team.clubId === undefined)) {
    throw new SyncConfigError('team', 'give riderIds, clubId, or both');
  }
  if (team.riderIds !== undefined) {
    if (!Array.isArray(team.riderIds))
      throw new SyncConfigError('team.riderIds', 'must be an array of rider ids');
    team.riderIds.forEach((id, i) => {
      if (!Number.isSafeInteger(id) || id <= 0) {
        throw new SyncConfigError(
          `team.riderIds[${i}]`,
          `must be a positive integer rider id (got ${String(id)})`,
        );
      }
    });
  }
  if (team.clubId !== undefined) {
    if (!Number.isSafeInteger(team.clubId) || team.clubId <= 0) {
      throw new SyncConfigError(
        'team.clubId',
        `must be a positive integer club id (got ${String(team.clubId)})`,
      );
    }
    assertFunction(source.clubs?.members, 'source.clubs.members');
  }
  if (options.strategy !== undefined && options.strategy !== 'adaptive' && options.strategy !== 'baseline') {
    throw new SyncConfigError(
      'strategy',
      `must be 'adaptive' or 'baseline' (got ${String(options.strategy)})`,
    );
  }
  if (options.clock !== undefined) {
    if (options.clock === null || typeof options.clock !== 'object') {
      throw new SyncConfigError('clock', 'must be an object with now() and sleep(ms, signal)');
    }
    assertFunction(options.clock.now, 'clock.now');
    assertFunction(options.clock.sleep, 'clock.sleep');
  }
  if (options.logger !== undefined) {
    if (options.logger === null || typeof options.logger !== 'object') {
      throw new SyncConfigError('logger', 'must be an object with debug/info/warn/error methods (pino fits)');
    }
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (options.logger[level] !== undefined) assertFunction(options.logger[level], `logger.${level}`);
    }
  }
  if (
    options.instanceId !== undefined &&
    (typeof options.instanceId !== 'string' || options.instanceId === '')
  ) {
    throw new SyncConfigError('instanceId', `must be a non-empty string (got ${String(options.instanceId)})`);
  }
  if (options.useLeases !== undefined) {
    if (typeof options.useLeases !== 'boolean') {
      throw new SyncConfigError('useLeases', `must be true or false (got ${String(options.useLeases)})`);
    }
    if (options.useLeases && !storage.leases) {
      throw new SyncConfigError('useLeases', 'needs a storage with leases (this storage has none)');
    }
  }
  if (options.baselineSchedule !== undefined) {
    const schedule = options.baselineSchedule as Record<string, unknown>;
    if (schedule === null || typeof schedule !== 'object' || Array.isArray(schedule)) {
      throw new SyncConfigError('baselineSchedule', 'must be an object of intervals in milliseconds');
    }
    for (const [key, value] of Object.entries(schedule)) {
      if (!(key in ORIGINAL_SCHEDULE)) {
        throw new SyncConfigError(`baselineSchedule.${key}`, 'is not a baseline schedule option');
      }
      if (value !== undefined && (typeof value !== 'number' || !(value > 0))) {
        throw new SyncConfigError(
          `baselineSchedule.${key}`,
          `must be a positive number of milliseconds (got ${String(value)})`,
        );
      }
    }
  }
}

/**
 * Creates the sync engine. With one call a team's riders, upcoming races, team signups and results
 * stay fresh in `storage`, within the upstream's limits.
 *
 * @example
 * const engine = createSyncEngine({ source: createZwiftClient({ apiKey }), storage: createMemoryStorage(), team: { clubId: 20650 } });
 * engine.on('signup.added', (e) => console.log(e.riderId, 'joined', e.eventId));
 * engine.start();
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  validate(options);
  const policy = resolvePolicy(options.policy);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const bus = new EventBus((error, event) =>
    logger.error?.({ type: event.type, error: String(error) }, 'a change-event listener failed'),
  );
  const strategy = options.strategy ?? 'adaptive';
  let coordinator: Coordinator | null = null;
  const pull = (job: string, at: number) => coordinator?.pull(job, at);

  const teamJob = createTeamJob(options.team, { onMembersAdded: (at) => pull('riders', at) });
  let jobs: Job[];
  if (strategy === 'baseline') {
    jobs = [teamJob, ...createBaselineJobs({ ...ORIGINAL_SCHEDULE, ...options.baselineSchedule })];
  } else {
    jobs = [
      teamJob,
      createRidersJob(),
      createEventsJob({ onResultsQueued: (dueAt) => pull('results', dueAt) }),
      createResultsJob({ onTeamResults: (at) => pull('riders', at + policy.riders.afterResultsDelayMs) }),
    ];
  }
  coordinator = new Coordinator({
    jobs,
    source: options.source,
    storage: options.storage,
    clock,
    policy,
    bus,
    logger,
    instanceId: options.instanceId ?? `racesync-${randomUUID().slice(0, 8)}`,
    maxWaitMs: strategy === 'adaptive' ? 0 : undefined,
    useLeases: options.useLeases ?? options.storage.leases !== undefined,
  });
  const c = coordinator;

  return {
    start: () => c.start(),
    stop: () => c.stop(),
    runOnce: (job, o) => c.runOnce(job, o?.signal),
    runDue: (o) => c.runDue(o?.signal),
    nextDueAt: () => c.nextDueAt(),
    schedule: () => c.schedule(),
    on: (type, listener) => bus.on(type, listener),
    get running() {
      return c.running;
    },
    policy,
  };
}
