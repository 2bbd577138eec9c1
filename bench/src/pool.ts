import { percentile } from '@racesync/verify';
import type { Run } from './child.js';
import type { Strategy } from './run-strategy.js';

/** What pooling reads of one strategy's run (run with `samples: true`). */
export type PoolableRun = Pick<Run, 'calls' | 'signupLag' | 'resultLag' | 'rateLimitViolations'> & {
  samples?: { nearSignupLagMs: number[]; resultLagMs: number[] };
};

/** The runs of one seed, by strategy. */
export interface SeedRuns {
  seed: number;
  runs: ReadonlyMap<Strategy, PoolableRun>;
}

/** A strategy's calls against a reference strategy's: per seed (lowest, highest) and pooled. */
export interface CallRatio {
  /** Calls of every seed ÷ the reference's calls of every seed. */
  pooled: number | null;
  min: number | null;
  max: number | null;
}

/** One strategy over every seed. */
export interface PooledStrategy {
  calls: { total: number; perSeed: number[] };
  vsBaseline: CallRatio | null;
  vsOracle: CallRatio | null;
  /**
   * Near signup lag (changes within 6 h of the start) over the changes of every seed, and each
   * seed's own p95: with 20–30 near changes a seed's p95 is its largest or second-largest lag.
   */
  nearSignupLag: {
    p50Ms: number | null;
    p95Ms: number | null;
    count: number;
    perSeedP95Ms: (number | null)[];
  };
  resultLag: { p95Ms: number | null; count: number; missed: number };
  /** Team signup changes never stored before the start, summed, and per seed. */
  missed: { total: number; perSeed: number[] };
  /**
   * Of those, the ones that left a wrong stored state at the start (a flicker — a signup and its
   * withdrawal both unseen — leaves it right), summed, and per seed.
   */
  wrongAtStart: { total: number; perSeed: number[] };
  rateLimitViolations: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function callRatio(seeds: readonly SeedRuns[], strategy: Strategy, reference: Strategy): CallRatio | null {
  const pairs = seeds.flatMap(({ runs }) => {
    const a = runs.get(strategy);
    const b = runs.get(reference);
    return a && b && b.calls.total > 0 ? [[a.calls.total, b.calls.total] as const] : [];
  });
  if (pairs.length === 0) return null;
  const ratios = pairs.map(([a, b]) => a / b);
  const sum = (i: 0 | 1) => pairs.reduce((s, p) => s + p[i], 0);
  return {
    pooled: round3(sum(0) / sum(1)),
    min: round3(Math.min(...ratios)),
    max: round3(Math.max(...ratios)),
  };
}

/**
 * Pools the runs of several seeds, per strategy: summed calls with per-seed and pooled ratios against
 * the baseline and the oracle, and lag percentiles over the changes of every seed (the runs need
 * `samples`; a strategy missing from a seed is left out of that seed).
 */
export function poolSeeds(seeds: readonly SeedRuns[]): Partial<Record<Strategy, PooledStrategy>> {
  const out: Partial<Record<Strategy, PooledStrategy>> = {};
  const strategies = new Set(seeds.flatMap(({ runs }) => [...runs.keys()]));
  for (const strategy of strategies) {
    const runs = seeds.flatMap(({ runs: r }) => (r.has(strategy) ? [r.get(strategy)!] : []));
    const near: number[] = [];
    const results: number[] = [];
    for (const run of runs) {
      if (!run.samples)
        throw new Error(`poolSeeds: a ${strategy} run has no samples (run it with samples: true)`);
      near.push(...run.samples.nearSignupLagMs);
      results.push(...run.samples.resultLagMs);
    }
    out[strategy] = {
      calls: { total: runs.reduce((s, r) => s + r.calls.total, 0), perSeed: runs.map((r) => r.calls.total) },
      vsBaseline: callRatio(seeds, strategy, 'baseline'),
      vsOracle: callRatio(seeds, strategy, 'oracle'),
      nearSignupLag: {
        p50Ms: percentile(near, 50),
        p95Ms: percentile(near, 95),
        count: near.length,
        perSeedP95Ms: runs.map((r) => r.signupLag.near.p95Ms),
      },
      resultLag: {
        p95Ms: percentile(results, 95),
        count: results.length,
        missed: runs.reduce((s, r) => s + r.resultLag.missed, 0),
      },
      missed: {
        total: runs.reduce((s, r) => s + r.signupLag.missed, 0),
        perSeed: runs.map((r) => r.signupLag.missed),
      },
      wrongAtStart: {
        total: runs.reduce((s, r) => s + r.signupLag.wrongAtStart, 0),
        perSeed: runs.map((r) => r.signupLag.wrongAtStart),
      },
      rateLimitViolations: runs.reduce((s, r) => s + r.rateLimitViolations, 0),
    };
  }
  return out;
}
