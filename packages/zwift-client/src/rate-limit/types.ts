/** A sliding-window limit: at most `capacity` requests in any `intervalMs` window. */
export interface BucketSpec {
  capacity: number;
  intervalMs: number;
}

/** Answer of {@link RateLimitStore.take}. */
export interface TakeResult {
  granted: boolean;
  /** When not granted: ms from `now` until a token can be taken (≥ 1). 0 when granted. */
  waitMs: number;
}

/** Read-only view of one bucket. */
export interface BucketState {
  capacity: number;
  intervalMs: number;
  /** Tokens that could be taken at `now`. */
  available: number;
  /** Epoch ms at which the next token becomes available (= now when available > 0). */
  nextAvailableAt: number;
  /** Epoch ms until which the bucket is blocked by a 429, if any. */
  blockedUntil: number | null;
}

/**
 * Where bucket state lives. Implement it over shared storage (e.g. Postgres) so several processes
 * using one API key share one budget. Semantics: sliding window over the grant timestamps —
 * a grant at `t` occupies the window until `t + intervalMs` (exclusive); a take at `now` is granted
 * when fewer than `capacity` grants lie in `(now - intervalMs, now]` and the key is not blocked
 * (`blockedUntil > now`).
 */
export interface RateLimitStore {
  /** Atomically take one token from `key` at `now`, or say how long to wait. */
  take(key: string, spec: BucketSpec, now: number): Promise<TakeResult>;
  /** Block `key` until `until` (epoch ms), e.g. after a 429 with Retry-After. Never shortens a block. */
  block(key: string, until: number, spec: BucketSpec): Promise<void>;
  /** Read the state without taking. */
  peek(key: string, spec: BucketSpec, now: number): Promise<BucketState>;
}
