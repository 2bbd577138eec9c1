import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { renderReport } from '@racesync/report';
import { numberArg, parseArgs } from './args.js';
import { type Run, runStrategies } from './child.js';
import { policyFor, strategyArgs, teamRaceTimesArg, teamSignupLeadArg } from './strategy-args.js';

/**
 * `pnpm bench:day -- --json [--seed S] [--riders N] [--hours H] [--faults F] [--report FILE.html]`
 * `[--team-hours 17-21] [--team-weekdays 0,6]` (the simulator's opt-in `teamRaceTimes`: the team
 * races only then, UTC; the targets use the default, any time)
 * `[--team-late-minutes 60] [--team-late-share 0.5]` (the simulator's opt-in `teamSignupLead`: that
 * share of the team's signups within that many minutes of the start, the others up to 48 h before;
 * the targets use the default, half within 6 h):
 * the four strategies — `baseline` (the original schedule), `adaptive` (site API only), `follow`
 * (adaptive with the follower feed) and `oracle` (reads the truth: the floor) — each against a fresh
 * copy of the same simulated world, one after the other in this process. Prints each under
 * `strategies`, and `ratios` of every strategy against the baseline and against the oracle.
 * `--report` also writes the HTML report (the JSON output is the same either way). Tuning:
 * `--policy '{"signups":{"nearSweepMs":360000}}'` (adaptive and follow) and
 * `--only adaptive,oracle`. Each strategy runs in its own process, `--parallel N` at a time (default
 * 2: this machine's cores), so each one's `wallMs`, `cpuMs` and `peakRssMb` are its own.
 */
const args = parseArgs(process.argv.slice(2));
const seed = numberArg(args, 'seed', 1);
const riders = numberArg(args, 'riders', 80);
const hours = numberArg(args, 'hours', 24);
const faultRate = numberArg(args, 'faults', 0);
const faults = faultRate > 0 ? { rate: faultRate } : null;
const teamRaceTimes = teamRaceTimesArg(args);
const teamSignupLead = teamSignupLeadArg(args);
const { strategies: chosen, policy, parallel } = strategyArgs(args);

const reportFile = args.get('report');
if (reportFile === true) throw new Error('--report needs a file name, e.g. --report reports/day.html');
const collect = { report: reportFile !== undefined };
const load = loadavg();
const wallStart = performance.now();
const cpuStart = process.cpuUsage();

// The longest first, so the last one to finish is short.
const runs = await runStrategies(
  chosen,
  (strategy) => ({
    seed,
    riders,
    hours,
    faults,
    ...(teamRaceTimes ? { teamRaceTimes } : {}),
    ...(teamSignupLead ? { teamSignupLead } : {}),
    ...policyFor(strategy, policy),
  }),
  { parallel, report: collect.report },
);
const childCpuMs = [...runs.values()].reduce((sum, run) => sum + run.cpuMs, 0);
const cpu = process.cpuUsage(cpuStart);

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;
const versus = (reference: Run | undefined) =>
  reference
    ? Object.fromEntries(
        [...runs].map(([name, run]) => [
          name,
          {
            calls: ratio(run.calls.total, reference.calls.total),
            nearSignupLagP95: ratio(run.signupLag.near.p95Ms, reference.signupLag.near.p95Ms),
            resultLagP95: ratio(run.resultLag.p95Ms, reference.resultLag.p95Ms),
            riderLagP95: ratio(run.riderLag.p95Ms, reference.riderLag.p95Ms),
          },
        ]),
      )
    : null;
const strategies = Object.fromEntries(
  [...runs].map(([name, { report: _report, ...figures }]) => [name, figures]),
);
const result = {
  seed,
  riders,
  hours,
  faults: faultRate,
  ...(teamRaceTimes ? { teamRaceTimes } : {}),
  ...(teamSignupLead ? { teamSignupLead } : {}),
  ...(policy ? { policy } : {}),
  strategies,
  ratios: { vsBaseline: versus(runs.get('baseline')), vsOracle: versus(runs.get('oracle')) },
  machine: {
    /** All strategies, start to end (they run `parallel` at a time). */
    wallMs: Math.round(performance.now() - wallStart),
    /** CPU time of the strategies (each measured in its process) and of this process. */
    cpuMs: childCpuMs + Math.round((cpu.user + cpu.system) / 1000),
    parallel,
    loadAverage1m: Math.round(load[0]! * 100) / 100,
    loadAverage1mAfter: Math.round(loadavg()[0]! * 100) / 100,
  },
};
if (reportFile !== undefined) {
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), reportFile);
  mkdirSync(dirname(file), { recursive: true });
  const reports = [...runs].filter(([name]) => name !== 'oracle').map(([, run]) => run.report!);
  const floor = runs.get('oracle')?.report;
  writeFileSync(
    file,
    renderReport({
      title: 'racesync — strategies side by side',
      subtitle: `Simulated upstream · seed ${seed} · ${riders} team riders · ${hours} h of simulated time${faultRate > 0 ? ` · fault rate ${faultRate}` : ''} · pnpm bench:day -- --report`,
      generatedAt: new Date().toISOString(),
      runs: reports.length > 0 ? reports : floor ? [floor] : [],
      ...(floor && reports.length > 0 ? { floor } : {}),
    }),
  );
  process.stderr.write(`report written to ${file}\n`);
}
if (args.has('json')) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
