import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { runStrategy, Strategy, StrategyRun } from './run-strategy.js';

/** The figures of one strategy's run (what `runStrategy` returns). */
export type Run = Awaited<ReturnType<typeof runStrategy>>;

/**
 * Runs one strategy in a child process (same Node, same loader) and reads its figures: each
 * strategy's `wallMs`, `cpuMs` and `peakRssMb` are then its own.
 */
export function runInChild(strategy: Strategy, run: StrategyRun, options: { report: boolean }): Promise<Run> {
  const script = fileURLToPath(new URL('./strategy-process.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv, script, JSON.stringify({ strategy, run, report: options.report })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`strategy ${strategy} exited with ${code}`));
      else resolvePromise(JSON.parse(out) as Run);
    });
  });
}

/** Runs `strategies` for one `run`, `parallel` at a time (in the order given), each in its own process. */
export async function runStrategies(
  strategies: readonly Strategy[],
  run: (strategy: Strategy) => StrategyRun,
  options: { parallel: number; report: boolean },
): Promise<Map<Strategy, Run>> {
  const queue = [...strategies];
  const finished = new Map<Strategy, Run>();
  await Promise.all(
    Array.from({ length: Math.min(options.parallel, queue.length) }, async () => {
      for (let strategy = queue.shift(); strategy !== undefined; strategy = queue.shift()) {
        finished.set(strategy, await runInChild(strategy, run(strategy), { report: options.report }));
      }
    }),
  );
  // In the order asked for, whatever order they finished in.
  return new Map(strategies.flatMap((s) => (finished.has(s) ? [[s, finished.get(s)!] as const] : [])));
}
