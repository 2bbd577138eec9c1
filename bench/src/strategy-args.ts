import type { TeamRaceTimesOptions, TeamSignupLeadOptions } from '@racesync/simulator';
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

/**
 * `--team-late-minutes 60` (whole minutes within [6, 2879]) and `--team-late-share 0.5` (within
 * [0, 1]): the simulator's opt-in `teamSignupLead`, for a team whose riders sign up that share of
 * the time within that many minutes of the start. Undefined when neither is given (half within 6 h:
 * the default world, which the targets use).
 */
export function teamSignupLeadArg(args: Map<string, string | true>): TeamSignupLeadOptions | undefined {
  const minutes = args.has('team-late-minutes') ? numberArg(args, 'team-late-minutes', 0) : undefined;
  const lateShare = args.has('team-late-share') ? numberArg(args, 'team-late-share', 0) : undefined;
  if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 6 || minutes > 2879))
    throw new Error(`--team-late-minutes: ${minutes} is not a whole number within [6, 2879]`);
  if (lateShare !== undefined && (lateShare < 0 || lateShare > 1))
    throw new Error(`--team-late-share: ${lateShare} is not a number within [0, 1]`);
  if (minutes === undefined && lateShare === undefined) return undefined;
  return {
    ...(lateShare !== undefined ? { lateShare } : {}),
    ...(minutes !== undefined ? { lateWindowMs: minutes * 60_000 } : {}),
  };
}
