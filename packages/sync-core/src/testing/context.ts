import type { StorageAdapter } from '../storage/storage-adapter.js';

/**
 * A test registration function: vitest's or node:test's `test`, or anything of that shape. The
 * body is called with the runner's test context when there is one (vitest's and node:test's have
 * `skip()`: a test of a capability the storage lacks is reported as skipped). A `skip` property
 * (`test.skip`) registers the tests named in `ConformanceOptions.skip` as skipped.
 */
export type TestFn = ((
  name: string,
  fn: (...context: unknown[]) => Promise<void>,
  timeout?: number,
) => unknown) & {
  skip?: (name: string, fn: (...context: unknown[]) => Promise<void>, timeout?: number) => unknown;
};

/** Options of `runStorageConformance`. */
export interface ConformanceOptions {
  /**
   * Prefix of every test name.
   * @default 'storage conformance'
   */
  prefix?: string;
  /**
   * Size of the large-batch tests (riders; signups and results are scaled from it).
   * @default 2000
   */
  largeBatch?: number;
  /**
   * Per-test timeout passed to `test`.
   * @default 60_000
   */
  timeoutMs?: number;
  /**
   * Called after each test with the storage it used (close connections, drop schemas …).
   * @default undefined (nothing is disposed)
   */
  dispose?: (storage: StorageAdapter) => Promise<void> | void;
  /**
   * Names (without prefix) of tests to skip, for capabilities an adapter documents it lacks. They
   * are registered with `test.skip` when the runner has it, so they show as skipped.
   * @default [] (none skipped)
   */
  skip?: readonly string[];
}

/** What every suite file receives. */
export interface SuiteContext {
  /**
   * Registers one test; the body gets a fresh, empty storage, and `skip(reason)` to end the test as
   * skipped (for an optional capability the storage does not have).
   */
  it(name: string, body: (storage: StorageAdapter, skip: (reason: string) => void) => Promise<void>): void;
  largeBatch: number;
}
