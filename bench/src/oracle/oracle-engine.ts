import type { SyncSource } from '@racesync/sync-core';
import { resolvePolicy, type StorageAdapter, type SyncEngine, type TeamConfig } from '@racesync/sync-core';
import { createJobEngine, silentLogger } from '@racesync/sync-core/internal';
import type { Clock, Logger } from '@racesync/zwift-client';
import { createOracleJobs } from './oracle-jobs.js';
import type { OracleTimeline } from './oracle-timeline.js';

/** Options of {@link createOracleEngine}. */
export interface OracleEngineOptions {
  source: SyncSource;
  storage: StorageAdapter;
  team: TeamConfig;
  clock: Clock;
  /** What changes when, read from the simulator's truth (`oracleTimeline`). */
  timeline: OracleTimeline;
  /** @default silent */
  logger?: Logger;
  instanceId: string;
}

/**
 * The oracle: a strategy that knows the simulator's ground truth and fetches exactly what changed
 * for the team, when it changed. No real strategy can fetch less; its calls are the floor the
 * benchmark measures the others against. Lives in the benchmark only.
 */
export function createOracleEngine(options: OracleEngineOptions): SyncEngine {
  return createJobEngine({
    source: options.source,
    storage: options.storage,
    clock: options.clock,
    logger: options.logger ?? silentLogger,
    policy: resolvePolicy(undefined),
    jobs: () => createOracleJobs(options.team, options.timeline),
    instanceId: options.instanceId,
    maxWaitMs: undefined,
    useLeases: false,
  });
}
