import type { TeamRaceTimesOptions } from '@racesync/simulator';
import type { SyncPolicyInput } from '@racesync/sync-core';
import { listArg, numberArg } from './args.js';
import { STRATEGIES, type Strategy } from './run-strategy.js';

/**
 * The options `bench:day` and `bench:seeds` share: `--only a,b` (the strategies, in the benchmark's
 * order), `--policy JSON` (overrides for the adaptive and follow engines) and `--parallel N`
 * (strategies at a time, default 2: this machine's cores).
 */
export function strategyArgs(args: Map<string, string | true>): {
  strategies: Strategy[];
  policy: SyncPolicyInput | undefined;
  parallel: number;
} {
  const parallel = numberArg(args, 'parallel', 2);
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error('--parallel needs a whole number ≥ 1');
  const policyArg = args.get('policy');
  if (policyArg === true)
    throw new Error('--policy needs JSON, e.g. --policy \'{"signups":{"nearSweepMs":300000}}\'');
  const policy = policyArg === undefined ? undefined : (JSON.parse(policyArg) as SyncPolicyInput);
  const onlyArg = args.get('only');
  if (onlyArg === true) throw new Error(`--only needs strategies (${STRATEGIES.join(', ')})`);
  const only = onlyArg?.split(',') ?? [...STRATEGIES];
  for (const name of only) {
    if (!(STRATEGIES as readonly string[]).includes(name))
      throw new Error(`--only: unknown strategy ${name} (${STRATEGIES.join(', ')})`);
  }
  return { strategies: STRATEGIES.filter((s) => only.includes(s)), policy, parallel };
}

/** The policy for one strategy's run: overrides apply to the engines that have a policy. */
export function policyFor(
  strategy: Strategy,
  policy: SyncPolicyInput | undefined,
): { policy?: SyncPolicyInput } {
  return policy && (strategy === 'adaptive' || strategy === 'follow') ? { policy } : {};
}

/**
 * `--team-hours 17-21` and `--team-weekdays 0,6` (UTC; ranges and lists): the simulator's opt-in
 * `teamRaceTimes`, for a team that races only then. Undefined when neither is given (any time: the
 * default world, which the targets use).
 */
export function teamRaceTimesArg(args: Map<string, string | true>): TeamRaceTimesOptions | undefined {
  const hoursUtc = listArg(args, 'team-hours', 23);
  const weekdaysUtc = listArg(args, 'team-weekdays', 6);
  if (!hoursUtc && !weekdaysUtc) return undefined;
  return { ...(hoursUtc ? { hoursUtc } : {}), ...(weekdaysUtc ? { weekdaysUtc } : {}) };
}
