import type { Clock, Logger } from '@racesync/zwift-client';
import type { EventBus } from '../events/event-bus.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { SourceCallOptions, SyncSource } from '../source/sync-source.js';
import type { Lease } from '../storage/lease.js';
import type { JobState, Json, SyncLogEntry, SyncStatus } from '../storage/records.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';
import { classifyError } from './classify-error.js';
import type { Job, JobOutcome, RunContext, RunCounters } from './job.js';

/** Summary of one job run, as written to the sync log. */
export interface RunSummary extends SyncLogEntry {
  nextDueAt: number;
}

interface JobSlot {
  job: Job;
  nextDueAt: number;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  cursor: Record<string, unknown> | null;
  failures: number;
  running: Promise<RunSummary | null> | null;
  loaded: boolean;
  /** Pulled forward by another job (e.g. results landed): the next run is a new slot. */
  pulled: boolean;
  /** The time the pull asked for: a run by any instance at or after it serves the pull. */
  pulledFor: number | null;
}

/** Options of {@link Coordinator}. */
export interface CoordinatorOptions {
  jobs: Job[];
  source: SyncSource;
  storage: StorageAdapter;
  clock: Clock;
  policy: SyncPolicy;
  bus: EventBus;
  logger: Logger;
  instanceId: string;
  /** `maxWaitMs` for upstream calls: `0` for the adaptive engine (plan, never block). */
  maxWaitMs: number | undefined;
  /** Use the storage's leases so several instances never run one job at once. */
  useLeases: boolean;
}

const MIN_GAP_MS = 1000;

/**
 * One loop over due jobs: single-flight per job, jobs of different buckets concurrently, persisted
 * next-due times (a restart resumes), a sync-log entry per run, leases when several instances share
 * the storage, and a graceful stop that aborts waits and in-flight calls but never a storage batch.
 */
export class Coordinator {
  readonly #o: CoordinatorOptions;
  readonly #slots: JobSlot[];
  #initialised: Promise<void> | null = null;
  #loop: Promise<void> | null = null;
  #stop: AbortController | null = null;
  #wake: AbortController | null = null;
  #seq = 0;

