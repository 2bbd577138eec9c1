import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from '../src/index.ts';

const spec = { capacity: 2, intervalMs: 1000 };

describe('createMemoryRateLimitStore: sliding window', () => {
  it('grants `capacity` tokens, then reports the exact wait', async () => {
    const store = createMemoryRateLimitStore();
    expect(await store.take('k', spec, 0)).toEqual({ granted: true, waitMs: 0 });
    expect(await store.take('k', spec, 100)).toEqual({ granted: true, waitMs: 0 });
    expect(await store.take('k', spec, 200)).toEqual({ granted: false, waitMs: 800 });
  });

  it('a grant at t frees its slot exactly at t + intervalMs, not 1 ms earlier', async () => {
    const store = createMemoryRateLimitStore();
    await store.take('k', spec, 0);
    await store.take('k', spec, 100);
    expect(await store.take('k', spec, 999)).toEqual({ granted: false, waitMs: 1 });
    expect(await store.take('k', spec, 1000)).toEqual({ granted: true, waitMs: 0 });
    // window (100, 1100]: grants at 100 and 1000 → full until 1100
    expect(await store.take('k', spec, 1099)).toEqual({ granted: false, waitMs: 1 });
    expect(await store.take('k', spec, 1100)).toEqual({ granted: true, waitMs: 0 });
  });

  it('never lets more than capacity into any window (randomised)', async () => {
    const store = createMemoryRateLimitStore();
    const s = { capacity: 3, intervalMs: 500 };
    const grants: number[] = [];
    let t = 0;
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      t += seed % 40;
      if ((await store.take('k', s, t)).granted) grants.push(t);
    }
    for (let i = 0; i < grants.length; i++) {
      const inWindow = grants.filter((g) => g > grants[i]! - s.intervalMs && g <= grants[i]!).length;
      expect(inWindow).toBeLessThanOrEqual(s.capacity);
    }
    expect(grants.length).toBeGreaterThan(0);
  });

  it('keys are independent', async () => {
    const store = createMemoryRateLimitStore();
    const one = { capacity: 1, intervalMs: 1000 };
    expect((await store.take('a', one, 0)).granted).toBe(true);
    expect((await store.take('b', one, 0)).granted).toBe(true);
    expect((await store.take('a', one, 0)).granted).toBe(false);
  });

  it('block() stops takes until `until` and never shortens a block', async () => {
    const store = createMemoryRateLimitStore();
    await store.block('k', 5000, spec);
    await store.block('k', 3000, spec); // shorter: ignored
    expect(await store.take('k', spec, 1000)).toEqual({ granted: false, waitMs: 4000 });
    expect(await store.take('k', spec, 4999)).toEqual({ granted: false, waitMs: 1 });
    expect(await store.take('k', spec, 5000)).toEqual({ granted: true, waitMs: 0 });
    await store.block('k', 9000, spec); // longer: extends
    expect(await store.take('k', spec, 6000)).toEqual({ granted: false, waitMs: 3000 });
  });

  it('after a block the sliding window still applies', async () => {
    const store = createMemoryRateLimitStore();
    const one = { capacity: 1, intervalMs: 1000 };
    await store.take('k', one, 0);
    await store.block('k', 500, one);
    // blocked until 500, but the grant at 0 holds the only slot until 1000
    expect(await store.take('k', one, 100)).toEqual({ granted: false, waitMs: 900 });
  });

  it('peek() reports state without taking', async () => {
    const store = createMemoryRateLimitStore();
    expect(await store.peek('k', spec, 0)).toEqual({
      capacity: 2,
      intervalMs: 1000,
      available: 2,
      nextAvailableAt: 0,
      blockedUntil: null,
    });
    await store.take('k', spec, 10);
    await store.take('k', spec, 20);
    expect(await store.peek('k', spec, 30)).toMatchObject({
      available: 0,
      nextAvailableAt: 1010,
      blockedUntil: null,
    });
    expect(await store.peek('k', spec, 1010)).toMatchObject({ available: 1, nextAvailableAt: 1010 });
    await store.block('k', 2000, spec);
    expect(await store.peek('k', spec, 1500)).toMatchObject({
      available: 0,
      nextAvailableAt: 2000,
      blockedUntil: 2000,
    });
    expect(await store.peek('k', spec, 2000)).toMatchObject({ available: 2, blockedUntil: null });
  });

  it('copes with a spec whose capacity shrinks', async () => {
    const store = createMemoryRateLimitStore();
    const big = { capacity: 5, intervalMs: 1000 };
    for (let i = 0; i < 5; i++) await store.take('k', big, i);
    const small = { capacity: 1, intervalMs: 1000 };
    expect(await store.take('k', small, 10)).toEqual({ granted: false, waitMs: 994 });
  });

  it('handles very high capacities (many live grants) in linear time', async () => {
    const store = createMemoryRateLimitStore();
    const huge = { capacity: 1_000_000, intervalMs: 10 };
    for (let i = 0; i < 50_000; i++) expect((await store.take('k', huge, i)).granted).toBe(true);
    // live grants in (49990, 50000]: 49991…49999
    expect((await store.peek('k', huge, 50_000)).available).toBe(1_000_000 - 9);
  });
});
