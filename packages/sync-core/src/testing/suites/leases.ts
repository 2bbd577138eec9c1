import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';

export function leasesSuite({ it }: SuiteContext): void {
  it('leases: one holder at a time; expiry lets another take over with a higher token', async (s, skip) => {
    const leases = s.leases;
    if (!leases) return skip('the storage has no `leases`');
    const a = await leases.acquire('job:riders', 'instance-a', 10_000, 1000);
    assert.ok(a);
    assert.equal(await leases.acquire('job:riders', 'instance-b', 10_000, 5000), null);
    const other = await leases.acquire('job:events', 'instance-b', 10_000, 5000);
    assert.ok(other, 'leases are per name');
    const b = await leases.acquire('job:riders', 'instance-b', 10_000, 11_001);
    assert.ok(b);
    assert.ok(b.token > a.token, 'fencing token grows when the lease changes hands');
    assert.equal(await leases.renew(a, 10_000, 11_500), null, 'the old holder cannot renew');
    const renewed = await leases.renew(b, 10_000, 12_000);
    assert.equal(renewed?.expiresAt, 22_000);
    await leases.release(a); // stale release is a no-op
    assert.equal(await leases.acquire('job:riders', 'instance-c', 1000, 13_000), null);
    await leases.release(b);
    assert.ok(await leases.acquire('job:riders', 'instance-c', 1000, 13_000));
  });

  it('leases: concurrent acquires grant exactly one holder', async (s, skip) => {
    const leases = s.leases;
    if (!leases) return skip('the storage has no `leases`');
    const got = await Promise.all(
      Array.from({ length: 8 }, (_, i) => leases.acquire('job:results', `instance-${i}`, 60_000, 1000)),
    );
    assert.equal(got.filter(Boolean).length, 1);
  });

  it('leases: a fenced job-state write is refused once the lease changed hands', async (s, skip) => {
    const leases = s.leases;
    if (!leases) return skip('the storage has no `leases`');
    const a = await leases.acquire('job:riders', 'a', 1000, 0);
    assert.ok(a);
    const state = { job: 'riders', nextDueAt: 100, lastRunAt: 0, lastSuccessAt: 0, cursor: null };
    await s.putJobState(state, { name: a.name, token: a.token });
    const b = await leases.acquire('job:riders', 'b', 1000, 2000);
    assert.ok(b);
    await assert.rejects(
      s.putJobState({ ...state, nextDueAt: 999 }, { name: a.name, token: a.token }),
      (error: unknown) => (error as { kind?: string }).kind === 'lease_lost',
    );
    assert.equal((await s.getJobStates())[0]?.nextDueAt, 100);
    await s.putJobState({ ...state, nextDueAt: 200 }, { name: b.name, token: b.token });
    assert.equal((await s.getJobStates())[0]?.nextDueAt, 200);
  });
}
