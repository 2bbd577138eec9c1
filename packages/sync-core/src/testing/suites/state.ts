import assert from 'node:assert/strict';
import type { SyncLogEntry } from '../../storage/records.js';
import type { SuiteContext } from '../context.js';

const entry = (
  runId: string,
  job: string,
  startedAt: number,
  extra: Partial<SyncLogEntry> = {},
): SyncLogEntry => ({
  runId,
  job,
  startedAt,
  finishedAt: startedAt + 50,
  status: 'ok',
  apiCalls: 1,
  records: 10,
  changes: 2,
  errorKind: null,
  message: null,
  ...extra,
});

export function stateSuite({ it }: SuiteContext): void {
  it('state: job states insert and replace by job name; cursors keep JSON', async (s) => {
    await s.putJobState({
      job: 'riders',
      nextDueAt: 5000,
      lastRunAt: 1000,
      lastSuccessAt: 1000,
      cursor: null,
    });
    await s.putJobState({
      job: 'events',
      nextDueAt: null,
      lastRunAt: null,
      lastSuccessAt: null,
      cursor: { etag: 'W/"1"', counts: { A: 1 }, list: [1, 'x', null] },
    });
    await s.putJobState({
      job: 'riders',
      nextDueAt: 9000,
      lastRunAt: 5000,
      lastSuccessAt: 5000,
      cursor: null,
    });
    const states = (await s.getJobStates()).sort((a, b) => a.job.localeCompare(b.job));
    assert.deepEqual(states, [
      {
        job: 'events',
        nextDueAt: null,
        lastRunAt: null,
        lastSuccessAt: null,
        cursor: { etag: 'W/"1"', counts: { A: 1 }, list: [1, 'x', null] },
      },
      { job: 'riders', nextDueAt: 9000, lastRunAt: 5000, lastSuccessAt: 5000, cursor: null },
    ]);
  });

  it('state: the sync log lists newest first, filtered by job and time, limited', async (s) => {
    await s.appendSyncLog([entry('r1', 'riders', 1000), entry('r2', 'events', 2000)]);
    await s.appendSyncLog([
      entry('r3', 'riders', 3000, { status: 'failed', errorKind: 'rate_limited', message: 'retry in 60s' }),
    ]);
    assert.deepEqual(
      (await s.listSyncLog()).map((e) => e.runId),
      ['r3', 'r2', 'r1'],
    );
    assert.deepEqual(
      (await s.listSyncLog({ job: 'riders' })).map((e) => e.runId),
      ['r3', 'r1'],
    );
    assert.deepEqual(
      (await s.listSyncLog({ since: 2000, limit: 1 })).map((e) => e.runId),
      ['r3'],
    );
    const [failed] = await s.listSyncLog({ job: 'riders', limit: 1 });
    assert.deepEqual(
      failed,
      entry('r3', 'riders', 3000, { status: 'failed', errorKind: 'rate_limited', message: 'retry in 60s' }),
    );
  });
}
