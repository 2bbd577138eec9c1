import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';

export function signupsSuite({ it }: SuiteContext): void {
  it('signups: a complete list adds, keeps and withdraws (rows kept)', async (s) => {
    const d1 = await s.applySignups(
      'e1',
      [
        { riderId: 1, pen: 'B' },
        { riderId: 2, pen: 'C' },
      ],
      1000,
    );
    assert.deepEqual(
      d1.added.map((r) => r.riderId),
      [1, 2],
    );
    const d2 = await s.applySignups(
      'e1',
      [
        { riderId: 2, pen: 'C' },
        { riderId: 3, pen: 'A' },
      ],
      2000,
    );
    assert.deepEqual(
      d2.added.map((r) => r.riderId),
      [3],
    );
    assert.deepEqual(
      d2.withdrawn.map((r) => [r.riderId, r.withdrawnAt]),
      [[1, 2000]],
    );
    assert.equal(d2.unchanged, 1);
    const all = await s.listSignups({ eventIds: ['e1'] });
    assert.deepEqual(
      all.map((r) => [r.riderId, r.pen, r.firstSeenAt, r.lastSeenAt, r.withdrawnAt]),
      [
        [1, 'B', 1000, 1000, 2000],
        [2, 'C', 1000, 2000, null],
        [3, 'A', 2000, 2000, null],
      ],
    );
    assert.deepEqual(
      (await s.listSignups({ eventIds: ['e1'], activeOnly: true })).map((r) => r.riderId),
      [2, 3],
    );
  });

  it('signups: rejoining after a withdrawal counts as added; pen moves are reported', async (s) => {
    await s.applySignups('e1', [{ riderId: 1, pen: 'B' }], 1000);
    await s.applySignups('e1', [], 2000);
    const d = await s.applySignups('e1', [{ riderId: 1, pen: 'A' }], 3000);
    assert.deepEqual(
      d.added.map((r) => [r.riderId, r.pen, r.withdrawnAt, r.firstSeenAt]),
      [[1, 'A', null, 1000]],
    );
    const moved = await s.applySignups('e1', [{ riderId: 1, pen: 'B' }], 4000);
    assert.deepEqual(
      moved.penChanged.map((r) => [r.riderId, r.pen]),
      [[1, 'B']],
    );
  });

  it('signups: replaying a list is a no-op and an older list is ignored', async (s) => {
    const list = [
      { riderId: 1, pen: 'B' },
      { riderId: 2, pen: 'B' },
    ];
    await s.applySignups('e1', list, 2000);
    const replay = await s.applySignups('e1', list, 2000);
    assert.deepEqual([replay.added, replay.withdrawn, replay.penChanged, replay.unchanged], [[], [], [], 2]);
    const stale = await s.applySignups('e1', [], 1000);
    assert.deepEqual([stale.added, stale.withdrawn], [[], []]);
    assert.equal((await s.listSignups({ activeOnly: true })).length, 2);
  });

  it('signups: events are independent, and unusual pen labels are accepted', async (s) => {
    await Promise.all([
      s.applySignups('e1', [{ riderId: 1, pen: 'F' }], 1000),
      s.applySignups('e2', [{ riderId: 1, pen: 'Women' }], 1000),
      s.applySignups('e3', [{ riderId: 2, pen: 'A+' }], 1000),
    ]);
    await s.applySignups('e2', [], 2000);
    assert.deepEqual(
      (await s.listSignups({ riderIds: [1] })).map((r) => [r.eventId, r.pen, r.withdrawnAt]),
      [
        ['e1', 'F', null],
        ['e2', 'Women', 2000],
      ],
    );
  });

  it('signups: signup checks round-trip and replace by event id', async (s) => {
    await s.putSignupChecks([
      { eventId: 'e1', fetchedAt: 1000, countsAtFetch: { A: 1, B: 2 }, teamSignups: 1 },
      { eventId: 'e2', fetchedAt: 1000, countsAtFetch: {}, teamSignups: 0 },
    ]);
    await s.putSignupChecks([
      { eventId: 'e1', fetchedAt: 2000, countsAtFetch: { A: 2, B: 2 }, teamSignups: 2 },
    ]);
    const checks = (await s.getSignupChecks()).sort((a, b) => a.eventId.localeCompare(b.eventId));
    assert.deepEqual(checks, [
      { eventId: 'e1', fetchedAt: 2000, countsAtFetch: { A: 2, B: 2 }, teamSignups: 2 },
      { eventId: 'e2', fetchedAt: 1000, countsAtFetch: {}, teamSignups: 0 },
    ]);
    assert.deepEqual(
      (await s.getSignupChecks(['e2', 'nope'])).map((c) => c.eventId),
      ['e2'],
    );
  });
}
