import { ConfigError } from '../errors/config-error.ts';

/** A positive safe integer id (rider, club); throws {@link ConfigError} naming the argument. */
export function checkNumericId(value: unknown, name: string, endpoint: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(name, 'must be a positive integer', endpoint);
  }
  return value;
}

/** An event id as text (numbers accepted), URL-encoded by the caller. */
export function checkStringId(value: unknown, name: string, endpoint: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && value.trim().length > 0) return value.trim();
  throw new ConfigError(name, 'must be a non-empty string or a positive integer', endpoint);
}

/** `at` (epoch ms or Date) → epoch seconds for the `/{epochSec}` path suffix; `undefined` when absent. */
export function checkAt(value: unknown, endpoint: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new ConfigError('at', 'must be a Date or epoch milliseconds ≥ 0', endpoint);
  }
  return Math.floor(ms / 1000);
}
