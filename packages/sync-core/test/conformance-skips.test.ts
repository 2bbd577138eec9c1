import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/index.js';
import { runStorageConformance, type TestFn } from '../src/testing/index.js';

// A storage without an optional capability must not pass that capability's tests as if it had
// been checked: they end through the runner's skip(), and tests named in `skip` are registered
// with test.skip. (The memory storage has leases but no rateLimitStore.)

type Body = (...context: unknown[]) => Promise<void>;

function recordingTest() {
  const tests = new Map<string, Body>();
  const skipped: string[] = [];
  const test = Object.assign((name: string, fn: Body) => void tests.set(name, fn), {
    skip: (name: string) => void skipped.push(name),
  }) satisfies TestFn;
  return { test, tests, skipped };
}

describe('runStorageConformance: optional capabilities and skips', () => {
  it('a capability the storage lacks ends its tests through the runner’s skip(), with the reason; present ones run', async () => {
    const { test, tests } = recordingTest();
    runStorageConformance(test, () => createMemoryStorage(), { prefix: 'c' });
    const run = async (name: string) => {
      const body = tests.get(`c: ${name}`);
      if (!body) throw new Error(`no test ${name}`);
      const notes: string[] = [];
      await body({ skip: (note: string) => notes.push(note) });
      return notes;
    };
    expect(await run('rate-limit store: sliding window, exact at the boundaries')).toEqual([
      'the storage has no `rateLimitStore`',
    ]);
    expect(await run('leases: concurrent acquires grant exactly one holder')).toEqual([]);
    // The rest parameter keeps the body's length 0: no runner mistakes it for a done callback.
    for (const body of tests.values()) expect(body.length).toBe(0);
  });

  it('tests named in `skip` are registered with test.skip, not dropped', () => {
    const { test, tests, skipped } = recordingTest();
    runStorageConformance(test, () => createMemoryStorage(), {
      prefix: 'c',
      skip: ['leases: concurrent acquires grant exactly one holder'],
    });
    expect(skipped).toEqual(['c: leases: concurrent acquires grant exactly one holder']);
    expect(tests.has('c: leases: concurrent acquires grant exactly one holder')).toBe(false);
  });
});
