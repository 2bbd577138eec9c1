/** A held lease. `token` is a fencing token: it grows every time the lease changes hands. */
export interface Lease {
  name: string;
  holder: string;
  token: number;
  expiresAt: number;
}

/**
 * Leases with expiry and fencing, so several instances sharing one storage never run the same job
 * at the same time. A holder that lost its lease (expired, taken over) gets `null` from `renew` and
 * its fenced writes are refused.
 */
export interface LeaseManager {
  /** Take `name` for `holder` until `now + ttlMs`, unless another holder has an unexpired lease. */
  acquire(name: string, holder: string, ttlMs: number, now: number): Promise<Lease | null>;
  /** Extend a lease still held (same holder and token); `null` when it was lost. */
  renew(lease: Lease, ttlMs: number, now: number): Promise<Lease | null>;
  /** Give a lease up early (no-op when it was lost). */
  release(lease: Lease): Promise<void>;
}
