/**
 * What the runner shows and reports, gathered from the outside: the engine's change events and the
 * requests seen by the wrapped fetch. No sync logic here.
 */
import type { ReportChange } from '@racesync/report';
import type { ChangeEvent, SyncEngine, SyncStatus } from '@racesync/sync-core';

export interface Observation {
  /** Change events by type (`sync.*` excluded). */
  changes: Map<string, number>;
  /** Change timeline for the report (`sync.completed` excluded, `sync.failed` kept). */
  timeline: ReportChange[];
  /** Runs by status, from `sync.completed` / `sync.failed`. */
  runs: Record<SyncStatus, number>;
  /** Runs per job. */
  runsByJob: Map<string, number>;
  /** Upstream calls the engine counted (sum over runs). */
  apiCalls: number;
  /** The last finished run. */
  last: { job: string; status: SyncStatus; apiCalls: number; changes: number; at: number } | null;
  /** Failed runs' error kinds. */
  failures: Map<string, number>;
}

export function observe(
  engine: SyncEngine,
  onEvent?: (event: ChangeEvent, observation: Observation) => void,
): { observation: Observation; detach(): void } {
  const observation: Observation = {
    changes: new Map(),
    timeline: [],
    runs: { ok: 0, partial: 0, skipped: 0, failed: 0 },
    runsByJob: new Map(),
    apiCalls: 0,
    last: null,
    failures: new Map(),
  };
  const detach = engine.on('*', (event) => {
    if (event.type === 'sync.completed') {
      observation.runs[event.status]++;
      observation.apiCalls += event.apiCalls;
      observation.runsByJob.set(event.job, (observation.runsByJob.get(event.job) ?? 0) + 1);
      observation.last = {
        job: event.job,
        status: event.status,
        apiCalls: event.apiCalls,
        changes: event.changes,
        at: event.at,
      };
    } else if (event.type === 'sync.failed') {
      observation.runs.failed++;
      observation.runsByJob.set(event.job, (observation.runsByJob.get(event.job) ?? 0) + 1);
      observation.failures.set(event.errorKind, (observation.failures.get(event.errorKind) ?? 0) + 1);
      observation.last = { job: event.job, status: 'failed', apiCalls: 0, changes: 0, at: event.at };
      observation.timeline.push({ at: event.at, type: event.type });
    } else {
      observation.changes.set(event.type, (observation.changes.get(event.type) ?? 0) + 1);
      observation.timeline.push({ at: event.at, type: event.type });
    }
    onEvent?.(event, observation);
  });
  return { observation, detach };
}
