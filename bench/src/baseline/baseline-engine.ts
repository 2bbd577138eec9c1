import {
  resolvePolicy,
  type StorageAdapter,
  type SyncEngine,
  type SyncSource,
  type TeamConfig,
} from '@racesync/sync-core';
import { createJobEngine, createTeamJob, silentLogger } from '@racesync/sync-core/internal';
import type { Clock, Logger } from '@racesync/zwift-client';
import { type BaselineSchedule, createBaselineJobs, ORIGINAL_SCHEDULE } from './baseline-jobs.js';

/** Options of {@link createBaselineEngine}. */
export interface BaselineEngineOptions {
  source: SyncSource;
  storage: StorageAdapter;
  team: TeamConfig;
  clock: Clock;
  /** @default silent */
  logger?: Logger;
  /** Names the instance in run ids and leases. */
  instanceId: string;
  /** @default ORIGINAL_SCHEDULE */
  schedule?: Partial<BaselineSchedule>;
}

/**
 * The original system's fixed schedule as an engine, for side-by-side comparison with the adaptive
 * engine: sync-core's team job, then the baseline's riders, events, far-signups and results jobs on
 * the same coordinator. Its calls wait for rate-limit tokens (`maxWaitMs` unset), as the original's
 * queue did; the policy is sync-core's default (it only sets the club interval, back-off and leases).
 */
export function createBaselineEngine(options: BaselineEngineOptions): SyncEngine {
  const schedule = { ...ORIGINAL_SCHEDULE, ...options.schedule };
  return createJobEngine({
    source: options.source,
    storage: options.storage,
    clock: options.clock,
    logger: options.logger ?? silentLogger,
    policy: resolvePolicy(undefined),
    jobs: (pull) => [
      createTeamJob(options.team, { onMembersAdded: (at) => pull('riders', at) }),
      ...createBaselineJobs(schedule),
    ],
    instanceId: options.instanceId,
    maxWaitMs: undefined,
    useLeases: options.storage.leases !== undefined,
  });
}
