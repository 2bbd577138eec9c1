import type { JobState } from '../storage/records.js';
import type { Job } from './job.js';
import type { RunSummary } from './run-record.js';

/** The coordinator's view of one job: its schedule, its persisted state, whether it runs now. */
export interface JobSlot {
  job: Job;
  nextDueAt: number;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  cursor: Record<string, unknown> | null;
  /** Consecutive failed runs (for the back-off). */
  failures: number;
  running: Promise<RunSummary | null> | null;
  /** The job's `load()` ran against the current state. */
  loaded: boolean;
  /** Pulled forward by another job (e.g. results landed): the next run is a new slot. */
  pulled: boolean;
  /** The time the pull asked for: a run by any instance at or after it serves the pull. */
  pulledFor: number | null;
}

/** A slot for `job`, due at once until the persisted state says otherwise. */
export function newSlot(job: Job): JobSlot {
  return {
    job,
    nextDueAt: 0,
    lastRunAt: null,
    lastSuccessAt: null,
    cursor: null,
    failures: 0,
    running: null,
    loaded: false,
    pulled: false,
    pulledFor: null,
  };
}

/** Takes over a persisted state (none: due `now`). */
export function adoptState(slot: JobSlot, state: JobState | undefined, now: number): void {
  slot.nextDueAt = state?.nextDueAt ?? now;
  slot.lastRunAt = state?.lastRunAt ?? null;
  slot.lastSuccessAt = state?.lastSuccessAt ?? null;
  slot.cursor = (state?.cursor as Record<string, unknown> | null) ?? null;
}
