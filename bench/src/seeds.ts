import { loadavg } from 'node:os';
import { numberArg, parseArgs } from './args.js';
import { type Run, runStrategies } from './child.js';
import { poolSeeds } from './pool.js';
import type { Strategy } from './run-strategy.js';
import { policyFor, strategyArgs, teamRaceTimesArg, teamSignupLeadArg } from './strategy-args.js';

/**
 * `pnpm bench:seeds -- [--seeds 1-8] [--riders N] [--hours H] [--only adaptive,oracle] [--policy JSON]`
 * `[--team-hours 17-21] [--team-weekdays 0,6] [--team-late-minutes 60] [--team-late-share 0.5]`
 * (as in `bench:day`):
 * the day benchmark (`bench:day`) on several seeds, one after the other, and the figures pooled over
 * them (see `poolSeeds`): calls summed, with each seed's and the pooled ratio against the baseline
 * and the oracle; signup and result lag percentiles over the changes of every seed. With 20–30 near
 * changes in a simulated day, a seed's own near p95 is its largest or second-largest lag; the pooled
 * p95 of 8 seeds rests on ~200 changes. `--seeds` takes a range (`1-8`) or a list (`1,3,5`).
 * Prints JSON.
 */
const args = parseArgs(process.argv.slice(2));
const seeds = parseSeeds(args.get('seeds') ?? '1-8');
const riders = numberArg(args, 'riders', 80);
const hours = numberArg(args, 'hours', 24);
const { strategies, policy, parallel } = strategyArgs(args);
const teamRaceTimes = teamRaceTimesArg(args);
const teamSignupLead = teamSignupLeadArg(args);

function parseSeeds(value: string | true): number[] {
  if (value === true) throw new Error('--seeds needs a range (1-8) or a list (1,3,5)');
  const range = /^(\d+)-(\d+)$/.exec(value);
  const list = range
    ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
    : value.split(',').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error(`--seeds: ${value} is neither a range (1-8) nor a list of whole numbers (1,3,5)`);
  return list;
}

const load = loadavg()[0]!;
const wallStart = performance.now();
const perSeed: { seed: number; runs: Map<Strategy, Run> }[] = [];
for (const seed of seeds) {
  const runs = await runStrategies(
    strategies,
    (strategy) => ({
      seed,
      riders,
      hours,
      samples: true,
      ...(teamRaceTimes ? { teamRaceTimes } : {}),
      ...(teamSignupLead ? { teamSignupLead } : {}),
      ...policyFor(strategy, policy),
    }),
    { parallel, report: false },
  );
  perSeed.push({ seed, runs });
}

const result = {
  seeds,
  riders,
  hours,
  ...(teamRaceTimes ? { teamRaceTimes } : {}),
  ...(teamSignupLead ? { teamSignupLead } : {}),
  ...(policy ? { policy } : {}),
  perSeed: perSeed.map(({ seed, runs }) => ({
    seed,
    strategies: Object.fromEntries(
      [...runs].map(([name, run]) => [
        name,
        {
          calls: run.calls.total,
          byEndpoint: run.calls.byEndpoint,
          nearSignupLagP95Ms: run.signupLag.near.p95Ms,
          nearChanges: run.signupLag.near.count,
          missed: run.signupLag.missed,
          wrongAtStart: run.signupLag.wrongAtStart,
          resultLagP95Ms: run.resultLag.p95Ms,
          rateLimitViolations: run.rateLimitViolations,
          wallMs: run.wallMs,
        },
      ]),
    ),
  })),
  pooled: poolSeeds(perSeed),
  machine: {
    wallMs: Math.round(performance.now() - wallStart),
    parallel,
    loadAverage1m: Math.round(load * 100) / 100,
    loadAverage1mAfter: Math.round(loadavg()[0]! * 100) / 100,
  },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
