/**
 * Value coercions shared by the normalisers. None of them uses `||`: 0 is a value.
 */

/**
 * A number from a number, a numeric string, or an array whose first element is one
 * (`[value, flag]`); `null` for absent, empty or non-finite values.
 */
export function toNumber(value: unknown): number | null {
  if (Array.isArray(value)) return value.length === 0 ? null : toNumber(value[0]);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return null;
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A short, printable picture of a bad value for an error message (at most 40 characters). */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * A required number (the schemas check it before the normalisers run, so this throws only when a
 * normaliser is called directly with a record that does not fit its raw type): a `TypeError` naming
 * the field and the value.
 */
export function requireNumber(value: unknown, field: string): number {
  const n = toNumber(value);
  if (n === null) throw new TypeError(`${field}: expected a number (got ${shown(value)})`);
  return n;
}

/** Text or `null` (numbers become text, empty strings stay strings). */
export function toText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** An id kept as text (event and route ids: never parsed, some exceed 2^31). */
export function toId(value: string | number): string {
  return typeof value === 'number' ? String(value) : value.trim();
}

/** Latest epoch ms a `Date` can hold (±275 760 years); PostgreSQL's timestamptz holds it too. */
export const MAX_TIME_MS = 8.64e15;

/** Epoch seconds → epoch ms (`null` stays `null`; times a `Date` cannot hold become `null`). */
export function secondsToMs(value: unknown): number | null {
  const n = toNumber(value);
  if (n === null) return null;
  const ms = Math.round(n * 1000);
  return Math.abs(ms) <= MAX_TIME_MS ? ms : null;
}

/** Largest count (lap count, position, race counter): a 32-bit integer, as SQL `integer` stores it. */
export const MAX_COUNT = 2_147_483_647;

/**
 * A whole number in `0 … MAX_COUNT` (lap counts, positions, race counters), from a number, a
 * numeric string or a `[value, …]` array; `null` when absent. Anything else (a fraction, a negative
 * or huge number, `1e999`) throws a `TypeError` naming `field`, so the record is skipped and
 * reported instead of reaching storage.
 */
export function toCount(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (Array.isArray(value) && (value.length === 0 || value[0] === null || value[0] === '')) return null;
  const n = toNumber(value);
  if (n === null || !Number.isInteger(n) || n < 0 || n > MAX_COUNT) {
    throw new TypeError(`${field}: expected a whole number within 0…${MAX_COUNT} (got ${shown(value)})`);
  }
  return n;
}

/** Kilometres → metres, rounded to the millimetre. */
export function kmToMeters(value: unknown): number | null {
  const n = toNumber(value);
  return n === null ? null : Math.round(n * 1_000_000) / 1000;
}

/** A flag from boolean, 0/1, "true"/"false"; `null` when absent or unreadable. */
export function toFlag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  return null;
}

/** Numbers of a record (`power`, `scores`), dropping absent values. */
export function numberRecord(record: Record<string, unknown> | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (record === null || record === undefined) return out;
  for (const key of Object.keys(record)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const n = toNumber(record[key]);
    if (n !== null) out[key] = n;
  }
  return out;
}

/**
 * Parses Zwift's timestamps (`2025-06-01T22:30:00.000+0000`, also `Z` or `+00:00`) to epoch ms;
 * `null` when unreadable.
 */
export function parseZwiftTime(value: string | null | undefined): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (m === null) return null;
  const zone = m[2] === undefined || m[2] === 'Z' ? 'Z' : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  const ms = Date.parse(`${m[1]}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}
