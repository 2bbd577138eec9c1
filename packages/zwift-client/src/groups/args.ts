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

/** Most events one `zwift.events.search` may ask for (Zwift's cap). */
export const ZWIFT_SEARCH_MAX_LIMIT = 200;

/** Longest range one `zwift.events.search` may cover (Zwift answers 400 beyond it), ms. */
export const ZWIFT_SEARCH_MAX_RANGE_MS = 7 * 24 * 60 * 60 * 1000;

function checkTime(value: unknown, name: string, endpoint: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new ConfigError(name, 'must be a Date or epoch milliseconds', endpoint);
  }
  return ms;
}

/** `{ from, to, limit? }` of `zwift.events.search`, checked; times as epoch ms. */
export function checkSearchRange(
  value: unknown,
  endpoint: string,
): { from: number; to: number; limit: number } {
  if (typeof value !== 'object' || value === null) {
    throw new ConfigError('range', 'must be { from, to, limit? }', endpoint);
  }
  const range = value as Record<string, unknown>;
  const from = checkTime(range['from'], 'from', endpoint);
  const to = checkTime(range['to'], 'to', endpoint);
  if (to < from) throw new ConfigError('to', 'must not be before from', endpoint);
  if (to - from > ZWIFT_SEARCH_MAX_RANGE_MS) {
    throw new ConfigError('to', 'must be at most 7 days after from (Zwift refuses longer ranges)', endpoint);
  }
  const limit = range['limit'] ?? ZWIFT_SEARCH_MAX_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > ZWIFT_SEARCH_MAX_LIMIT) {
    throw new ConfigError('limit', `must be an integer in 1…${ZWIFT_SEARCH_MAX_LIMIT}`, endpoint);
  }
  return { from, to, limit };
}

/** `{ type }` of `zwift.subgroups.entrants`. */
export function checkEntrantsQuery(value: unknown, endpoint: string): 'following' | 'all' {
  const type = (value as { type?: unknown } | null | undefined)?.type;
  if (type !== 'following' && type !== 'all') {
    throw new ConfigError('type', "must be 'following' or 'all'", endpoint);
  }
  return type;
}
