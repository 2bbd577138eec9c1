import { createHash } from 'node:crypto';
import { stableJson } from './stable-json.js';

/** Content hash of JSON data, independent of key order (SHA-1 of {@link stableJson}, hex). */
export function hashData(value: unknown): string {
  return createHash('sha1').update(stableJson(value)).digest('hex');
}
