import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderReport } from '@racesync/report';
import type { SyncPolicyInput } from '@racesync/sync-core';
import { numberArg, parseArgs } from './args.js';
import { runStrategy } from './run-strategy.js';

/**
 * `pnpm bench:day -- --json [--seed S] [--riders N] [--hours H] [--faults F] [--report FILE.html]`:
 * the adaptive engine and the original schedule against the same simulated world, one after the
 * other in this process. `--report` also writes the HTML report of both side by side (the JSON
 * output is the same either way). Tuning: `--policy '{"signups":{"nearSweepMs":360000}}'`
 * (adaptive only) and `--only adaptive`.
 */
const args = parseArgs(process.argv.slice(2));
const seed = numberArg(args, 'seed', 1);
const riders = numberArg(args, 'riders', 80);
const hours = numberArg(args, 'hours', 24);
const faultRate = numberArg(args, 'faults', 0);
const faults = faultRate > 0 ? { rate: faultRate } : null;
const policyArg = args.get('policy');
const policy = typeof policyArg === 'string' ? (JSON.parse(policyArg) as SyncPolicyInput) : undefined;
const only = args.get('only');

const reportFile = args.get('report');
if (reportFile === true) throw new Error('--report needs a file name, e.g. --report reports/day.html');
const collect = { report: reportFile !== undefined };
const { report: adaptiveReport, ...adaptive } = await runStrategy(
  'adaptive',
  { seed, riders, hours, faults, ...(policy ? { policy } : {}) },
  collect,
);
const baselineRun =
  only === 'adaptive' ? null : await runStrategy('baseline', { seed, riders, hours, faults }, collect);
const { report: baselineReport, ...baseline } = baselineRun ?? { report: undefined };
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;
const result = {
  seed,
  riders,
  hours,
  faults: faultRate,
  ...(policy ? { policy } : {}),
  strategies: { adaptive, ...(baselineRun ? { baseline } : {}) },
  ratios: baselineRun
    ? {
        calls: ratio(adaptive.calls.total, baselineRun.calls.total),
        nearSignupLagP95: ratio(adaptive.signupLag.near.p95Ms, baselineRun.signupLag.near.p95Ms),
        resultLagP95: ratio(adaptive.resultLag.p95Ms, baselineRun.resultLag.p95Ms),
        riderLagP95: ratio(adaptive.riderLag.p95Ms, baselineRun.riderLag.p95Ms),
      }
    : null,
};
if (reportFile !== undefined && adaptiveReport) {
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), reportFile);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    renderReport({
      title: 'racesync — adaptive engine vs the original schedule',
      subtitle: `Simulated upstream · seed ${seed} · ${riders} team riders · ${hours} h of simulated time${faultRate > 0 ? ` · fault rate ${faultRate}` : ''} · pnpm bench:day -- --report`,
      generatedAt: new Date().toISOString(),
      runs: baselineReport ? [adaptiveReport, baselineReport] : [adaptiveReport],
    }),
  );
  process.stderr.write(`report written to ${file}\n`);
}
if (args.has('json')) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
