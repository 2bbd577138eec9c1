import type { SourceCallOptions } from '../source/sync-source.js';
import type { JobState } from '../storage/records.js';
import { classifyError } from './classify-error.js';
import type { CoordinatorOptions } from './coordinator.js';
import type { RunContext, RunCounters } from './job.js';

/**
 * What one job run works with: the engine's source, storage, clock, policy, bus and logger, the
 * run's signal and id, its counters, and `call()`, which counts an upstream call when a request
 * was really sent (a local rate-limit refusal was not).
 */
export function createRunContext(
  o: CoordinatorOptions,
  run: {
    signal: AbortSignal;
    runId: string;
    counters: RunCounters;
    jobStates: readonly JobState[] | null;
  },
): RunContext {
  const { signal, runId, counters, jobStates } = run;
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
    jobStates,
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
  return ctx;
}
