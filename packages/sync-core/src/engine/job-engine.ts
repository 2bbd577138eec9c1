import type { Clock, Logger } from '@racesync/zwift-client';
import { EventBus } from '../events/event-bus.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { SyncSource } from '../source/sync-source.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';
import { Coordinator } from './coordinator.js';
import type { Job } from './job.js';
import type { SyncEngine } from './sync-engine.js';

/** Options of {@link createJobEngine}: everything resolved, nothing defaulted or validated here. */
export interface JobEngineOptions {
  source: SyncSource;
  storage: StorageAdapter;
  clock: Clock;
  logger: Logger;
  policy: SyncPolicy;
  /** The jobs, given `pull(job, at)`, which moves a job forward (e.g. results landed → riders). */
  jobs: (pull: (job: string, at: number) => void) => Job[];
  /** Names this instance in run ids and leases. */
  instanceId: string;
  /** `maxWaitMs` for every upstream call: `0` plans and never blocks; `undefined` waits for tokens. */
  maxWaitMs: number | undefined;
  /** Use the storage's leases so several instances never run one job at once. */
  useLeases: boolean;
}

/**
 * An engine around any list of jobs: the coordinator's loop, change events, `runOnce`/`runDue`.
 * `createSyncEngine` builds the adaptive engine with it; the benchmark builds the original system's
 * fixed schedule with it (`@racesync/sync-core/internal`).
 */
export function createJobEngine(options: JobEngineOptions): SyncEngine {
  const { logger, policy } = options;
  const bus = new EventBus((error, event) =>
    logger.error?.({ type: event.type, error: String(error) }, 'a change-event listener failed'),
  );
  let coordinator: Coordinator | null = null;
  const jobs = options.jobs((job, at) => coordinator?.pull(job, at));
  coordinator = new Coordinator({
    jobs,
    source: options.source,
    storage: options.storage,
    clock: options.clock,
    policy,
    bus,
    logger,
    instanceId: options.instanceId,
    maxWaitMs: options.maxWaitMs,
    useLeases: options.useLeases,
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
