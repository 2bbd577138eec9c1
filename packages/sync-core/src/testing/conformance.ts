import type { StorageAdapter } from '../storage/storage-adapter.js';
import type { ConformanceOptions, SuiteContext, TestFn } from './context.js';
import { eventsSuite } from './suites/events.js';
import { largeBatchesSuite } from './suites/large-batches.js';
import { leasesSuite } from './suites/leases.js';
import { rateLimitStoreSuite } from './suites/rate-limit-store.js';
import { resultsSuite } from './suites/results.js';
import { riderAtomicitySuite, ridersSuite } from './suites/riders.js';
import { signupsSuite } from './suites/signups.js';
import { stateSuite } from './suites/state.js';
import { teamSuite } from './suites/team.js';

/**
 * Registers the storage conformance suite with your test runner. Every test gets a fresh, empty
 * storage from `makeStorage`. Pass vitest's `test` (or node:test's); assertions use `node:assert`,
 * so any runner works. Optional capabilities (`leases`, `rateLimitStore`) are tested when present,
 * and reported as skipped (with the runner's `skip()`) when absent.
 *
 * @example
 * import { test } from 'vitest';
 * import { runStorageConformance } from '@racesync/sync-core/testing';
 * runStorageConformance(test, () => createMyStorage());
 */
export function runStorageConformance(
  test: TestFn,
  makeStorage: () => StorageAdapter | Promise<StorageAdapter>,
  options: ConformanceOptions = {},
): void {
  const prefix = options.prefix ?? 'storage conformance';
  const timeout = options.timeoutMs ?? 60_000;
  const skip = new Set(options.skip ?? []);
  const context: SuiteContext = {
    largeBatch: options.largeBatch ?? 2000,
    it(name, body) {
      if (skip.has(name)) {
        test.skip?.(`${prefix}: ${name}`, async () => {}, timeout);
        return;
      }
      test(
        `${prefix}: ${name}`,
        // Rest parameters: the function's length stays 0, so no runner takes it for a `done` callback.
        async (...args: unknown[]) => {
          const runner = args[0] as { skip?: (note?: string) => void } | undefined;
          const storage = await makeStorage();
          try {
            // vitest's skip() throws to end the test; node:test's marks it and returns.
            await body(storage, (reason) => runner?.skip?.(reason));
          } finally {
            await options.dispose?.(storage);
          }
        },
        timeout,
      );
    },
  };
  for (const suite of [
    teamSuite,
    ridersSuite,
    riderAtomicitySuite,
    eventsSuite,
    signupsSuite,
    resultsSuite,
    stateSuite,
    leasesSuite,
    rateLimitStoreSuite,
    largeBatchesSuite,
  ]) {
    suite(context);
  }
}
