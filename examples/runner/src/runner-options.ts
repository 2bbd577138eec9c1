import type { Writable } from './output.ts';
import type { SignalSource } from './shutdown.ts';

/** What both runners take: the process's argv, environment, output streams and signals (injectable for tests). */
export interface RunnerOptions {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  /** @default process.stdout */
  stdout?: Writable;
  /** @default process.stderr */
  stderr?: Writable;
  /**
   * Where SIGINT/SIGTERM come from.
   * @default the process
   */
  signals?: SignalSource;
  /**
   * Immediate exit on a second Ctrl-C.
   * @default process.exit
   */
  exit?: (code: number) => void;
  /**
   * A repeated signal within this many ms counts as the same Ctrl-C.
   * @default 750
   */
  signalRepeatWindowMs?: number;
}
