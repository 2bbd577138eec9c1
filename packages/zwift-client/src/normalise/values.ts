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

/** A required number (schema already checked it); throws on a bug. */
export function requireNumber(value: unknown): number {
  const n = toNumber(value);
  if (n === null) throw new TypeError('expected a number');
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

/** Epoch seconds → epoch ms (`null` stays `null`). */
export function secondsToMs(value: unknown): number | null {
  const n = toNumber(value);
  return n === null ? null : Math.round(n * 1000);
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
