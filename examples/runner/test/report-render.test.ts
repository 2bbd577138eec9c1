/**
 * The render check of `--report` (the same as `pnpm report:check`): a short simulated run writes
 * the report, headless Chromium screenshots it, and the PNG must show a drawn page — no network
 * request, no error. Runs where Debian's `chromium` is installed (CI installs it); skipped elsewhere.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReportRenders, DEFAULT_CHROMIUM } from '@racesync/report';
import { afterAll, expect, it } from 'vitest';
import { runMemoryRunner } from '../src/memory-runner.ts';
import { captureIo, fakeSignals } from './helpers.ts';

const chromium = process.env.CHROMIUM ?? DEFAULT_CHROMIUM;
const dir = mkdtempSync(join(tmpdir(), 'racesync-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!existsSync(chromium))(
  'the report of a short simulated run renders in headless Chromium',
  async () => {
    const html = join(dir, 'report.html');
    const png = join(dir, 'report.png');
    const io = captureIo();
    const code = await runMemoryRunner({
      argv: ['--hours', '3', '--riders', '40', '--report', html],
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
    });
    expect(code).toBe(0);
    const result = await checkReportRenders(html, png, { chromium });
    expect(result.requests).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.height).toBeGreaterThan(1200); // every section laid out
    expect(result.png.inkFraction).toBeGreaterThan(0.03);
    expect(result.png.colours).toBeGreaterThan(50);
  },
);
