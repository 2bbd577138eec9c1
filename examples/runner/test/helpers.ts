import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { SignalSource } from '../src/shutdown.ts';

export const runnerDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A stdout/stderr pair that keeps what is written (not a TTY). */
export function captureIo(options: { tty?: boolean } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout: { write: (t: string) => stdout.push(t), isTTY: options.tty ?? false, columns: 160 },
    stderr: { write: (t: string) => stderr.push(t) },
    out: () => stdout.join(''),
    err: () => stderr.join(''),
    all: () => stdout.join('') + stderr.join(''),
  };
}

/** Signals the test can raise (instead of the process's). */
export function fakeSignals(): SignalSource & { raise(signal: 'SIGINT' | 'SIGTERM'): void } {
  const emitter = new EventEmitter();
  return {
    on: (s, l) => emitter.on(s, l),
    off: (s, l) => emitter.off(s, l),
    raise: (s) => emitter.emit(s),
  };
}

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a runner entry point (`src/main.ts` or `src/supabase.ts`) as a real process, the way
 * `pnpm start` runs it — one Node process with tsx as its loader (`node --import tsx`), in its own
 * process group (so a "Ctrl-C" reaches every process of the group, as in a terminal). `onStdout` may
 * signal it.
 *
 * Not the `tsx` command: it runs the script in a child process and relays signals to it, and when
 * the child does not confirm a signal within 2 × 30 ms (a busy event loop on a loaded machine) it
 * SIGKILLs the child and exits 130 — whatever the child was doing.
 */
export function spawnRunner(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
  onStdout?: (text: string, child: { interrupt(): void }) => void,
): Promise<Spawned> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: runnerDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  const control = {
    /** Ctrl-C in a terminal: SIGINT to the whole process group (once). */
    interrupt: () => {
      if (interrupted || !child.pid) return;
      interrupted = true;
      process.kill(-child.pid, 'SIGINT');
    },
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    onStdout?.(stdout, control);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
