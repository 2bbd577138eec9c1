import { SyncConfigError } from '../errors/config-error.js';
import { DEFAULT_POLICY, type SyncPolicy, type SyncPolicyInput } from './sync-policy.js';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Merges a partial policy over the defaults and validates every field: a wrong value throws a
 * `SyncConfigError` naming it (e.g. `policy.signups.nearSweepMs`). Unknown keys are errors too, so a
 * typo never silently keeps the default.
 */
export function resolvePolicy(input: SyncPolicyInput = {}): SyncPolicy {
  if (!isPlainObject(input)) throw new SyncConfigError('policy', 'must be an object');
  const merged = structuredClone(DEFAULT_POLICY) as unknown as Record<string, unknown>;
  for (const [section, value] of Object.entries(input)) {
    const path = `policy.${section}`;
    if (!(section in merged)) throw new SyncConfigError(path, 'is not a policy option');
    if (value === undefined) continue;
    const current = merged[section];
    if (isPlainObject(current)) {
      if (!isPlainObject(value)) throw new SyncConfigError(path, 'must be an object');
      for (const [key, member] of Object.entries(value)) {
        if (!(key in current)) throw new SyncConfigError(`${path}.${key}`, 'is not a policy option');
        if (member !== undefined) current[key] = structuredClone(member);
      }
    } else {
      merged[section] = value;
    }
  }
  const policy = merged as unknown as SyncPolicy;
  validate(policy);
  return policy;
}

function positive(path: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0) || Number.isNaN(value)) {
    throw new SyncConfigError(path, `must be a positive number of milliseconds (got ${String(value)})`);
  }
}

