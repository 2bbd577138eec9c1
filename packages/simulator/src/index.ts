/**
 * @racesync/simulator — a seeded, deterministic fake of the upstream Zwift racing APIs served
 * over real HTTP on loopback, with ground truth, on a virtual clock.
 *
 * @packageDocumentation
 */

/** The clock contract of every racesync package (declared once, in `@racesync/zwift-client`). */
export type { Clock } from '@racesync/zwift-client';
export { createScaledClock, type ScaledClock, type ScaledClockOptions } from './clock/scaled-clock.ts';
export { VirtualClockStallError } from './clock/stall-error.ts';
export { DEFAULT_START } from './clock/start-time.ts';
export { systemClock } from './clock/system-clock.ts';
export {
  createVirtualClock,
  isVirtualClock,
  type VirtualClock,
  type VirtualClockOptions,
} from './clock/virtual-clock.ts';
export { SimulatorConfigError } from './config-error.ts';
export { FAULT_KINDS, type FaultKind, type FaultOptions } from './faults.ts';
export {
  BUCKETS,
  type BucketName,
  type BucketSpec,
  type Tier,
  ZWIFT_ACCOUNT_BUCKETS,
  type ZwiftAccountBucket,
} from './limits.ts';
export { WORLD_MODEL } from './model.ts';
export type {
  FollowOptions,
  ResolvedOptions,
  ResolvedTeam,
  SimulationOptions,
  TeamRaceTimesOptions,
  TeamSignupLeadOptions,
  ZwiftAuthOptions,
} from './options.ts';
export type { EndpointName } from './server/routes.ts';
export type { SimulationStats } from './server/stats.ts';
export {
  createSimulation,
  type ExpireTokensOptions,
  type ListenOptions,
  type ListenResult,
  type SimTeam,
  type Simulation,
  type TeamSelector,
} from './simulation.ts';
export type {
  RawResultRow,
  RiderChange,
  TeamRace,
  TeamSignupChange,
  TeamSignupNow,
  TeamTruth,
  Truth,
  TruthEvent,
  TruthResults,
  TruthSignup,
} from './truth.ts';
export type { FollowSettings } from './world/follows.ts';
export type { TeamRaceTimes, TeamSignupLead } from './world/team.ts';
export { type TeamSizesOptions, type TeamSpec, teamSizes } from './world/teams.ts';
export type { ZwiftAuthSettings } from './zwift-auth/accounts.ts';
export type { ZwiftCredentials } from './zwift-auth/credentials.ts';
