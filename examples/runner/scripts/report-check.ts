/**
 * `pnpm report:check [-- --hours H] [-- --side-by-side]`: the render check of the HTML report.
 *
 * 1. A short simulated run of the memory runner (6 simulated hours by default) writes
 *    `reports/report.html` (`--report`).
 * 2. Headless Chromium (Debian's `chromium`, or `$CHROMIUM`) opens it and takes a full-page
 *    screenshot: `reports/report.png`.
 * 3. Fails when Chromium fails, the page requests anything from the network or logs an error, or
 *    the PNG is blank.
 *
 * `--side-by-side` also renders the day benchmark’s report of its strategies for the same hours
 * (`reports/report-side-by-side.html` / `.png`: baseline, adaptive and follow, with the oracle as the floor), written by the benchmark's own command
 * (`pnpm bench:day -- --report …`, seed 1, 80 riders): the runner does not depend on the benchmark.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReportRenders } from '@racesync/report';
import { parseArgs, UsageError } from '../src/args.ts';
import { runMemoryRunner } from '../src/memory-runner.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = join(root, 'reports');
mkdirSync(dir, { recursive: true });

const argv = process.argv.slice(2);
const sideBySide = argv.includes('--side-by-side');
let hours = 6;
try {
  hours = parseArgs(argv.filter((a) => a !== '--side-by-side')).hours ?? 6;
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`report:check: ${error.message}\n`);
  process.exit(2);
}

async function check(html: string, png: string): Promise<void> {
  const started = performance.now();
  const result = await checkReportRenders(html, png);
  process.stdout.write(
    `report:check: ${png} — ${result.width}×${result.height} px, ${(result.png.inkFraction * 100).toFixed(1)} % drawn, ${result.png.colours} colours, no network requests, no errors (${Math.round(performance.now() - started)} ms in Chromium)\n`,
  );
}

try {
  const html = join(dir, 'report.html');
  const code = await runMemoryRunner({
    argv: ['--hours', String(hours), '--report', html, '--progress-minutes', '60'],
    env: {},
  });
  if (code !== 0) throw new Error(`the simulated run failed (exit ${code})`);
  await check(html, join(dir, 'report.png'));

  if (sideBySide) {
    const file = join(dir, 'report-side-by-side.html');
    const bench = spawnSync(
      'pnpm',
      [
        '--silent',
        'bench:day',
        '--',
        '--seed',
        '1',
        '--riders',
        '80',
        '--hours',
        String(hours),
        '--report',
        file,
        '--json',
      ],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (bench.status !== 0)
      throw new Error(`pnpm bench:day failed (${bench.error?.message ?? `exit ${bench.status}`})`);
    await check(file, join(dir, 'report-side-by-side.png'));
  }
  process.exit(0);
} catch (error) {
  process.stderr.write(`report:check FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
