import type { Clock, Logger } from '@racesync/zwift-client';
import { SyncConfigError } from '../errors/config-error.js';
import type { EventBus } from '../events/event-bus.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { SyncSource } from '../source/sync-source.js';
import type { Lease } from '../storage/lease.js';
import type { JobState } from '../storage/records.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';
import type { Job, JobOutcome, RunCounters } from './job.js';
import { claimJob } from './job-lease.js';
import { adoptState, type JobSlot, newSlot } from './job-slot.js';
import { createRunContext } from './run-context.js';
import { type RunSummary, recordRun } from './run-record.js';

export type { RunSummary } from './run-record.js';

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
    this.#slots = options.jobs.map((job) => newSlot(job));
    checkNeeds(options.jobs);
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
        adoptState(slot, state, now);
        // Saved for another configuration: due now, as a pull (so the claim does not take the saved
        // due time for another instance's run). Only here, at start: instances sharing one storage
        // with different configurations would otherwise run the job at once, in turn, forever.
        if (state && slot.job.outdated?.(slot.cursor) && now < slot.nextDueAt) this.pull(slot.job.name, now);
      }
    })().catch((error) => {
      this.#initialised = null;
      throw error;
    });
    return this.#initialised;
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

  /**
   * Runs every job that is due now, concurrently — except that a job whose needed job has never
   * completed waits for that job's run in this call (or one in flight) to finish first — and
   * resolves when they are done.
   */
  async runDue(signal?: AbortSignal): Promise<RunSummary[]> {
    await this.init();
    const now = this.#o.clock.now();
    const due = this.#slots.filter((s) => !s.running && s.nextDueAt <= now);
    const runs = new Map<JobSlot, Promise<RunSummary | null>>();
    const start = (slot: JobSlot): Promise<RunSummary | null> => {
      const known = runs.get(slot);
      if (known) return known;
      const first = this.#unmetNeeds(slot)
        .map((need) => need.running ?? (due.includes(need) ? start(need) : null))
        .filter((run) => run !== null);
      const run =
        first.length === 0
          ? this.#launch(slot, signal, false)
          : Promise.allSettled(first).then(() => slot.running ?? this.#launch(slot, signal, false));
      runs.set(slot, run);
      return run;
    };
    const started = due.map(start);
    return (await Promise.all(started)).filter((x): x is RunSummary => x !== null);
  }

  /**
   * Runs the named job (or every job, in order) now, due or not; a job it needs that has never
   * completed runs first.
   */
  async runOnce(name?: string, signal?: AbortSignal): Promise<RunSummary[]> {
    await this.init();
    const targets = name === undefined ? this.#slots : this.#slots.filter((s) => s.job.name === name);
    if (name !== undefined && targets.length === 0) {
      const known = this.#slots.map((s) => s.job.name).join(', ');
      throw new SyncConfigError('runOnce(name)', `unknown job "${name}" (jobs: ${known})`);
    }
    const order: JobSlot[] = [];
    const add = (slot: JobSlot) => {
      if (order.includes(slot)) return;
      for (const need of this.#unmetNeeds(slot)) add(need);
      order.push(slot);
    };
    for (const slot of targets) add(slot);
    const out: RunSummary[] = [];
    for (const slot of order) {
      if (slot.running) await slot.running;
      // Stopped: the jobs not started yet are not run (nor recorded as having run).
      if (signal?.aborted) break;
      const summary = await this.#launch(slot, signal, true);
      if (summary) out.push(summary);
    }
    return out;
  }

  /** The jobs `slot` needs that have never completed (no `lastSuccessAt`). */
  #unmetNeeds(slot: JobSlot): JobSlot[] {
    const needs = slot.job.needs ?? [];
    return this.#slots.filter((s) => needs.includes(s.job.name) && s.lastSuccessAt === null);
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

  /** One run: claim the job (leases), load its state if needed, run it, record the run. */
  async #execute(slot: JobSlot, signal: AbortSignal, forced: boolean): Promise<RunSummary | null> {
    const o = this.#o;
    if (signal.aborted) return null;
    const startedAt = o.clock.now();
    let lease: Lease | null = null;
    let jobStates: readonly JobState[] | null = null;
    try {
      const leases = o.useLeases ? o.storage.leases : undefined;
      const claim = leases
        ? await claimJob(o, leases, slot, startedAt, forced)
        : { lease: null, states: null };
      if (claim === null) return null;
      lease = claim.lease;
      jobStates = claim.states;
      slot.pulled = false;
      slot.pulledFor = null;
      if (!slot.loaded && slot.job.load) {
        await slot.job.load({
          storage: o.storage,
          policy: o.policy,
          now: startedAt,
          cursor: slot.cursor,
          jobStates,
        });
      }
      slot.loaded = true;
    } catch (error) {
      if (lease) await o.storage.leases?.release(lease).catch(() => undefined);
      return recordRun(o, slot, {
        runId: this.#runId(slot, startedAt),
        startedAt,
        counters: { apiCalls: 0, records: 0, changes: 0, skipped: 0 },
        failure: error,
        outcome: null,
        lease: null,
        aborted: signal.aborted,
      });
    }

    const counters: RunCounters = { apiCalls: 0, records: 0, changes: 0, skipped: 0 };
    const runId = this.#runId(slot, startedAt);
    const ctx = createRunContext(o, { signal, runId, counters, jobStates });
    let outcome: JobOutcome | null = null;
    let failure: unknown = null;
    let aborted = false;
    try {
      outcome = await slot.job.run(ctx);
    } catch (error) {
      failure = error;
      aborted = signal.aborted;
    }
    return recordRun(o, slot, { runId, startedAt, counters, failure, outcome, lease, aborted });
  }

  #runId(slot: JobSlot, startedAt: number): string {
    return `${this.#o.instanceId}:${slot.job.name}:${startedAt}:${++this.#seq}`;
  }
}

/** Every job a job needs exists, and no job needs itself through others. */
function checkNeeds(jobs: readonly Job[]): void {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const visit = (job: Job, path: string[]) => {
    for (const need of job.needs ?? []) {
      const needed = byName.get(need);
      if (!needed) throw new SyncConfigError('jobs', `job "${job.name}" needs the unknown job "${need}"`);
      if (path.includes(need))
        throw new SyncConfigError('jobs', `jobs need each other: ${[...path, need].join(' → ')}`);
      visit(needed, [...path, need]);
    }
  };
  for (const job of jobs) visit(job, [job.name]);
}
