/** Rate limits: the bucket table of docs/contracts.md, enforced as sliding windows. */

export type BucketName = 'riders' | 'riders-bulk' | 'clubs' | 'results' | 'results-zp' | 'site' | 'zwift';
export type Tier = 'standard' | 'premium';
/** Buckets of Zwift's authenticated API, per Zwift account (the same for every tier). */
export type ZwiftAccountBucket = 'zwift-auth' | 'zwift-search' | 'zwift-entrants';

export interface BucketSpec {
  capacity: number;
  intervalMs: number;
}

const MIN = 60_000;

/** Per tier: at most `capacity` requests in any `intervalMs` window. */
export const BUCKETS: Readonly<Record<Tier, Readonly<Record<BucketName, BucketSpec>>>> = {
  standard: {
    riders: { capacity: 5, intervalMs: MIN },
    'riders-bulk': { capacity: 1, intervalMs: 15 * MIN },
    clubs: { capacity: 1, intervalMs: 60 * MIN },
    results: { capacity: 1, intervalMs: MIN },
    'results-zp': { capacity: 1, intervalMs: MIN },
    site: { capacity: 10, intervalMs: MIN },
    zwift: { capacity: 5, intervalMs: MIN },
  },
  premium: {
    riders: { capacity: 10, intervalMs: MIN },
    'riders-bulk': { capacity: 10, intervalMs: 15 * MIN },
    clubs: { capacity: 10, intervalMs: 60 * MIN },
    results: { capacity: 1, intervalMs: MIN },
    'results-zp': { capacity: 1, intervalMs: MIN },
    site: { capacity: 10, intervalMs: MIN },
    zwift: { capacity: 5, intervalMs: MIN },
  },
};

/**
 * Per Zwift account (docs/contracts.md, "Zwift's authenticated API"): the token endpoint (password
 * and refresh grants), the event search, and each page of subgroup entrants. Kept apart from
 * `BUCKETS`, whose names are the public, site and Zwift-feed buckets every client knows.
 */
export const ZWIFT_ACCOUNT_BUCKETS: Readonly<Record<ZwiftAccountBucket, BucketSpec>> = {
  'zwift-auth': { capacity: 3, intervalMs: 60 * MIN },
  'zwift-search': { capacity: 2, intervalMs: MIN },
  'zwift-entrants': { capacity: 10, intervalMs: MIN },
};

/** A deque of accepted request times per key. */
class Window {
  times: number[] = [];
  head = 0;

  prune(now: number, intervalMs: number): void {
    // A request at t0 stops counting at exactly t0 + intervalMs (the window edge passes).
    while (this.head < this.times.length && (this.times[this.head] as number) + intervalMs <= now)
      this.head++;
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.times.length - this.head;
  }

  oldest(): number {
    return this.times[this.head] as number;
  }
}

export type LimitCheck = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * "At most `capacity` requests in any `intervalMs` window", per key. Only accepted requests
 * are recorded (`commit`): rejected ones do not consume the window.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, Window>();

  check(key: string, spec: BucketSpec, now: number): LimitCheck {
    const w = this.windows.get(key);
    if (!w) return spec.capacity > 0 ? { ok: true } : { ok: false, retryAfterMs: spec.intervalMs };
    w.prune(now, spec.intervalMs);
    if (w.size < spec.capacity) return { ok: true };
    // The (size - capacity + 1)-th oldest request must leave the window.
    const idx = w.head + (w.size - spec.capacity);
    return { ok: false, retryAfterMs: Math.max(1, (w.times[idx] as number) + spec.intervalMs - now) };
  }

  commit(key: string, now: number): void {
    let w = this.windows.get(key);
    if (!w) {
      w = new Window();
      this.windows.set(key, w);
    }
    w.times.push(now);
  }

  /** Requests counted in the window ending at `now`. */
  used(key: string, spec: BucketSpec, now: number): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    w.prune(now, spec.intervalMs);
    return w.size;
  }
}
