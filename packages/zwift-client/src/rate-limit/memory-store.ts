import type { BucketSpec, BucketState, RateLimitStore, TakeResult } from './types.ts';

interface Entry {
  /** Grant timestamps, ascending; live ones are `grants[head..]` (at most `capacity` of them). */
  grants: number[];
  head: number;
  blockedUntil: number;
}

const GRANTED: TakeResult = Object.freeze({ granted: true, waitMs: 0 });

/**
 * In-process {@link RateLimitStore}: per key, the timestamps of the last `capacity` grants plus a
 * 429 block. Operations are synchronous under the hood, hence atomic within one process.
 * Share one instance between clients of the same process to share their budgets.
 */
export function createMemoryRateLimitStore(): RateLimitStore {
  const entries = new Map<string, Entry>();

  const entryFor = (key: string): Entry => {
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { grants: [], head: 0, blockedUntil: Number.NEGATIVE_INFINITY };
      entries.set(key, entry);
    }
    return entry;
  };

  /** Drop grants that left the window at `now`, and any beyond `capacity` (spec may shrink). */
  const prune = (entry: Entry, spec: BucketSpec, now: number): void => {
    const { grants } = entry;
    const cutoff = now - spec.intervalMs;
    let head = entry.head;
    while (head < grants.length && grants[head]! <= cutoff) head++;
    if (grants.length - head > spec.capacity) head = grants.length - spec.capacity;
    if (head > 64 && head * 2 > grants.length) {
      grants.splice(0, head);
      head = 0;
    }
    entry.head = head;
  };

  /** Earliest time ≥ `from` at which a take would be granted (grants pruned at `from`). */
  const earliestAt = (entry: Entry, spec: BucketSpec, from: number): number => {
    const start = Math.max(from, entry.blockedUntil);
    const live = entry.grants.length - entry.head;
    if (live < spec.capacity) return start;
    // The window is full: the oldest live grant frees its slot at grant + intervalMs.
    const idx = entry.head + (live - spec.capacity);
    return Math.max(start, entry.grants[idx]! + spec.intervalMs);
  };

  return {
    async take(key: string, spec: BucketSpec, now: number): Promise<TakeResult> {
      const entry = entryFor(key);
      prune(entry, spec, now);
      const at = earliestAt(entry, spec, now);
      if (at <= now) {
        entry.grants.push(now);
        return GRANTED;
      }
      return { granted: false, waitMs: Math.max(1, Math.ceil(at - now)) };
    },

    async block(key: string, until: number, _spec: BucketSpec): Promise<void> {
      const entry = entryFor(key);
      if (until > entry.blockedUntil) entry.blockedUntil = until;
    },

    async peek(key: string, spec: BucketSpec, now: number): Promise<BucketState> {
      const entry = entryFor(key);
      prune(entry, spec, now);
      const blocked = entry.blockedUntil > now;
      const live = entry.grants.length - entry.head;
      return {
        capacity: spec.capacity,
        intervalMs: spec.intervalMs,
        available: blocked ? 0 : Math.max(0, spec.capacity - live),
        nextAvailableAt: earliestAt(entry, spec, now),
        blockedUntil: blocked ? entry.blockedUntil : null,
      };
    },
  };
}
