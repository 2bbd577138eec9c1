import assert from 'node:assert/strict';
import type { SuiteContext } from '../context.js';

export function rateLimitStoreSuite({ it }: SuiteContext): void {
  it('rate-limit store: sliding window, exact at the boundaries', async (s, skip) => {
    const store = s.rateLimitStore;
    if (!store) return skip('the storage has no `rateLimitStore`');
    const spec = { capacity: 2, intervalMs: 60_000 };
    assert.deepEqual(await store.take('ns:results', spec, 0), { granted: true, waitMs: 0 });
    assert.deepEqual(await store.take('ns:results', spec, 10_000), { granted: true, waitMs: 0 });
    assert.deepEqual(await store.take('ns:results', spec, 59_999), { granted: false, waitMs: 1 });
    const state = await store.peek('ns:results', spec, 30_000);
    assert.equal(state.available, 0);
    assert.equal(state.nextAvailableAt, 60_000);
    assert.deepEqual(await store.take('ns:results', spec, 60_000), { granted: true, waitMs: 0 });
    assert.deepEqual(await store.take('other:results', spec, 60_000), { granted: true, waitMs: 0 });
  });

  it('rate-limit store: a block holds the bucket until its end and is never shortened', async (s, skip) => {
    const store = s.rateLimitStore;
    if (!store) return skip('the storage has no `rateLimitStore`');
    const spec = { capacity: 5, intervalMs: 60_000 };
    await store.block('ns:riders', 90_000, spec);
    await store.block('ns:riders', 30_000, spec);
    assert.deepEqual(await store.take('ns:riders', spec, 1000), { granted: false, waitMs: 89_000 });
    assert.equal((await store.peek('ns:riders', spec, 1000)).blockedUntil, 90_000);
    assert.equal((await store.take('ns:riders', spec, 90_000)).granted, true);
  });

  it('rate-limit store: concurrent takes never exceed the capacity', async (s, skip) => {
    const store = s.rateLimitStore;
    if (!store) return skip('the storage has no `rateLimitStore`');
    const spec = { capacity: 3, intervalMs: 900_000 };
    const takes = await Promise.all(
      Array.from({ length: 20 }, () => store.take('ns:riders-bulk', spec, 5000)),
    );
    assert.equal(takes.filter((t) => t.granted).length, 3);
    for (const t of takes.filter((x) => !x.granted)) assert.equal(t.waitMs, 900_000);
  });
}
