import { describe, expect, it } from 'vitest';
import { type PoolableRun, poolSeeds } from '../src/pool.js';
import type { Strategy } from '../src/run-strategy.js';

const MIN = 60_000;

function run(
  calls: number,
  near: number[],
  extra: { missed?: number; wrong?: number; violations?: number } = {},
): PoolableRun {
  const sorted = [...near].sort((a, b) => a - b);
  return {
    calls: { total: calls, byEndpoint: {}, peakPerMinute: {} },
    signupLag: {
      near: { p50Ms: null, p95Ms: sorted.at(-1) ?? null, count: near.length },
      all: { p50Ms: null, p95Ms: null, count: near.length },
      missed: extra.missed ?? 0,
      wrongAtStart: extra.wrong ?? 0,
    },
    resultLag: { p50Ms: null, p95Ms: null, count: 1, missed: 0 },
    rateLimitViolations: extra.violations ?? 0,
    samples: { nearSignupLagMs: near, resultLagMs: [MIN] },
  };
}

const seed = (n: number, runs: [Strategy, PoolableRun][]) => ({ seed: n, runs: new Map(runs) });

describe('poolSeeds', () => {
  it('takes lag percentiles over the changes of every seed, not the mean of per-seed percentiles', () => {
    // Seed 1: 19 quick changes and one slow one (its own p95 is the slow one); seed 2: 20 quick ones.
    const quick = Array.from({ length: 19 }, (_, i) => (i + 1) * 10_000);
    const pooled = poolSeeds([
      seed(1, [['adaptive', run(100, [...quick, 9 * MIN])]]),
      seed(2, [['adaptive', run(100, [...quick, 200_000])]]),
    ]).adaptive!;
    expect(pooled.nearSignupLag.count).toBe(40);
    expect(pooled.nearSignupLag.perSeedP95Ms).toEqual([9 * MIN, 200_000]);
    // Nearest rank 38 of 40: the slow change is one of two above it.
    expect(pooled.nearSignupLag.p95Ms).toBe(190_000);
    expect(pooled.nearSignupLag.p50Ms).toBe(100_000);
  });

  it('gives each seed’s and the pooled call ratio against the baseline and the oracle, and sums the misses', () => {
    const pooled = poolSeeds([
      seed(1, [
        ['baseline', run(1000, [])],
        ['adaptive', run(400, [], { missed: 1, wrong: 1 })],
        ['oracle', run(10, [])],
      ]),
      seed(2, [
        ['baseline', run(3000, [])],
        ['adaptive', run(1800, [], { missed: 2, violations: 1 })],
        ['oracle', run(30, [])],
      ]),
    ]);
    const adaptive = pooled.adaptive!;
    expect(adaptive.calls).toEqual({ total: 2200, perSeed: [400, 1800] });
    expect(adaptive.vsBaseline).toEqual({ pooled: 0.55, min: 0.4, max: 0.6 });
    expect(adaptive.vsOracle).toEqual({ pooled: 55, min: 40, max: 60 });
    expect(adaptive.missed).toEqual({ total: 3, perSeed: [1, 2] });
    expect(adaptive.wrongAtStart).toEqual({ total: 1, perSeed: [1, 0] });
    expect(adaptive.rateLimitViolations).toBe(1);
    expect(pooled.baseline!.vsBaseline).toEqual({ pooled: 1, min: 1, max: 1 });
  });

  it('leaves out ratios against a strategy that did not run, and refuses runs without samples', () => {
    const pooled = poolSeeds([seed(1, [['adaptive', run(400, [MIN])]])]);
    expect(pooled.adaptive!.vsBaseline).toBeNull();
    const { samples: _samples, ...bare } = run(400, [MIN]);
    expect(() => poolSeeds([seed(1, [['adaptive', bare]])])).toThrow(/no samples/);
  });
});
