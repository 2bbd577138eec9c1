/** A clock that runs real time faster (or slower), shared by processes given the same anchor. */
import type { Clock } from '@racesync/zwift-client';
import { SimulatorConfigError } from '../config-error.ts';
import { realSleep } from './real-sleep.ts';
import { DEFAULT_START, toEpochMs } from './start-time.ts';

/** A clock created by {@link createScaledClock}. */
export interface ScaledClock extends Clock {
  readonly kind: 'scaled';
  /** Virtual epoch ms at which the clock started. */
  readonly start: number;
  /** Virtual ms per real ms. */
  readonly speed: number;
  /** Wall-clock epoch ms at which virtual time was `start` (pass it to other processes' clocks). */
  readonly anchor: number;
}

/** Options of {@link createScaledClock}. */
export interface ScaledClockOptions {
  /**
   * Virtual start (epoch ms, ISO string or Date).
   * @default '2026-01-01T00:00:00Z'
   */
  start?: number | string | Date;
  /**
   * Virtual ms per real ms.
   * @default 1
   */
  speed?: number;
  /**
   * Wall-clock epoch ms (`Date.now()` time) at which virtual time is `start`. Processes given the
   * same `start`, `speed` and `anchor` share one virtual time (as closely as their wall clocks agree).
   * @default Date.now() when the clock is created
   */
  anchor?: number;
}

/**
 * Real time × `speed`, starting at the virtual instant `start` (epoch ms or ISO string) at the
 * wall-clock instant `anchor` (default: now). `sleep(ms)` waits `ms / speed` real milliseconds.
 * Used by `racesync-sim serve` and by multi-process tests and demos.
 */
export function createScaledClock(options: ScaledClockOptions = {}): ScaledClock {
  const start = toEpochMs(options.start ?? DEFAULT_START);
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new SimulatorConfigError('speed must be a positive finite number');
  if (options.anchor !== undefined && !Number.isFinite(options.anchor)) {
    throw new SimulatorConfigError('anchor must be a finite epoch ms');
  }
  // The monotonic clock, offset so that performance.timeOrigin + t0 is the anchor's wall time.
  const t0 = options.anchor === undefined ? performance.now() : options.anchor - performance.timeOrigin;
  return {
    kind: 'scaled',
    start,
    speed,
    anchor: performance.timeOrigin + t0,
    now: () => Math.floor(start + (performance.now() - t0) * speed),
    sleep: (ms, signal) => realSleep(ms / speed, signal),
  };
}