  constructor(options: CoordinatorOptions) {
    this.#o = options;
    this.#slots = options.jobs.map((job) => ({
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
    }));
  }

  get running(): boolean {
    return this.#loop !== null;
  }

  /** Earliest next-due time over all jobs. */
  nextDueAt(): number {
    return Math.min(...this.#slots.map((s) => s.nextDueAt));
  }

  /** Per-job schedule, for progress displays. */
  schedule(): { job: string; nextDueAt: number; lastRunAt: number | null; running: boolean }[] {
    return this.#slots.map((s) => ({
      job: s.job.name,
      nextDueAt: s.nextDueAt,
      lastRunAt: s.lastRunAt,
      running: s.running !== null,
    }));
  }

  /** Pull a job forward to `at` (never later than it already is). */
  pull(name: string, at: number): void {
    const slot = this.#slots.find((s) => s.job.name === name);
    if (!slot) return;
    if (at < slot.nextDueAt) {
      slot.nextDueAt = at;
      slot.pulled = true;
      slot.pulledFor = at;
      this.#wake?.abort();
    }
  }

  init(): Promise<void> {
    this.#initialised ??= (async () => {
      const now = this.#o.clock.now();
      const states = new Map((await this.#o.storage.getJobStates()).map((s) => [s.job, s]));
      for (const slot of this.#slots) {
        const state = states.get(slot.job.name);
        this.#adopt(slot, state, now);
      }
    })().catch((error) => {
      this.#initialised = null;
      throw error;
    });
    return this.#initialised;
  }

  #adopt(slot: JobSlot, state: JobState | undefined, now: number): void {
    slot.nextDueAt = state?.nextDueAt ?? now;
    slot.lastRunAt = state?.lastRunAt ?? null;
    slot.lastSuccessAt = state?.lastSuccessAt ?? null;
    slot.cursor = (state?.cursor as Record<string, unknown> | null) ?? null;
  }

  start(): void {
    if (this.#loop) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#loop = this.#run(stop.signal).finally(() => {
      this.#loop = null;
    });
  }

  async stop(): Promise<void> {
    this.#stop?.abort(new DOMException('engine stopped', 'AbortError'));
    await this.#loop;
    await Promise.allSettled(this.#slots.map((s) => s.running));
  }

  /** Runs every job that is due now (concurrently), and resolves when they are done. */
  async runDue(signal?: AbortSignal): Promise<RunSummary[]> {
    await this.init();
    const now = this.#o.clock.now();
    const started = this.#slots
      .filter((s) => !s.running && s.nextDueAt <= now)
      .map((s) => this.#launch(s, signal, false));
    return (await Promise.all(started)).filter((x): x is RunSummary => x !== null);
  }

  /** Runs the named job (or every job, in order) now, due or not. */
  async runOnce(name?: string, signal?: AbortSignal): Promise<RunSummary[]> {
    await this.init();
    const slots = name === undefined ? this.#slots : this.#slots.filter((s) => s.job.name === name);
    if (name !== undefined && slots.length === 0) throw new Error(`unknown job "${name}"`);
    const out: RunSummary[] = [];
    for (const slot of slots) {
      if (slot.running) await slot.running;
      const summary = await this.#launch(slot, signal, true);
      if (summary) out.push(summary);
    }
    return out;
  }

  async #run(signal: AbortSignal): Promise<void> {
    try {
      await this.init();
    } catch (error) {
      this.#o.logger.error?.({ error: String(error) }, 'could not read the sync state; retrying');
    }
    while (!signal.aborted) {
      if (!this.#initialised) {
        await this.#sleep(this.#o.policy.failureBackoffMs, signal);
        try {
          await this.init();
        } catch {
          continue;
        }
      }
      const now = this.#o.clock.now();
      for (const slot of this.#slots) {
        if (!slot.running && slot.nextDueAt <= now) void this.#launch(slot, signal, false);
      }
      const idle = this.#slots.filter((s) => !s.running);
      const next = Math.min(...idle.map((s) => s.nextDueAt), Number.POSITIVE_INFINITY);
      const wait = Number.isFinite(next) ? Math.max(next - this.#o.clock.now(), 0) : 3_600_000;
      await this.#sleep(Math.min(wait, 3_600_000), signal);
    }
    await Promise.allSettled(this.#slots.map((s) => s.running));
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    this.#wake = wake;
    // Not AbortSignal.any([signal, wake.signal]): on Node 20–22 every call leaves an entry on the
    // long-lived stop signal that is never pruned (nodejs/node#55351) — a leak per loop turn.
    const onStop = () => wake.abort(signal.reason);
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true });
    try {
      await this.#o.clock.sleep(ms, wake.signal);
    } catch {
      // woken up or stopped
    } finally {
      signal.removeEventListener('abort', onStop);
      if (this.#wake === wake) this.#wake = null;
    }
  }

  #launch(slot: JobSlot, signal: AbortSignal | undefined, forced: boolean): Promise<RunSummary | null> {
    const run = this.#execute(
      slot,
      signal ?? this.#stop?.signal ?? new AbortController().signal,
      forced,
    ).finally(() => {
      slot.running = null;
      this.#wake?.abort();
    });
    slot.running = run;
    return run;
  }

  async #execute(slot: JobSlot, signal: AbortSignal, forced: boolean): Promise<RunSummary | null> {
    const o = this.#o;
    const startedAt = o.clock.now();
    let lease: Lease | null = null;
    const leases = this.#o.useLeases ? o.storage.leases : undefined;
    try {
      if (leases) {
        lease = await leases.acquire(
          `racesync:${slot.job.name}`,
          o.instanceId,
          o.policy.leaseTtlMs,
          startedAt,
        );
        if (!lease) {
          // Another instance runs it now; look again when its run should be over.
          slot.nextDueAt = startedAt + Math.min(o.policy.leaseTtlMs, 30_000);
          return null;
        }
        const shared = (await o.storage.getJobStates()).find((s) => s.job === slot.job.name);
        const ranElsewhere = shared !== undefined && shared.lastRunAt !== slot.lastRunAt;
        const dueThere =
          shared?.nextDueAt === undefined || shared.nextDueAt === null || shared.nextDueAt <= startedAt;
        // A pull stands unless another instance already ran the job at or after the time it asked for.
        const pullServed =
          ranElsewhere &&
          shared?.lastRunAt != null &&
          slot.pulledFor !== null &&
          shared.lastRunAt >= slot.pulledFor;
        if (!forced && (!slot.pulled || pullServed) && !dueThere && shared) {
          this.#adopt(slot, shared, startedAt); // another instance ran it in this slot
          slot.pulled = false;
          slot.pulledFor = null;
          slot.loaded = false;
          await leases.release(lease);
          return null;
        }
        if (ranElsewhere && shared) {
          slot.cursor = (shared.cursor as Record<string, unknown> | null) ?? null;
          slot.loaded = false; // its working state moved under us
        }
      }
      slot.pulled = false;
      slot.pulledFor = null;
      if (!slot.loaded && slot.job.load) {
        await slot.job.load({ storage: o.storage, policy: o.policy, now: startedAt, cursor: slot.cursor });
      }
      slot.loaded = true;
    } catch (error) {
      if (lease) await leases?.release(lease).catch(() => undefined);
      return this.#finish(
        slot,
        null,
        startedAt,
        { apiCalls: 0, records: 0, changes: 0, skipped: 0 },
        error,
        null,
      );
    }

    const counters: RunCounters = { apiCalls: 0, records: 0, changes: 0, skipped: 0 };
    const runId = `${o.instanceId}:${slot.job.name}:${startedAt}:${++this.#seq}`;
    const ctx: RunContext = {
      source: o.source,
      storage: o.storage,
      clock: o.clock,
      policy: o.policy,
      bus: o.bus,
      logger: o.logger,
      signal,
      runId,
      counters,
      callOptions: (priority?: number): SourceCallOptions => ({
        signal,
        ...(priority === undefined ? {} : { priority }),
        ...(o.maxWaitMs === undefined ? {} : { maxWaitMs: o.maxWaitMs }),
      }),
      async call(fn, priority) {
        try {
          const value = await fn(ctx.callOptions(priority));
          counters.apiCalls++;
          return value;
        } catch (error) {
          if (classifyError(error).sent) counters.apiCalls++;
          throw error;
        }
      },
    };
    let outcome: JobOutcome | null = null;
    let failure: unknown = null;
    try {
      outcome = await slot.job.run(ctx);
    } catch (error) {
      failure = error;
    }
    return this.#finish(slot, runId, startedAt, counters, failure, outcome, lease);
  }

  async #finish(
    slot: JobSlot,
    runId: string | null,
    startedAt: number,
    counters: RunCounters,
    failure: unknown,
    outcome: JobOutcome | null,
    lease: Lease | null = null,
  ): Promise<RunSummary> {
    const o = this.#o;
    const finishedAt = o.clock.now();
    let status: SyncStatus;
    let errorKind: string | null = null;
    let message: string | null = null;
    let nextDueAt: number;
    if (failure !== null || !outcome) {
      const info = classifyError(failure);
      errorKind = info.kind;
      message = info.message;
      if (info.kind === 'aborted') {
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
      runId: runId ?? `${o.instanceId}:${slot.job.name}:${startedAt}:${++this.#seq}`,
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
}
