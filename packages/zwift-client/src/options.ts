import { checkZwiftAuth, type ResolvedZwiftAuth, type ZwiftAuth } from './auth/zwift-auth.ts';
import type { Clock } from './clock.ts';
import { ConfigError } from './errors/config-error.ts';
import type { Logger } from './logger.ts';
import type { BucketName, Tier } from './rate-limit/table.ts';
import { BUCKET_NAMES } from './rate-limit/table.ts';
import type { BucketSpec, RateLimitStore } from './rate-limit/types.ts';
import type { RequestEvent, ResponseEvent } from './request-events.ts';
import type { SkippedRecord } from './types.ts';

/** Retry behaviour. */
export interface RetryOptions {
  /**
   * Retries after the first attempt, for 5xx, network errors, timeouts and 429s.
   * @default 3
   */
  limit?: number;
  /**
   * Back-off base: retry n waits a uniform draw in `[0, min(cap, base·2^n))` ms.
   * @default 500
   */
  backoffBaseMs?: number;
  /**
   * Back-off cap, ms.
   * @default 30_000
   */
  backoffCapMs?: number;
  /**
   * Longest 429 `Retry-After` the client waits out itself, ms; beyond it the call rejects with
   * `RateLimitError`.
   * @default 60_000
   */
  maxRetryAfterMs?: number;
  /**
   * Jitter source in `[0, 1)` (inject for deterministic tests).
   * @default Math.random
   */
  random?: () => number;
}

/** Options of {@link createZwiftClient}. */
export interface ZwiftClientOptions {
  /**
   * ZwiftRacing.app API key, sent raw as `Authorization` to the public API only. Required only for
   * public-API methods.
   * @default undefined (no key: public-API methods throw `ConfigError('apiKey')`)
   */
  apiKey?: string | undefined;
  /**
   * Account tier: picks the public API's limits.
   * @default 'standard'
   */
  tier?: Tier;
  /**
   * Public API base (older host: `https://zwift-ranking.herokuapp.com`).
   * @default 'https://api.zwiftracing.app/api'
   */
  baseUrl?: string;
  /**
   * ZwiftRacing site base (events, signups, routes).
   * @default 'https://zwiftracing.app'
   */
  siteBaseUrl?: string;
  /**
   * Zwift API base.
   * @default 'https://us-or-rly101.zwift.com'
   */
  zwiftBaseUrl?: string;
  /**
   * A Zwift account for Zwift's authenticated (unofficial) API — the follower feed
   * (`zwift.events.search`, `zwift.subgroups.entrants`): `{ username, password }` (the client runs
   * the password grant, caches the access token on `clock`, refreshes it with the refresh token and
   * falls back to the password grant when the refresh is refused) or `{ token, account? }` (a
   * provider of access tokens you manage). The password and the tokens never appear in a log, an
   * error, a request event or a serialised client; the username neither. Its buckets
   * (`zwift-auth`, `zwift-search`, `zwift-entrants`) are per account.
   * @default undefined (the follower-feed methods throw `ConfigError('zwiftAuth')`)
   */
  zwiftAuth?: ZwiftAuth;
  /**
   * Base of Zwift's token endpoint (`{zwiftAuthBaseUrl}/auth/realms/zwift/protocol/openid-connect/token`).
   * @default 'https://secure.zwift.com'
   */
  zwiftAuthBaseUrl?: string;
  /**
   * `fetch` implementation, handed to ky (its `fetch` option): called as `fetch(request, init)`
   * with a `Request` (URL, method, headers, body and signal are on it).
   * @default the global `fetch`, looked up at each request (so a fetch patched later, e.g. by nock, is used)
   */
  fetch?: typeof fetch;
  /**
   * Per-request timeout on the client's clock (whole exchange, body included), ms.
   * @default 15_000
   */
  timeoutMs?: number;
  /**
   * Retry policy; see {@link RetryOptions}.
   * @default { limit: 3, backoffBaseMs: 500, backoffCapMs: 30_000, maxRetryAfterMs: 60_000, random: Math.random }
   */
  retry?: RetryOptions;
  /**
   * Pino-compatible logger (`debug`/`info`/`warn`/`error`, each optional, called `(fields, message)`).
   * With `debug`, every HTTP attempt gets a debug line.
   * @default undefined (silent)
   */
  logger?: Logger;
  /**
   * Where bucket state lives.
   * @default a new in-memory store ({@link createMemoryRateLimitStore})
   */
  rateLimitStore?: RateLimitStore;
  /**
   * Clock for every wait: token waits, back-off, 429 blocks, request timeouts.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Per-bucket overrides of the table, e.g. `{ site: { capacity: 5, intervalMs: 60_000 } }`.
   * @default {} (the table's limits for `tier`)
   */
  limits?: Partial<Record<BucketName, BucketSpec>>;
  /**
   * Called for every record skipped by validation (records are `logger.warn`ed and returned in
   * `skipped` either way).
   * @default undefined
   */
  onSkip?: (record: SkippedRecord) => void;
  /**
   * Called when an HTTP attempt leaves (retries included), from ky's `beforeRequest` hook: endpoint,
   * bucket, method, URL, attempt number, start time on `clock`. No header, never the API key.
   * Called synchronously; its return value is ignored and an exception it throws is logged.
   * @default undefined
   */
  onRequest?: (event: RequestEvent) => void;
  /**
   * Called exactly once per attempt when it ends — a response of any status (ky's `afterResponse`
   * hook) or none (network error, timeout, abort) — with the {@link RequestEvent} fields plus
   * status, outcome and duration on `clock`. Same rules as `onRequest`.
   * @default undefined
   */
  onResponse?: (event: ResponseEvent) => void;
  /**
   * Most requests in flight at once (all buckets).
   * @default 4
   */
  concurrency?: number;
  /**
   * Largest 2xx response body accepted, bytes; bigger → `ValidationError`.
   * @default 20_971_520 (20 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Club page size that signals "more pages" (upstream: 1000).
   * @default 1000
   */
  clubPageSize?: number;
}

