import type { AccessTokens } from './auth/access-tokens.ts';
import type { Clock } from './clock.ts';
import type { CallScopes } from './http/call-scope.ts';
import type { AttemptObserver } from './http/observer.ts';
import type { RetryPolicy } from './http/retry.ts';
import type { Timeouts } from './http/timeouts.ts';
import type { Transport } from './http/transport.ts';
import type { Logger } from './logger.ts';
import type { Limiter } from './rate-limit/limiter.ts';
import type { BucketName, Tier } from './rate-limit/table.ts';
import type { BucketSpec, RateLimitStore } from './rate-limit/types.ts';
import type { Secrets } from './redact.ts';
import type { SkippedRecord } from './types.ts';

/** Everything a group needs, resolved from the options once. Internal. */
export interface ClientContext {
  /** SHA-256 prefix of the key (`null` without a key). */
  readonly namespace: string | null;
  readonly tier: Tier;
  /** ky instances, one per upstream API (base URL as prefix, auth header for the public API). */
  readonly http: Transport;
  /** Request events and debug lines from ky's hooks; `null` when nobody listens (no hooks installed). */
  readonly observer: AttemptObserver | null;
  /** Per-call internal signals derived from the callers' signals. */
  readonly scopes: CallScopes;
  readonly clock: Clock;
  readonly store: RateLimitStore;
  readonly limiter: Limiter;
  readonly specs: Readonly<Record<BucketName, BucketSpec>>;
  /**
   * Store key of each bucket for this client (`storeKey`, computed once); `null` for keyed buckets
   * without a key and for the Zwift-account buckets without `zwiftAuth`.
   */
  readonly storeKeys: Readonly<Record<BucketName, string | null>>;
  readonly timeoutMs: number;
  /** Request timeouts on the clock (one pending sleep for all requests). */
  readonly timeouts: Timeouts;
  readonly retry: RetryPolicy;
  readonly maxBodyBytes: number;
  readonly clubPageSize: number;
  readonly logger: Required<Logger>;
  /** Removes every secret of this client (API key, Zwift password, username, tokens) from a text. */
  readonly redact: (text: string) => string;
  /** The secrets behind `redact`; tokens are added as they arrive. */
  readonly secrets: Secrets;
  /** Bearer tokens of the Zwift-account API; `null` without `zwiftAuth`. Set once, right after the context is built. */
  zwiftTokens: AccessTokens | null;
  readonly reportSkip: (record: SkippedRecord) => void;
}
