import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';
import { makeRider, riderChange, riderTouch } from '../factories.js';

export function ridersSuite({ it }: SuiteContext): void {
  it('riders: first sight writes the rider and one history row', async (s) => {
    const rider = makeRider(4598636, 1000);
    const outcome = await s.writeRiders([riderChange(rider, null)]);
    assert.deepEqual(outcome, { applied: [4598636], touched: [], conflicts: [] });
    assert.deepEqual(await s.getRiders([4598636]), [rider]);
    const history = await s.listRiderHistory();
    assert.equal(history.length, 1);
    assert.deepEqual(history[0], {
      riderId: 4598636,
      at: 1000,
      changedFields: ['*'],
      snapshot: rider.data,
      hash: rider.hash,
    });
  });

  it('riders: an unchanged refetch moves fetchedAt only and writes no history', async (s) => {
    const rider = makeRider(1, 1000);
    await s.writeRiders([riderChange(rider, null)]);
    const refetch = { ...rider, fetchedAt: 5000 };
    assert.deepEqual(await s.writeRiders([riderTouch(refetch)]), {
      applied: [],
      touched: [1],
      conflicts: [],
    });
    const [stored] = await s.getRiders([1]);
    assert.equal(stored?.fetchedAt, 5000);
    assert.equal(stored?.changedAt, 1000);
    assert.equal((await s.listRiderHistory()).length, 1);
  });

  it('riders: a real change replaces the rider and adds a history row with the changed fields', async (s) => {
    const v1 = makeRider(1, 1000);
    await s.writeRiders([riderChange(v1, null)]);
    const v2 = makeRider(1, 2000, { weight: 71 });
    const outcome = await s.writeRiders([riderChange(v2, v1.hash, ['weight'])]);
    assert.deepEqual(outcome.applied, [1]);
    const [stored] = await s.getRiders([1]);
    assert.equal(stored?.weight, 71);
    assert.equal(stored?.hash, v2.hash);
    const history = await s.listRiderHistory({ riderIds: [1] });
    assert.deepEqual(
      history.map((h) => [h.at, h.changedFields]),
      [
        [1000, ['*']],
        [2000, ['weight']],
      ],
    );
  });

  it('riders: replaying a batch never duplicates history', async (s) => {
    const v1 = makeRider(1, 1000);
    const v2 = makeRider(1, 2000, { weight: 70 });
    const batch = [riderChange(v1, null), riderChange(makeRider(2, 1000), null)];
    await s.writeRiders(batch);
    await s.writeRiders([riderChange(v2, v1.hash, ['weight'])]);
    const replay = await s.writeRiders([riderChange(v2, v1.hash, ['weight'])]);
    assert.deepEqual(replay, { applied: [], touched: [1], conflicts: [] });
    const replayFirst = await s.writeRiders(batch);
    assert.deepEqual(replayFirst.applied, []);
    assert.deepEqual(replayFirst.conflicts, [1]);
    assert.deepEqual(replayFirst.touched, [2]);
    assert.equal((await s.listRiderHistory()).length, 3);
    assert.equal((await s.getRiders([1]))[0]?.hash, v2.hash);
  });

  it('riders: a write against a stale hash is a conflict and writes nothing', async (s) => {
    const v1 = makeRider(1, 1000);
    await s.writeRiders([riderChange(v1, null)]);
    const v2 = makeRider(1, 2000, { weight: 60 });
    const outcome = await s.writeRiders([riderChange(v2, 'not-the-stored-hash', ['weight'])]);
    assert.deepEqual(outcome, { applied: [], touched: [], conflicts: [1] });
    assert.equal((await s.getRiders([1]))[0]?.hash, v1.hash);
    assert.equal((await s.listRiderHistory()).length, 1);
  });

  it('riders: every stored rider has a history row for its current hash', async (s) => {
    for (let round = 0; round < 3; round++) {
      const current = new Map((await s.getRiders()).map((r) => [r.riderId, r.hash]));
      const writes = Array.from({ length: 20 }, (_, i) => {
        const rider = makeRider(i + 1, 1000 * (round + 1), { weight: 60 + ((i * round) % 3) });
        const stored = current.get(i + 1) ?? null;
        return stored === rider.hash ? riderTouch(rider) : riderChange(rider, stored, ['weight']);
      });
      await s.writeRiders(writes);
    }
    const history = await s.listRiderHistory();
    for (const rider of await s.getRiders()) {
      assert.ok(
        history.some((h) => h.riderId === rider.riderId && h.hash === rider.hash),
        `rider ${rider.riderId} lacks a history row for its stored data`,
      );
    }
  });

  it('riders: concurrent writers record each change exactly once', async (s) => {
    const v1 = Array.from({ length: 50 }, (_, i) => makeRider(i + 1, 1000));
    await s.writeRiders(v1.map((r) => riderChange(r, null)));
    const v2 = v1.map((r) => makeRider(r.riderId, 2000, { weight: 65 }));
    const batch = v2.map((r, i) => riderChange(r, v1[i]!.hash, ['weight']));
    const outcomes = await Promise.all([s.writeRiders(batch), s.writeRiders(batch), s.writeRiders(batch)]);
    const applied = outcomes.flatMap((o) => o.applied).sort((a, b) => a - b);
    assert.deepEqual(
      applied,
      v2.map((r) => r.riderId),
    );
    assert.equal((await s.listRiderHistory({ since: 2000 })).length, 50);
  });

  it('riders: getRiders skips unknown ids and returns copies', async (s) => {
    await s.writeRiders([riderChange(makeRider(7, 1000), null)]);
    const [first] = await s.getRiders([7, 999]);
    assert.ok(first);
    first.name = 'mutated';
    (first.data as { name: string }).name = 'mutated';
    const [again] = await s.getRiders([7]);
    assert.equal(again?.name, 'Rider 7');
    assert.equal((again?.data as { name?: string } | undefined)?.name, 'Rider 7');
    assert.deepEqual(await s.getRiders([999]), []);
  });

  it('riders: float weights, nulls and nested snapshots round-trip exactly', async (s) => {
    const rider = makeRider(3, 1000, {
      weight: 77.123456789,
      race: null,
      power: { wkg5: 11.9481, w5: 920, CP: 319.5566286801363 },
      name: 'Magnus Skjøth #HAC# \u{1F6B4}',
    });
    await s.writeRiders([riderChange(rider, null)]);
    assert.deepEqual(await s.getRiders([3]), [rider]);
  });
}

export function riderAtomicitySuite({ it }: SuiteContext): void {
  it('riders: a batch with an invalid record is rejected whole; nothing of it is written', async (s) => {
    const good = makeRider(1, 1000);
    const bad = { ...makeRider(2, 1000), riderId: Number.NaN };
    await assert.rejects(s.writeRiders([riderChange(good, null), riderChange(bad, null)]));
    assert.deepEqual(await s.getRiders(), []);
    assert.deepEqual(await s.listRiderHistory(), []);
  });
}
