import type { Clock } from './clock.ts';
import { ConfigError } from './errors/config-error.ts';
import type { Logger } from './logger.ts';
import type { BucketName, Tier } from './rate-limit/table.ts';
import { BUCKET_NAMES } from './rate-limit/table.ts';
import type { BucketSpec, RateLimitStore } from './rate-limit/types.ts';
import type { SkippedRecord } from './types.ts';

/** Retry behaviour. */
export interface RetryOptions {
  /** Retries after the first attempt, for 5xx, network errors, timeouts and 429s. Default `3`. */
  limit?: number;
  /** Back-off base: retry n waits a uniform draw in `[0, min(cap, base·2^n))`. Default `500` ms. */
  backoffBaseMs?: number;
  /** Back-off cap. Default `30_000` ms. */
  backoffCapMs?: number;
  /** Longest 429 `Retry-After` the client waits out itself; beyond it rejects with `RateLimitError`. Default `60_000` ms. */
  maxRetryAfterMs?: number;
  /** Jitter source in `[0, 1)` (inject for deterministic tests). Default `Math.random`. */
  random?: () => number;
}

/** Options of {@link createZwiftClient}. */
export interface ZwiftClientOptions {
  /** ZwiftRacing.app API key, sent raw as `Authorization`. Required only for public-API methods. Default: none. */
  apiKey?: string;
  /** Account tier: picks the public API's limits. Default `'standard'`. */
  tier?: Tier;
  /** Public API base. Default `'https://api.zwiftracing.app/api'` (older host: `https://zwift-ranking.herokuapp.com`). */
  baseUrl?: string;
  /** ZwiftRacing site base (events, signups, routes). Default `'https://zwiftracing.app'`. */
  siteBaseUrl?: string;
  /** Zwift API base. Default `'https://us-or-rly101.zwift.com'`. */
  zwiftBaseUrl?: string;
  /**
   * `fetch` implementation, called as `fetch(url, { method, headers, body, signal })` (a URL string,
   * never a `Request`). Default: the global `fetch`, looked up at each call.
   */
  fetch?: typeof fetch;
  /** Per-request timeout on the client's clock (whole exchange, body included). Default `15_000` ms. */
  timeoutMs?: number;
  /** Retry policy; see {@link RetryOptions}. */
  retry?: RetryOptions;
  /** Pino-like logger (`debug`/`info`/`warn`/`error`, each optional). Default: silent. */
  logger?: Logger;
  /** Where bucket state lives. Default: a new in-memory store ({@link createMemoryRateLimitStore}). */
  rateLimitStore?: RateLimitStore;
  /** Clock for every wait. Default: the system clock. */
  clock?: Clock;
  /** Per-bucket overrides of the table, e.g. `{ site: { capacity: 5, intervalMs: 60_000 } }`. Default: none. */
  limits?: Partial<Record<BucketName, BucketSpec>>;
  /** Called for every record skipped by validation. Default: none (records are still `logger.warn`ed and returned in `skipped`). */
  onSkip?: (record: SkippedRecord) => void;
  /** Most requests in flight at once (all buckets). Default `4`. */
  concurrency?: number;
  /** Largest response body accepted; bigger → `ValidationError`. Default `20_971_520` (20 MiB). */
  maxBodyBytes?: number;
  /** Club page size that signals "more pages" (upstream: 1000). Default `1000`. */
  clubPageSize?: number;
}

/** Defaults of {@link ZwiftClientOptions}. */
export const DEFAULTS = Object.freeze({
  tier: 'standard' as Tier,
  baseUrl: 'https://api.zwiftracing.app/api',
  siteBaseUrl: 'https://zwiftracing.app',
  zwiftBaseUrl: 'https://us-or-rly101.zwift.com',
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
  fetch: typeof fetch | undefined;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  logger: Logger | undefined;
  rateLimitStore: RateLimitStore | undefined;
  clock: Clock | undefined;
  limits: Partial<Record<BucketName, BucketSpec>>;
  onSkip: ((record: SkippedRecord) => void) | undefined;
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
    fetch: checkFunction<typeof fetch>(o.fetch, 'fetch'),
    timeoutMs: checkNumber(o.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs, { exclusiveMin: true }),
    retry,
    logger: o.logger,
    rateLimitStore: o.rateLimitStore,
    clock: o.clock,
    limits,
    onSkip: checkFunction<(record: SkippedRecord) => void>(o.onSkip, 'onSkip'),
    concurrency: checkNumber(o.concurrency, 'concurrency', DEFAULTS.concurrency, { min: 1, integer: true }),
    maxBodyBytes: checkNumber(o.maxBodyBytes, 'maxBodyBytes', DEFAULTS.maxBodyBytes, { exclusiveMin: true }),
    clubPageSize: checkNumber(o.clubPageSize, 'clubPageSize', DEFAULTS.clubPageSize, {
      min: 1,
      integer: true,
    }),
  };
}
