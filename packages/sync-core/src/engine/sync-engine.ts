import type { ChangeEventType } from '../events/change-event.js';
import type { ChangeListener } from '../events/event-bus.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { RunSummary } from './run-record.js';

/** Names of the engine's jobs (`follow` only with the `followerFeed` option). */
export type JobName = 'team' | 'riders' | 'events' | 'results' | 'follow' | (string & {});

/** Options of {@link SyncEngine.runOnce} and {@link SyncEngine.runDue}. */
export interface RunOptions {
  /**
   * Stops the runs: waits and in-flight calls are aborted with `signal.reason` (any value), the runs
   * are logged as aborted, not failed, and jobs not started yet are not started.
   * @default undefined (the runs go to the end; `stop()` still aborts them when the loop runs)
   */
  signal?: AbortSignal;
}

/** A running sync. */
export interface SyncEngine {
  /** Starts the loop (no-op when running). Jobs run when due; state is read from storage first. */
  start(): void;
  /** Stops gracefully: waits and in-flight calls are aborted, storage batches finish; resolves when idle. */
  stop(): Promise<void>;
  /**
   * Runs one job (or every job, in order) now, due or not. An unknown `job` throws a
   * `SyncConfigError`. Once `options.signal` is aborted, the running job stops (logged `skipped` or
   * `partial` with error kind `aborted`, due again at once) and the jobs after it are not started.
   */
  runOnce(job?: JobName, options?: RunOptions): Promise<RunSummary[]>;
  /** Runs the jobs that are due now (for cron/Edge-Function style invocations), then resolves. */
  runDue(options?: RunOptions): Promise<RunSummary[]>;
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
