import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';
import { makeEvent } from '../factories.js';

export function eventsSuite({ it }: SuiteContext): void {
  it('events: four-way upsert by hash', async (s) => {
    const a = makeEvent('5230192', 1000);
    const b = makeEvent('5231161', 1000);
    assert.deepEqual(await s.upsertEvents([a, b]), {
      added: ['5230192', '5231161'],
      updated: [],
      unchanged: [],
    });
    const a2 = makeEvent('5230192', 2000, {
      startsAt: a.startsAt,
      signupCounts: { A: 21, B: 29, C: 36, D: 52, E: 39 },
    });
    const b2 = { ...b, fetchedAt: 2000 };
    assert.deepEqual(await s.upsertEvents([a2, b2]), {
      added: [],
      updated: ['5230192'],
      unchanged: ['5231161'],
    });
    const stored = await s.listEvents();
    assert.deepEqual(stored, [
      { ...a2, removedAt: null },
      { ...b, fetchedAt: 2000 },
    ]);
  });

  it('events: route ids above 2^31, metres, any pen label and float distances are kept exactly', async (s) => {
    const event = makeEvent('9000000001', 1000, {
      routeId: '3368626651',
      distanceMeters: 9600.5,
      categories: ['A', 'B', 'F', 'Women', 'ÉLITE'],
      signupCounts: { A: 0, B: 8, F: 1, Women: 3, ÉLITE: 2 },
      laps: null,
      subType: null,
    });
    await s.upsertEvents([event]);
    assert.deepEqual(await s.listEvents({ eventIds: ['9000000001'] }), [event]);
  });

  it('events: removed events are hidden by default, and come back when listed again', async (s) => {
    const a = makeEvent('1', 1000);
    await s.upsertEvents([a, makeEvent('2', 1000)]);
    assert.deepEqual(await s.markEventsRemoved(['1', 'unknown'], 1500), ['1']);
    assert.deepEqual(await s.markEventsRemoved(['1'], 1600), []);
    assert.deepEqual(
      (await s.listEvents()).map((e) => e.eventId),
      ['2'],
    );
    const removed = await s.listEvents({ includeRemoved: true, eventIds: ['1'] });
    assert.equal(removed[0]?.removedAt, 1500);
    const back = { ...a, fetchedAt: 2000 };
    assert.deepEqual((await s.upsertEvents([back])).updated, ['1']);
    assert.equal((await s.listEvents({ eventIds: ['1'] }))[0]?.removedAt, null);
  });

  it('events: listEvents filters by start window, sorted by start', async (s) => {
    const base = 1_700_000_000_000;
    await s.upsertEvents([
      makeEvent('c', base, { startsAt: base + 3000 }),
      makeEvent('a', base, { startsAt: base + 1000 }),
      makeEvent('b', base, { startsAt: base + 2000 }),
    ]);
    assert.deepEqual(
      (await s.listEvents({ startsFrom: base + 1500, startsBefore: base + 3000 })).map((e) => e.eventId),
      ['b'],
    );
    assert.deepEqual(
      (await s.listEvents()).map((e) => e.eventId),
      ['a', 'b', 'c'],
    );
  });

  it('events: a stale write (older fetchedAt) never overwrites newer data', async (s) => {
    const newer = makeEvent('1', 2000, { title: 'new' });
    await s.upsertEvents([newer]);
    const older = makeEvent('1', 1000, { title: 'old' });
    assert.deepEqual((await s.upsertEvents([older])).unchanged, ['1']);
    assert.equal((await s.listEvents())[0]?.title, 'new');
  });
}
