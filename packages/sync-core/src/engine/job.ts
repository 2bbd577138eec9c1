import type { Clock, Logger } from '@racesync/zwift-client';
import type { EventBus } from '../events/event-bus.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { SourceCallOptions, SyncSource } from '../source/sync-source.js';
import type { JobState, SyncStatus } from '../storage/records.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';

/** Counters of one run, written to the sync log. */
export interface RunCounters {
  apiCalls: number;
  records: number;
  changes: number;
  /** Records skipped as malformed (upstream) or failed items (one bad item never sinks a run). */
  skipped: number;
}

/** Everything an operation needs during one job run. */
export interface RunContext {
  readonly source: SyncSource;
  readonly storage: StorageAdapter;
  readonly clock: Clock;
  readonly policy: SyncPolicy;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly counters: RunCounters;
  /**
   * Every job's persisted state as read when this run was claimed — when several instances share
   * the storage (leases), what the others did; null without leases.
   */
  readonly jobStates: readonly JobState[] | null;
  /** Options for every upstream call of this run (signal, and `maxWaitMs: 0` for the adaptive engine). */
  callOptions(priority?: number): SourceCallOptions;
  /** Runs one upstream call, counting it when a request was really sent. */
  call<T>(fn: (options: SourceCallOptions) => Promise<T>, priority?: number): Promise<T>;
}

/** What a run reports back to the coordinator. */
export interface JobOutcome {
  status: SyncStatus;
  /** When the job should run next. */
  nextDueAt: number;
  /** Free-form cursor persisted with the job state. */
  cursor?: Record<string, unknown> | null;
  errorKind?: string | null;
  message?: string | null;
}

/** One schedulable job. */
export interface Job {
  readonly name: string;
  /**
   * Jobs that feed this one (e.g. `events` needs `team`: a signup list is applied for the team's
   * riders, so it is worth fetching only once the team is known). While a needed job has never
   * completed (`ok` or `partial`, in this storage's persisted state), `runOnce()` and `runDue()` run it
   * first, to completion; once it has, they run side by side. The loop (`start()`) keeps its
   * concurrency either way.
   * @default none
   */
  readonly needs?: readonly string[];
  /** Called once before the first run, and on every run when several instances share the storage. */
  load?(ctx: {
    storage: StorageAdapter;
    policy: SyncPolicy;
    now: number;
    cursor: Record<string, unknown> | null;
    /** As {@link RunContext.jobStates}: every job's persisted state read for the claim, or null. */
    jobStates: readonly JobState[] | null;
  }): Promise<void>;
  run(ctx: RunContext): Promise<JobOutcome>;
  /**
   * Whether a saved cursor was written for another configuration of this job (e.g. the team's club
   * or rider ids changed between two starts): then the job is due at once when the engine starts,
   * whatever due time was saved.
   * @default never outdated
   */
  outdated?(cursor: Record<string, unknown> | null): boolean;
}
