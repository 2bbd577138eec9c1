import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolvePolicy, SyncConfigError, ttlFor } from '../src/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('policy', () => {
  it('uses the design defaults for the signup TTL table', () => {
    const p = resolvePolicy();
    expect(ttlFor(p, 30 * MIN)).toBe(5 * MIN);
    expect(ttlFor(p, 3 * HOUR)).toBe(5 * MIN);
    expect(ttlFor(p, 8 * HOUR)).toBe(15 * MIN);
    expect(ttlFor(p, 20 * HOUR)).toBe(30 * MIN);
    expect(ttlFor(p, 40 * HOUR)).toBe(60 * MIN);
  });

  it('merges partial overrides at any depth without touching the defaults', () => {
    const p = resolvePolicy({ signups: { nearSweepMs: 3 * MIN }, failureBackoffMs: 5000 });
    expect(p.signups.nearSweepMs).toBe(3 * MIN);
    expect(p.signups.finalSweepLeadMs).toBe(DEFAULT_POLICY.signups.finalSweepLeadMs);
    expect(p.failureBackoffMs).toBe(5000);
    expect(DEFAULT_POLICY.signups.nearSweepMs).toBe(6 * MIN);
  });

  it('names the option at fault', () => {
    const cases: [unknown, string][] = [
      [{ signups: { nearSweepMs: -1 } }, 'policy.signups.nearSweepMs'],
      [{ signups: { nearSweepMS: 1 } }, 'policy.signups.nearSweepMS'],
      [{ ridres: {} }, 'policy.ridres'],
      [{ signups: { ttl: [{ maxTimeToStartMs: HOUR, ttlMs: MIN }] } }, 'policy.signups.ttl'],
      [{ results: { retryScheduleMs: [MIN, 0] } }, 'policy.results.retryScheduleMs[1]'],
      [{ signups: { siteBudgetShare: 2 } }, 'policy.signups.siteBudgetShare'],
      [{ signups: { learnStartTimes: 'yes' } }, 'policy.signups.learnStartTimes'],
      [{ signups: { learnSignupLeads: 1 } }, 'policy.signups.learnSignupLeads'],
      [{ results: { delayQuantile: 1.5 } }, 'policy.results.delayQuantile'],
      [{ results: { routesIntervalMs: 0 } }, 'policy.results.routesIntervalMs'],
      [{ results: { delayMinSamples: 0.5 } }, 'policy.results.delayMinSamples'],
    ];
    for (const [input, option] of cases) {
      let error: unknown;
      try {
        resolvePolicy(input as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SyncConfigError);
      expect((error as SyncConfigError).option).toBe(option);
      expect((error as SyncConfigError).kind).toBe('config');
      expect((error as Error).message).toContain(option);
    }
  });
});