function validate(p: SyncPolicy): void {
  positive('policy.team.clubIntervalMs', p.team.clubIntervalMs);
  positive('policy.riders.intervalMs', p.riders.intervalMs);
  if (typeof p.riders.afterResultsDelayMs !== 'number' || p.riders.afterResultsDelayMs < 0) {
    throw new SyncConfigError('policy.riders.afterResultsDelayMs', 'must be a number ≥ 0');
  }
  if (!Array.isArray(p.riders.volatilePaths) || p.riders.volatilePaths.some((x) => typeof x !== 'string')) {
    throw new SyncConfigError('policy.riders.volatilePaths', 'must be an array of dotted paths');
  }
  positive('policy.events.listIntervalMs', p.events.listIntervalMs);
  positive('policy.events.minRunGapMs', p.events.minRunGapMs);
  const ttl = p.signups.ttl;
  if (!Array.isArray(ttl) || ttl.length === 0) {
    throw new SyncConfigError(
      'policy.signups.ttl',
      'must be a non-empty array of { maxTimeToStartMs, ttlMs }',
    );
  }
  ttl.forEach((band, i) => {
    positive(`policy.signups.ttl[${i}].maxTimeToStartMs`, band?.maxTimeToStartMs);
    positive(`policy.signups.ttl[${i}].ttlMs`, band?.ttlMs);
    if (i > 0 && band.maxTimeToStartMs <= ttl[i - 1]!.maxTimeToStartMs) {
      throw new SyncConfigError(
        `policy.signups.ttl[${i}].maxTimeToStartMs`,
        'bands must be in increasing order',
      );
    }
  });
  if (ttl[ttl.length - 1]!.maxTimeToStartMs !== Number.POSITIVE_INFINITY) {
    throw new SyncConfigError('policy.signups.ttl', 'the last band must have maxTimeToStartMs: Infinity');
  }
  for (const key of [
    'farFavouriteMinIntervalMs',
    'nearSweepMs',
    'nearFavouriteSweepMs',
    'nearWindowMs',
    'farChangedMinIntervalMs',
    'farFirstLeadMs',
    'horizonMs',
    'finalSweepLeadMs',
  ] as const) {
    positive(`policy.signups.${key}`, p.signups[key]);
  }
  if (!(p.signups.unchangedCountsFactor >= 1)) {
    throw new SyncConfigError('policy.signups.unchangedCountsFactor', 'must be a number ≥ 1');
  }
  if (!(p.signups.siteBudgetShare > 0 && p.signups.siteBudgetShare <= 1)) {
    throw new SyncConfigError('policy.signups.siteBudgetShare', 'must be in (0, 1]');
  }
  if (!(p.signups.farBudgetShare > 0 && p.signups.farBudgetShare <= 1)) {
    throw new SyncConfigError('policy.signups.farBudgetShare', 'must be in (0, 1]');
  }
  if (!Number.isInteger(p.signups.cacheSize) || p.signups.cacheSize < 1) {
    throw new SyncConfigError('policy.signups.cacheSize', 'must be a positive integer');
  }
  if (!(p.signups.seriesMinSignups > 0)) {
    throw new SyncConfigError('policy.signups.seriesMinSignups', 'must be a positive number');
  }
  if (!(p.signups.seriesMinShare >= 0 && p.signups.seriesMinShare <= 1)) {
    throw new SyncConfigError('policy.signups.seriesMinShare', 'must be in [0, 1]');
  }
  positive('policy.signups.seriesHalfLifeMs', p.signups.seriesHalfLifeMs);
  if (typeof p.signups.learnStartTimes !== 'boolean') {
    throw new SyncConfigError('policy.signups.learnStartTimes', 'must be true or false');
  }
  if (typeof p.signups.learnSignupLeads !== 'boolean') {
    throw new SyncConfigError('policy.signups.learnSignupLeads', 'must be true or false');
  }
  for (const key of [
    'nearPollMs',
    'nearWindowMs',
    'farPollMs',
    'listIntervalMs',
    'staleAfterMs',
    'retryAfterMs',
    'retryMaxMs',
  ] as const) {
    positive(`policy.followerFeed.${key}`, p.followerFeed[key]);
  }
  if (p.followerFeed.retryMaxMs < p.followerFeed.retryAfterMs) {
    throw new SyncConfigError('policy.followerFeed.retryMaxMs', 'must be ≥ policy.followerFeed.retryAfterMs');
  }
  if (!p.results.penSpeedKmh || typeof p.results.penSpeedKmh !== 'object') {
    throw new SyncConfigError('policy.results.penSpeedKmh', 'must be an object of pen → km/h');
  }
  for (const [pen, kmh] of Object.entries(p.results.penSpeedKmh)) {
    if (!(typeof kmh === 'number' && kmh > 0)) {
      throw new SyncConfigError(`policy.results.penSpeedKmh.${pen}`, 'must be a positive number of km/h');
    }
  }
  if (!(p.results.otherPenSpeedKmh > 0)) {
    throw new SyncConfigError('policy.results.otherPenSpeedKmh', 'must be a positive number of km/h');
  }
  positive('policy.results.defaultDurationMs', p.results.defaultDurationMs);
  positive('policy.results.giveUpAfterMs', p.results.giveUpAfterMs);
  positive('policy.results.correctionDelayMs', p.results.correctionDelayMs);
  positive('policy.results.routesIntervalMs', p.results.routesIntervalMs);
  if (typeof p.results.graceMs !== 'number' || p.results.graceMs < 0) {
    throw new SyncConfigError('policy.results.graceMs', 'must be a number ≥ 0');
  }
  if (!(p.results.delayQuantile >= 0 && p.results.delayQuantile <= 1)) {
    throw new SyncConfigError('policy.results.delayQuantile', 'must be a number from 0 to 1');
  }
  if (!(Number.isInteger(p.results.delayMinSamples) && p.results.delayMinSamples >= 1)) {
    throw new SyncConfigError('policy.results.delayMinSamples', 'must be a whole number ≥ 1');
  }
  const schedule = p.results.retryScheduleMs;
  if (!Array.isArray(schedule) || schedule.length === 0) {
    throw new SyncConfigError('policy.results.retryScheduleMs', 'must be a non-empty array of waits');
  }
  schedule.forEach((ms, i) => {
    positive(`policy.results.retryScheduleMs[${i}]`, ms);
  });
  positive('policy.failureBackoffMs', p.failureBackoffMs);
  positive('policy.leaseTtlMs', p.leaseTtlMs);
}

/** The TTL of the band an event falls in. */
export function ttlFor(policy: SyncPolicy, timeToStartMs: number): number {
  for (const band of policy.signups.ttl) {
    if (timeToStartMs <= band.maxTimeToStartMs) return band.ttlMs;
  }
  return policy.signups.ttl[policy.signups.ttl.length - 1]!.ttlMs;
}
