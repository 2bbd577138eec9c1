import type { Json } from '../storage/records.js';
import { stableJson } from './stable-json.js';

const isObject = (value: unknown): value is { [key: string]: Json } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Dotted paths of the fields that differ between two snapshots, down to leaf values; arrays compare
 * as a whole. `diffFields({race:{current:{rating:1}}}, {race:{current:{rating:2}}})` →
 * `['race.current.rating']`. Sorted, no duplicates.
 */
export function diffFields(before: Json | undefined, after: Json | undefined, prefix = ''): string[] {
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    const out: string[] = [];
    for (const key of [...keys].sort()) {
      out.push(...diffFields(before[key], after[key], prefix ? `${prefix}.${key}` : key));
    }
    return out;
  }
  if (before === after) return [];
  if (before !== undefined && after !== undefined && stableJson(before) === stableJson(after)) return [];
  return [prefix || '*'];
}
