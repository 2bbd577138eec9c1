/**
 * `pnpm bench` entry: compiles the benchmark (and the simulator sources it imports) with tsup /
 * esbuild, then runs it on plain Node and forwards its output and exit code.
 *
 * Why not run it under tsx directly: tsx's loader (an extra thread and the esbuild service) adds
 * ~45 MB of RSS that a user's compiled code never carries, and the benchmark measures peak RSS.
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
const child = spawn(process.execPath, ['--enable-source-maps', `${outDir}week.bench.mjs`, ...args], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
