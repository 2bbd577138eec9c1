import type { StorageAdapter } from '../storage/storage-adapter.js';

/** A test registration function: vitest's or node:test's `test`, or anything of that shape. */
export type TestFn = (name: string, fn: () => Promise<void>, timeout?: number) => unknown;

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
  /** Called after each test with the storage it used (close connections, drop schemas …). */
  dispose?: (storage: StorageAdapter) => Promise<void> | void;
  /**
   * Names (without prefix) of tests to skip, for capabilities an adapter documents it lacks.
   * @default [] (none skipped)
   */
  skip?: readonly string[];
}

/** What every suite file receives. */
export interface SuiteContext {
  /** Registers one test; the body gets a fresh, empty storage. */
  it(name: string, body: (storage: StorageAdapter) => Promise<void>): void;
  largeBatch: number;
}
