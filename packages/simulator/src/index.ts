/**
 * @racesync/simulator — a seeded, deterministic fake of the upstream Zwift racing APIs served
 * over real HTTP on loopback, with ground truth, on a virtual clock.
 *
 * @packageDocumentation
 */

export {
  type Clock,
  createScaledClock,
  createVirtualClock,
  DEFAULT_START,
  isVirtualClock,
  type ScaledClock,
  type ScaledClockOptions,
  systemClock,
  type VirtualClock,
  type VirtualClockOptions,
  VirtualClockStallError,
} from './clock.ts';
export { FAULT_KINDS, type FaultKind, type FaultOptions } from './faults.ts';
export { BUCKETS, type BucketName, type BucketSpec, type Tier } from './limits.ts';
export { WORLD_MODEL } from './model.ts';
export type { EndpointName, SimulationStats } from './server.ts';
export {
  createSimulation,
  type ListenOptions,
  type ListenResult,
  type ResolvedOptions,
  type Simulation,
  type SimulationOptions,
} from './simulation.ts';
export type {
  RawResultRow,
  RiderChange,
  TeamRace,
  TeamSignupChange,
  Truth,
  TruthEvent,
  TruthResults,
  TruthSignup,
} from './truth.ts';
