import type { SyncPolicyInput } from '@racesync/sync-core';
import { numberArg, parseArgs } from './args.js';
import { runStrategy } from './run-strategy.js';

/**
 * `pnpm bench:day -- --json [--seed S] [--riders N] [--hours H] [--faults F]`: the adaptive engine
 * and the original schedule against the same simulated world, one after the other in this process.
 * Tuning: `--policy '{"signups":{"nearSweepMs":360000}}'` (adaptive only), `--only adaptive`.
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

const adaptive = await runStrategy('adaptive', {
  seed,
  riders,
  hours,
  faults,
  ...(policy ? { policy } : {}),
});
const baseline = only === 'adaptive' ? null : await runStrategy('baseline', { seed, riders, hours, faults });
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;
const result = {
  seed,
  riders,
  hours,
  faults: faultRate,
  ...(policy ? { policy } : {}),
  strategies: { adaptive, ...(baseline ? { baseline } : {}) },
  ratios: baseline
    ? {
        calls: ratio(adaptive.calls.total, baseline.calls.total),
        nearSignupLagP95: ratio(adaptive.signupLag.near.p95Ms, baseline.signupLag.near.p95Ms),
        resultLagP95: ratio(adaptive.resultLag.p95Ms, baseline.resultLag.p95Ms),
        riderLagP95: ratio(adaptive.riderLag.p95Ms, baseline.riderLag.p95Ms),
      }
    : null,
};
if (args.has('json')) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
