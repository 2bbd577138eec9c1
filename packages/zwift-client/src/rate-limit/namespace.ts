import { createHash } from 'node:crypto';
import { type BucketName, KEYED_BUCKETS } from './table.ts';

/** First 12 hex digits of SHA-256(apiKey): identifies the key in store keys without revealing it. */
export function keyNamespace(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12);
}

/**
 * Store key of a bucket: `"<sha256(apiKey) 12 hex>:<bucket>"` for keyed buckets,
 * `"site:site"` / `"zwift:zwift"` for keyless ones. `namespace` is `null` when there is no key.
 */
export function storeKey(bucket: BucketName, namespace: string | null): string | null {
  if (!KEYED_BUCKETS.has(bucket)) return `${bucket}:${bucket}`;
  return namespace === null ? null : `${namespace}:${bucket}`;
}
