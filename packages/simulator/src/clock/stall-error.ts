/** The virtual clock's error for a wait that can never end. */

/** Thrown by `run()` when the awaited promise can never settle (no timers, nothing in flight). */
export class VirtualClockStallError extends Error {
  override readonly name = 'VirtualClockStallError';
  /** Always `'stall'`. */
  readonly kind = 'stall' as const;
}
