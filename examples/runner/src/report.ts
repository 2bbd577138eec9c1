/** `--report FILE.html`: the run as a self-contained HTML picture (via @racesync/report). */
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type LagDistribution, type ReportRun, type RequestLog, renderReport } from '@racesync/report';
import type { BucketSpec } from '@racesync/zwift-client';
import type { Observation } from './observe.ts';

export interface RunReportInput {
  label: string;
  start: number;
  end: number;
  requests: RequestLog;
  limits: Readonly<Record<string, BucketSpec>>;
  observation: Observation;
  signupLag: LagDistribution | null;
  resultLag: LagDistribution | null;
  figures?: Record<string, string | number>;
}

export function reportRun(input: RunReportInput): ReportRun {
  const o = input.observation;
  return {
    label: input.label,
    start: input.start,
    end: input.end,
    buckets: [...input.requests.calls].map(([name, calls]) => ({
      name,
      calls,
      capacity: input.limits[name]?.capacity ?? 0,
      intervalMs: input.limits[name]?.intervalMs ?? 60_000,
    })),
    signupLag: input.signupLag,
    resultLag: input.resultLag,
    changes: o.timeline,
    figures: {
      'sync runs': `ok ${o.runs.ok} · partial ${o.runs.partial} · skipped ${o.runs.skipped} · failed ${o.runs.failed}`,
      ...input.figures,
    },
  };
}

/** Where `--report` writes: a relative path is taken from where `pnpm` was started (INIT_CWD). */
function reportPath(file: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/**
 * Checks before the run that the report can be written (its folder made, writable), so a long
 * run's report is not lost to a bad path at the end. Throws the file system's error.
 */
export function checkReportPath(file: string): void {
  const dir = dirname(reportPath(file));
  mkdirSync(dir, { recursive: true });
  accessSync(dir, constants.W_OK);
}

/** Writes the report (see {@link checkReportPath} for where). */
export function writeReport(file: string, title: string, subtitle: string, run: ReportRun): string {
  const path = reportPath(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport({ title, subtitle, generatedAt: new Date().toISOString(), runs: [run] }));
  return path;
}
