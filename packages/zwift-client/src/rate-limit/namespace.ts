import { createHash } from 'node:crypto';
import { type BucketName, KEYED_BUCKETS, ZWIFT_ACCOUNT_BUCKETS } from './table.ts';

/** First 12 hex digits of SHA-256(apiKey): identifies the key in store keys without revealing it. */
export function keyNamespace(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 12);
}

/**
 * Namespace of a Zwift account's buckets: the first 12 hex digits of SHA-256 of its username (or
 * of the `account` given with a token provider), trimmed and lower-cased first — Zwift usernames
 * are e-mail addresses, so `Captain@Team.test` and `captain@team.test` share one budget. Never
 * the username itself.
 */
export function zwiftAccountNamespace(account: string): string {
  return keyNamespace(account.trim().toLowerCase());
}

/**
 * Namespace of the Zwift-account buckets of a client whose token provider names no `account`:
 * every such client sharing a store shares one budget (safe: never over a limit, whichever
 * account the tokens belong to).
 */
export const ZWIFT_TOKEN_NAMESPACE = 'zwift-token';

/**
 * Store key of a bucket: `"<sha256(apiKey) 12 hex>:<bucket>"` for keyed buckets,
 * `"<zwiftAccount>:<bucket>"` for the Zwift-account buckets (`zwift-auth`, `zwift-search`,
 * `zwift-entrants`; see {@link zwiftAccountNamespace}), `"site:site"` / `"zwift:zwift"` for keyless
 * ones. `namespace` is `null` when there is no key, `zwiftAccount` `null` without `zwiftAuth`:
 * then the bucket has no key (`null`).
 */
export function storeKey(
  bucket: BucketName,
  namespace: string | null,
  zwiftAccount: string | null = null,
): string | null {
  if (ZWIFT_ACCOUNT_BUCKETS.has(bucket)) return zwiftAccount === null ? null : `${zwiftAccount}:${bucket}`;
  if (!KEYED_BUCKETS.has(bucket)) return `${bucket}:${bucket}`;
  return namespace === null ? null : `${namespace}:${bucket}`;
}
