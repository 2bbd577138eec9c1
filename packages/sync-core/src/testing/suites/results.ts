import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';
import { makeResult } from '../factories.js';

export function resultsSuite({ it }: SuiteContext): void {
  it('results: a result set adds rows; float times and null gaps are exact', async (s) => {
    const rows = [
      makeResult('5188741', 4204538, 1000, { position: 1, timeSeconds: 1506.486, gap: 0 }),
      makeResult('5188741', 3563125, 1000, { position: 2, timeSeconds: 1533.876, gap: 27.39 }),
      makeResult('5188741', 4467058, 1000, { position: null, timeSeconds: 1858, gap: null }),
    ];
    assert.deepEqual(await s.applyResults('5188741', rows, 1000), {
      added: 3,
      updated: 0,
      unchanged: 0,
      removed: 0,
    });
    const stored = await s.listResults({ eventIds: ['5188741'] });
    assert.deepEqual(stored, [rows[0], rows[1], rows[2]]);
  });

  it('results: a correction updates changed rows and marks dropped rows removed (kept)', async (s) => {
    const first = [makeResult('e', 1, 1000, { position: 1 }), makeResult('e', 2, 1000, { position: 2 })];
    await s.applyResults('e', first, 1000);
    const corrected = [makeResult('e', 2, 5000, { position: 1 })];
    assert.deepEqual(await s.applyResults('e', corrected, 5000), {
      added: 0,
      updated: 1,
      unchanged: 0,
      removed: 1,
    });
    assert.deepEqual(
      (await s.listResults()).map((r) => [r.riderId, r.position]),
      [[2, 1]],
    );
    const withRemoved = await s.listResults({ includeRemoved: true });
    assert.equal(withRemoved.find((r) => r.riderId === 1)?.removedAt, 5000);
    const replay = await s.applyResults('e', corrected, 5000);
    assert.deepEqual(replay, { added: 0, updated: 0, unchanged: 1, removed: 0 });
    const stale = await s.applyResults('e', first, 1000);
    assert.deepEqual(stale, { added: 0, updated: 0, unchanged: 0, removed: 0 });
  });

  it('results: jobs are keyed by event and phase, listed by due time', async (s) => {
    const job = {
      eventId: 'e1',
      phase: 'initial' as const,
      dueAt: 3000,
      attempts: 0,
      priority: 5,
      eventStartsAt: 1000,
      createdAt: 900,
    };
    await s.putResultJobs([
      job,
      { ...job, eventId: 'e2', dueAt: 2000 },
      { ...job, phase: 'correction', dueAt: 9000 },
    ]);
    await s.putResultJobs([{ ...job, attempts: 1, dueAt: 4000 }]);
    assert.deepEqual(
      (await s.listResultJobs()).map((j) => [j.eventId, j.phase, j.dueAt, j.attempts]),
      [
        ['e2', 'initial', 2000, 0],
        ['e1', 'initial', 4000, 1],
        ['e1', 'correction', 9000, 0],
      ],
    );
    await s.deleteResultJobs([
      { eventId: 'e1', phase: 'initial' },
      { eventId: 'nope', phase: 'initial' },
    ]);
    assert.deepEqual(
      (await s.listResultJobs()).map((j) => [j.eventId, j.phase]),
      [
        ['e2', 'initial'],
        ['e1', 'correction'],
      ],
    );
  });
}
