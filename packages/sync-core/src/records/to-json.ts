import type { Json } from '../storage/records.js';

/**
 * A plain JSON copy of a source object: `undefined` and functions dropped, non-finite numbers become
 * `null`, Maps become objects. Prototype-polluting keys are dropped.
 */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(value)) return value.map(toJson);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const out: { [key: string]: Json } = {};
  for (const [key, member] of entries) {
    const name = String(key);
    if (member === undefined || typeof member === 'function') continue;
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    out[name] = toJson(member);
  }
  return out;
}
