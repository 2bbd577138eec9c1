import assert from 'node:assert/strict';
import type { SignupPresence } from '../../storage/storage-adapter.js';
import type { SuiteContext } from '../context.js';
import { makeEvent, makeResult, makeRider, riderChange, riderTouch } from '../factories.js';

export function largeBatchesSuite({ it, largeBatch }: SuiteContext): void {
  it('large batches: riders with history, events, signups and results round-trip', async (s) => {
    const n = largeBatch;
    const riders = Array.from({ length: n }, (_, i) => makeRider(1_000_000 + i, 1000));
    const first = await s.writeRiders(riders.map((r) => riderChange(r, null)));
    assert.equal(first.applied.length, n);
    const changed = riders.map((r, i) =>
      i % 20 === 0 ? makeRider(r.riderId, 2000, { weight: 80 }) : { ...r, fetchedAt: 2000 },
    );
    const second = await s.writeRiders(
      changed.map((r, i) => (i % 20 === 0 ? riderChange(r, riders[i]!.hash, ['weight']) : riderTouch(r))),
    );
    assert.equal(second.applied.length, Math.ceil(n / 20));
    assert.equal(second.touched.length, n - Math.ceil(n / 20));
    assert.equal((await s.getRiders()).length, n);
    assert.equal((await s.listRiderHistory()).length, n + Math.ceil(n / 20));

    const events = Array.from({ length: Math.ceil(n / 4) }, (_, i) => makeEvent(String(6_000_000 + i), 1000));
    assert.equal((await s.upsertEvents(events)).added.length, events.length);
    assert.equal((await s.upsertEvents(events)).unchanged.length, events.length);

    let signupRows = 0;
    for (const event of events.slice(0, 50)) {
      const present: SignupPresence[] = riders
        .slice(0, Math.min(n, 40))
        .map((r) => ({ riderId: r.riderId, pen: 'B' }));
      signupRows += (await s.applySignups(event.eventId, present, 1000)).added.length;
    }
    assert.equal((await s.listSignups()).length, signupRows);

    const resultRows = riders.map((r, i) => makeResult('7000000', r.riderId, 3000, { position: i + 1 }));
    assert.equal((await s.applyResults('7000000', resultRows, 3000)).added, n);
    assert.equal((await s.listResults({ eventIds: ['7000000'] })).length, n);
  });
}
