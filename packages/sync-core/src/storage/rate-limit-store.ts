/**
 * The rate-limit store contract shared with `@racesync/zwift-client` (declared here structurally so
 * sync-core never depends on the client). Limits are sliding windows: at most `capacity` requests in
 * any `intervalMs` window.
 */
export interface BucketSpec {
  capacity: number;
  intervalMs: number;
}

/** Result of {@link RateLimitStore.take}. */
export interface TakeResult {
  granted: boolean;
  /** When not granted: ms from `now` until a token can be taken (≥ 1). 0 when granted. */
  waitMs: number;
}

/** State of one bucket. */
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

/** Atomic token buckets; a shared implementation lets several processes share one API key's budget. */
export interface RateLimitStore {
  take(key: string, spec: BucketSpec, now: number): Promise<TakeResult>;
  block(key: string, until: number, spec: BucketSpec): Promise<void>;
  peek(key: string, spec: BucketSpec, now: number): Promise<BucketState>;
}