/** Defaults of {@link ZwiftClientOptions}. */
export const DEFAULTS = Object.freeze({
  tier: 'standard' as Tier,
  baseUrl: 'https://api.zwiftracing.app/api',
  siteBaseUrl: 'https://zwiftracing.app',
  zwiftBaseUrl: 'https://us-or-rly101.zwift.com',
  zwiftAuthBaseUrl: 'https://secure.zwift.com',
  timeoutMs: 15_000,
  concurrency: 4,
  maxBodyBytes: 20 * 1024 * 1024,
  clubPageSize: 1000,
  retry: Object.freeze({ limit: 3, backoffBaseMs: 500, backoffCapMs: 30_000, maxRetryAfterMs: 60_000 }),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function checkUrl(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new ConfigError(option, 'must be an http(s) URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(option, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(option, 'must use http or https');
  if (url.search !== '' || url.hash !== '')
    throw new ConfigError(option, 'must not carry a query or fragment');
  // fetch refuses such URLs ("cannot be constructed from a URL that includes credentials")
  if (url.username !== '' || url.password !== '')
    throw new ConfigError(option, 'must not carry credentials (user:password@)');
  return value.replace(/\/+$/, '');
}

export function checkNumber(
  value: unknown,
  option: string,
  fallback: number,
  { min = 0, integer = false, allowInfinity = false, exclusiveMin = false } = {},
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (allowInfinity || Number.isFinite(value)) &&
    (exclusiveMin ? value > min : value >= min) &&
    (!integer || Number.isInteger(value) || value === Number.POSITIVE_INFINITY);
  if (!ok) {
    throw new ConfigError(
      option,
      `must be ${integer ? 'an integer' : 'a number'} ${exclusiveMin ? '>' : '≥'} ${min}${allowInfinity ? '' : ' (finite)'}`,
    );
  }
  return value as number;
}

function checkFunction<T>(value: unknown, option: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new ConfigError(option, 'must be a function');
  return value as T;
}

function checkMethods(value: unknown, option: string, methods: string[], optional = false): void {
  if (value === undefined) return;
  if (!isObject(value)) throw new ConfigError(option, `must be an object with ${methods.join(', ')}`);
  for (const m of methods) {
    const fn = value[m];
    if (optional && fn === undefined) continue;
    if (typeof fn !== 'function') throw new ConfigError(`${option}.${m}`, 'must be a function');
  }
}

/** Validated, defaulted options. Internal. */
export interface ResolvedOptions {
  apiKey: string | null;
  tier: Tier;
  baseUrl: string;
  siteBaseUrl: string;
  zwiftBaseUrl: string;
  zwiftAuth: ResolvedZwiftAuth | null;
  zwiftAuthBaseUrl: string;
  fetch: typeof fetch | undefined;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  logger: Logger | undefined;
  rateLimitStore: RateLimitStore | undefined;
  clock: Clock | undefined;
  limits: Partial<Record<BucketName, BucketSpec>>;
  onSkip: ((record: SkippedRecord) => void) | undefined;
  onRequest: ((event: RequestEvent) => void) | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
  concurrency: number;
  maxBodyBytes: number;
  clubPageSize: number;
}

/** Validates every option; throws {@link ConfigError} naming the first bad one. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const options = input === undefined ? {} : input;
  if (!isObject(options)) throw new ConfigError('options', 'must be an object');
  const o = options as ZwiftClientOptions;

  if (o.apiKey !== undefined && (typeof o.apiKey !== 'string' || o.apiKey.trim() === '')) {
    throw new ConfigError('apiKey', 'must be a non-empty string');
  }
  if (o.tier !== undefined && o.tier !== 'standard' && o.tier !== 'premium') {
    throw new ConfigError('tier', "must be 'standard' or 'premium'");
  }
  const retryIn = o.retry ?? {};
  if (!isObject(retryIn)) throw new ConfigError('retry', 'must be an object');
  const backoffBaseMs = checkNumber(
    retryIn.backoffBaseMs,
    'retry.backoffBaseMs',
    DEFAULTS.retry.backoffBaseMs,
  );
  const backoffCapMs = checkNumber(retryIn.backoffCapMs, 'retry.backoffCapMs', DEFAULTS.retry.backoffCapMs);
  if (backoffCapMs < backoffBaseMs)
    throw new ConfigError('retry.backoffCapMs', 'must be ≥ retry.backoffBaseMs');
  const retry: Required<RetryOptions> = {
    limit: checkNumber(retryIn.limit, 'retry.limit', DEFAULTS.retry.limit, { integer: true }),
    backoffBaseMs,
    backoffCapMs,
    maxRetryAfterMs: checkNumber(
      retryIn.maxRetryAfterMs,
      'retry.maxRetryAfterMs',
      DEFAULTS.retry.maxRetryAfterMs,
      {
        allowInfinity: true,
      },
    ),
    random: checkFunction<() => number>(retryIn.random, 'retry.random') ?? Math.random,
  };

  checkMethods(o.logger, 'logger', ['debug', 'info', 'warn', 'error'], true);
  checkMethods(o.rateLimitStore, 'rateLimitStore', ['take', 'block', 'peek']);
  checkMethods(o.clock, 'clock', ['now', 'sleep']);

  const limits: Partial<Record<BucketName, BucketSpec>> = {};
  if (o.limits !== undefined) {
    if (!isObject(o.limits))
      throw new ConfigError('limits', 'must be an object of bucket → { capacity, intervalMs }');
    for (const [bucket, spec] of Object.entries(o.limits)) {
      if (!BUCKET_NAMES.includes(bucket as BucketName)) {
        throw new ConfigError(`limits.${bucket}`, `unknown bucket (known: ${BUCKET_NAMES.join(', ')})`);
      }
      if (!isObject(spec)) throw new ConfigError(`limits.${bucket}`, 'must be { capacity, intervalMs }');
      limits[bucket as BucketName] = {
        capacity: checkNumber(spec.capacity, `limits.${bucket}.capacity`, Number.NaN, {
          min: 1,
          integer: true,
        }),
        intervalMs: checkNumber(spec.intervalMs, `limits.${bucket}.intervalMs`, Number.NaN, {
          min: 0,
          exclusiveMin: true,
        }),
      };
      if (
        Number.isNaN(limits[bucket as BucketName]!.capacity) ||
        Number.isNaN(limits[bucket as BucketName]!.intervalMs)
      ) {
        throw new ConfigError(`limits.${bucket}`, 'needs both capacity and intervalMs');
      }
    }
  }

  return {
    apiKey: o.apiKey ?? null,
    tier: o.tier ?? DEFAULTS.tier,
    baseUrl: checkUrl(o.baseUrl, 'baseUrl', DEFAULTS.baseUrl),
    siteBaseUrl: checkUrl(o.siteBaseUrl, 'siteBaseUrl', DEFAULTS.siteBaseUrl),
    zwiftBaseUrl: checkUrl(o.zwiftBaseUrl, 'zwiftBaseUrl', DEFAULTS.zwiftBaseUrl),
    zwiftAuth: checkZwiftAuth(o.zwiftAuth),
    zwiftAuthBaseUrl: checkUrl(o.zwiftAuthBaseUrl, 'zwiftAuthBaseUrl', DEFAULTS.zwiftAuthBaseUrl),
    fetch: checkFunction<typeof fetch>(o.fetch, 'fetch'),
    timeoutMs: checkNumber(o.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs, { exclusiveMin: true }),
    retry,
    logger: o.logger,
    rateLimitStore: o.rateLimitStore,
    clock: o.clock,
    limits,
    onSkip: checkFunction<(record: SkippedRecord) => void>(o.onSkip, 'onSkip'),
    onRequest: checkFunction<(event: RequestEvent) => void>(o.onRequest, 'onRequest'),
    onResponse: checkFunction<(event: ResponseEvent) => void>(o.onResponse, 'onResponse'),
    concurrency: checkNumber(o.concurrency, 'concurrency', DEFAULTS.concurrency, { min: 1, integer: true }),
    maxBodyBytes: checkNumber(o.maxBodyBytes, 'maxBodyBytes', DEFAULTS.maxBodyBytes, { exclusiveMin: true }),
    clubPageSize: checkNumber(o.clubPageSize, 'clubPageSize', DEFAULTS.clubPageSize, {
      min: 1,
      integer: true,
    }),
  };
}
