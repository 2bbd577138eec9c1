/** Retry policy (resolved, every field set). */
export interface RetryPolicy {
  limit: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

/**
 * Capped exponential back-off with full jitter: a uniform draw in
 * `[0, min(cap, base · 2^retry))`, where `retry` counts from 0.
 */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** retry);
  const r = policy.random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  return Math.floor(unit * ceiling);
}

/** HTTP statuses worth retrying with back-off (5xx plus request timeout / too early). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425;
}
