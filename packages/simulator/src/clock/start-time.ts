import { SimulatorConfigError } from '../config-error.ts';
/** Virtual start times: the default start of every simulation and the parsing of a given one. */

/** 2026-01-01T00:00:00Z: the default virtual start of every simulation. */
export const DEFAULT_START = Date.UTC(2026, 0, 1, 0, 0, 0);

/** Epoch ms of a time given as epoch ms, an ISO string or a Date; a RangeError names a bad one. */
export function toEpochMs(value: number | string | Date): number {
  if (typeof value === 'number') return value;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new SimulatorConfigError(`invalid time: ${String(value)}`);
  return ms;
}
