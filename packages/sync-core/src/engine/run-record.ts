import type { Lease } from '../storage/lease.js';
import type { Json, SyncLogEntry, SyncStatus } from '../storage/records.js';
import { classifyError } from './classify-error.js';
import type { CoordinatorOptions } from './coordinator.js';
import type { JobOutcome, RunCounters } from './job.js';
import type { JobSlot } from './job-slot.js';

/** Summary of one job run, as written to the sync log. */
export interface RunSummary extends SyncLogEntry {
  nextDueAt: number;
}

/** Least time between two runs of one job. */
const MIN_GAP_MS = 1000;

/** One finished run: what it did, or why it failed. */
export interface FinishedRun {
  runId: string;
  startedAt: number;
  counters: RunCounters;
  /** What the job threw (or `null`). */
  failure: unknown;
  /** What the job returned (`null` when it threw or never ran). */
  outcome: JobOutcome | null;
  /** The job's lease, released here once the state is written. */
  lease: Lease | null;
  /**
   * Whether the run's signal was aborted when it threw: the run counts as aborted whatever it threw
   * (`signal.reason` can be any value, not only an `AbortError`).
   */
  aborted: boolean;
}

/**
 * Records a finished run: its status and next due time (an aborted run is due again at once; a
 * failure backs off, doubling up to 16×, or waits for the rate limit), the job state (fenced by the
 * lease) and one sync-log entry, then a `sync.completed` or `sync.failed` event and a log line. When
 * the state cannot be written the run counts as failed and is repeated after the back-off.
 */
export async function recordRun(o: CoordinatorOptions, slot: JobSlot, run: FinishedRun): Promise<RunSummary> {
  const { runId, startedAt, counters, failure, outcome, lease, aborted } = run;
  const finishedAt = o.clock.now();
  let status: SyncStatus;
  let errorKind: string | null = null;
  let message: string | null = null;
  let nextDueAt: number;
  if (failure !== null || !outcome) {
    const info = classifyError(failure);
    errorKind = aborted ? 'aborted' : info.kind;
    message = info.message;
    if (errorKind === 'aborted') {
      status = counters.changes > 0 ? 'partial' : 'skipped';
      nextDueAt = finishedAt;
    } else {
      status = 'failed';
      slot.failures++;
      const backoff = o.policy.failureBackoffMs * 2 ** Math.min(slot.failures - 1, 4);
      nextDueAt = finishedAt + (info.retryAfterMs ?? backoff);
    }
  } else {
    status = outcome.status;
    errorKind = outcome.errorKind ?? null;
    message = outcome.message ?? null;
    nextDueAt = outcome.nextDueAt;
    if (status !== 'failed') slot.failures = 0;
    if (outcome.cursor !== undefined) slot.cursor = outcome.cursor;
  }
  nextDueAt = Math.max(nextDueAt, finishedAt + MIN_GAP_MS);
  slot.nextDueAt = nextDueAt;
  slot.lastRunAt = startedAt;
  if (status === 'ok' || status === 'partial') slot.lastSuccessAt = finishedAt;

  const entry: SyncLogEntry = {
    runId,
    job: slot.job.name,
    startedAt,
    finishedAt,
    status,
    apiCalls: counters.apiCalls,
    records: counters.records,
    changes: counters.changes,
    errorKind,
    message,
  };
  try {
    await o.storage.putJobState(
      {
        job: slot.job.name,
        nextDueAt: Number.isFinite(nextDueAt) ? nextDueAt : null,
        lastRunAt: slot.lastRunAt,
        lastSuccessAt: slot.lastSuccessAt,
        cursor: (slot.cursor as { [key: string]: Json } | null) ?? null,
      },
      lease ? { name: lease.name, token: lease.token } : undefined,
    );
    await o.storage.appendSyncLog([entry]);
  } catch (error) {
    const info = classifyError(error);
    o.logger.error?.(
      { job: slot.job.name, kind: info.kind, message: info.message },
      'could not persist the sync state; the run will be repeated',
    );
    slot.nextDueAt = finishedAt + o.policy.failureBackoffMs;
    slot.loaded = false;
    if (status !== 'failed') {
      status = 'failed';
      entry.status = 'failed';
      entry.errorKind = info.kind;
      entry.message = info.message;
    }
  } finally {
    if (lease) await o.storage.leases?.release(lease).catch(() => undefined);
  }

  if (entry.status === 'failed') {
    o.logger.warn?.(
      { job: slot.job.name, kind: entry.errorKind, message: entry.message, retryAt: slot.nextDueAt },
      `${slot.job.name} failed`,
    );
    o.bus.emit({
      id: `sync.failed:${entry.runId}`,
      type: 'sync.failed',
      at: finishedAt,
      job: slot.job.name,
      runId: entry.runId,
      errorKind: entry.errorKind ?? 'internal',
      message: entry.message ?? '',
      retryAt: slot.nextDueAt,
    });
  } else {
    o.logger.debug?.(
      {
        job: slot.job.name,
        status: entry.status,
        apiCalls: entry.apiCalls,
        records: entry.records,
        changes: entry.changes,
      },
      `${slot.job.name} ${entry.status}`,
    );
    o.bus.emit({
      id: `sync.completed:${entry.runId}`,
      type: 'sync.completed',
      at: finishedAt,
      job: slot.job.name,
      runId: entry.runId,
      status: entry.status,
      apiCalls: entry.apiCalls,
      records: entry.records,
      changes: entry.changes,
    });
  }
  return { ...entry, nextDueAt: slot.nextDueAt };
}
