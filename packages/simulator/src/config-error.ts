/**
 * An option of the simulator (or of one of its helpers) is invalid; the message names it. A
 * `RangeError`, so `instanceof RangeError` still holds.
 */
export class SimulatorConfigError extends RangeError {
  override readonly name = 'SimulatorConfigError';
  /** Always `'config'`: switch on it as on the other racesync errors. */
  readonly kind = 'config' as const;
}
