/**
 * Admission by rate limit: the sliding windows of the buckets (per API key on the public API, per
 * account on Zwift's authenticated API, global on the site and Zwift feeds), and the injected 429 bursts that refuse a key for a while.
 */
import type { FaultInjector } from '../faults.ts';
import type { BucketName, BucketSpec, SlidingWindowLimiter, ZwiftAccountBucket } from '../limits.ts';
import type { SimulationStats } from './stats.ts';

/** The rate-limit state of one server. */
export class RateGate {
  /** Injected 429 bursts: limiter key → until (clock ms). */
  private readonly bursts = new Map<string, number>();

  constructor(private readonly limiter: SlidingWindowLimiter) {}

  /**
   * The Retry-After (ms) of a request refused by a burst or over its window (counted in
   * `stats`), or null when it may go on. An admitted request is not recorded until `commit`.
   */
  refuse(
    key: string,
    bucket: BucketName | ZwiftAccountBucket,
    spec: BucketSpec,
    now: number,
    stats: SimulationStats,
  ): number | null {
    const burstUntil = this.bursts.get(key);
    if (burstUntil !== undefined && burstUntil > now) {
      stats.served429++;
      return burstUntil - now;
    }
    const check = this.limiter.check(key, spec, now);
    if (!check.ok) {
      stats.served429++;
      stats.violations.total++;
      stats.violations.byBucket[bucket] = (stats.violations.byBucket[bucket] ?? 0) + 1;
      return check.retryAfterMs;
    }
    return null;
  }

  /** Start an injected burst on `key` (its length drawn from the faults' settings); returns its ms. */
  startBurst(key: string, now: number, faults: FaultInjector): number {
    const [lo, hi] = faults.settings.burstSeconds;
    const seconds = lo + Math.floor(faults.params.next() * (hi - lo + 1));
    this.bursts.set(key, now + seconds * 1000);
    return seconds * 1000;
  }

  /** Record an admitted request in its window. */
  commit(key: string, now: number): void {
    this.limiter.commit(key, now);
  }
}
