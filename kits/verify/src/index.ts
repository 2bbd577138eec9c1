/**
 * `@racesync/verify` — the measuring kit (private workspace package): how storage compares with
 * the simulator's ground truth (`compareWithTruth`), and lag metrics — truth change → stored — from
 * a storage that time-stamps every write that changes team data (`recordingStorage`).
 */
export type { LagStats, ResultLag, SignupLag } from './lag-metrics.js';
export {
  missedChanges,
  nearDetail,
  resultLag,
  resultLagSamples,
  riderLag,
  signupLag,
  signupLagSamples,
} from './lag-metrics.js';
export { percentile } from './percentile.js';
export type { Recording } from './recording-storage.js';
export { recordingStorage } from './recording-storage.js';
export { seeded } from './seeded.js';
export type { TruthCompareOptions, TruthComparison } from './truth-compare.js';
export { compareWithTruth } from './truth-compare.js';
