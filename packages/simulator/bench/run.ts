/**
 * `pnpm bench` entry: compiles the benchmark (and the simulator sources it imports) with tsup /
 * esbuild, then runs it on plain Node and forwards its output and exit code.
 *
 * Why not run it under tsx directly: tsx's loader (an extra thread and the esbuild service) adds
 * ~45 MB of RSS that a user's compiled code never carries, and the benchmark measures peak RSS.
 *
 * Node flags: `--max-semi-space-size=4` caps V8's young generation at 4 MB semi-spaces (V8 grows
 * them to 16 MB under this allocation rate — mostly the client parsing 3.5 GB of JSON). Without it
 * the peak RSS is ~35 MB higher and varies more (255–295 MB measured); CPU time is the same.
 * `BENCH_NODE_FLAGS` overrides the flags (e.g. `BENCH_NODE_FLAGS= pnpm bench:sim` for none).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../node_modules/.cache/racesync-sim-bench/', import.meta.url));

await build({
  entry: { 'week.bench': `${here}week.bench.ts` },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir,
  outExtension: () => ({ js: '.mjs' }),
  config: false,
  dts: false,
  sourcemap: true,
  splitting: false,
  silent: true,
  clean: true,
});

const args = process.argv.slice(2).filter((a) => a !== '--');
const nodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? '--max-semi-space-size=4').split(/\s+/).filter(Boolean);
const child = spawn(
  process.execPath,
  [...nodeFlags, '--enable-source-maps', `${outDir}week.bench.mjs`, ...args],
  {
    stdio: 'inherit',
  },
);
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
