import type { ClientContext } from '../context.ts';
import { AuthError } from '../errors/auth-error.ts';
import { ConfigError } from '../errors/config-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { TransientError } from '../errors/transient-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { WaitBudget } from '../rate-limit/limiter.ts';
import { ENDPOINTS, type EndpointId, ZWIFT_ACCOUNT_BUCKETS } from '../rate-limit/table.ts';
import { excerptOf } from '../redact.ts';
import { parseJsonSafe } from './json.ts';
import { backoffDelay, isRetryableStatus } from './retry.ts';
import { retryAfterMs } from './retry-after.ts';
import { type Exchange, type OutgoingRequest, sendOnce } from './send.ts';

/** Options every method takes as its last argument. */
export interface CallOptions {
  /**
   * Abort the call: waiting for a token, backing off or in flight. Rejects with `signal.reason`.
   * Any number of concurrent calls may share one signal: the client keeps at most one listener on
   * it (per client) while they run, and none once they settle.
   * @default undefined (the call cannot be aborted)
   */
  signal?: AbortSignal;
  /**
   * Higher runs first among calls waiting for the same bucket or for a concurrency slot.
   * @default 0
   */
  priority?: number;
  /**
   * Longest total time this call may wait for rate-limit tokens and 429 blocks. When the wait
   * needed exceeds it, the call rejects at once with a `RateLimitError` carrying `retryAfterMs`
   * (`0` = never block).
   * @default Infinity
   */
  maxWaitMs?: number;
}

/** Checks per-call options; throws {@link ConfigError}. */
export function checkCallOptions(options: CallOptions | undefined, endpoint: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null)
    throw new ConfigError('options', 'must be an object', endpoint);
  const { signal, priority, maxWaitMs } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || !('aborted' in signal))) {
    throw new ConfigError('signal', 'must be an AbortSignal', endpoint);
  }
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) {
    throw new ConfigError('priority', 'must be a finite number', endpoint);
  }
  if (
    maxWaitMs !== undefined &&
    (typeof maxWaitMs !== 'number' || Number.isNaN(maxWaitMs) || maxWaitMs < 0)
  ) {
    throw new ConfigError('maxWaitMs', 'must be a number ≥ 0 (Infinity allowed)', endpoint);
  }
}

/**
 * Runs a method that makes several requests (pages, chunks) in ONE call scope: its requests share
 * one internal signal derived from `options.signal`, so the caller's signal gets one listener for
 * the whole call, not one per request.
 */
export async function withCallScope<O extends CallOptions, T>(
  ctx: ClientContext,
  options: O | undefined,
  run: (options: O | undefined) => Promise<T>,
): Promise<T> {
  if (options?.signal === undefined) return run(options);
  const scope = ctx.scopes.open(options.signal);
  try {
    return await run({ ...options, signal: scope.signal });
  } finally {
    scope.close();
  }
}

/** The request an endpoint makes. */
export interface EndpointRequest {
  /** Path below the endpoint's API base, e.g. `/public/riders/5`. */
  path: string;
  json?: unknown;
}

/**
 * Runs one endpoint call to a parsed JSON body: token before dispatch, timeout, retries with
 * back-off for 5xx/network/timeout, 429 handling (block the bucket, retry within bounds), typed
 * errors for the rest. Zwift-account endpoints get a Bearer token first, and a 401 renews it and
 * retries once. The call's inner waits all use one internal signal derived from `options.signal`
 * (see `CallScopes`).
 */
export async function requestJson(
  ctx: ClientContext,
  endpoint: EndpointId,
  request: EndpointRequest,
  options: CallOptions = {},
): Promise<unknown> {
  const def = ENDPOINTS[endpoint];
  const key = ctx.storeKeys[def.bucket];
  if (key === null) {
    if (ZWIFT_ACCOUNT_BUCKETS.has(def.bucket)) {
      throw new ConfigError('zwiftAuth', `is required for ${endpoint} (Zwift account API)`, endpoint);
    }
    throw new ConfigError('apiKey', `is required for ${endpoint} (public API)`, endpoint);
  }
  const scope = ctx.scopes.open(options.signal);
  try {
    return await attempts(ctx, endpoint, key, request, options, scope.signal);
  } finally {
    scope.close();
  }
}

async function attempts(
  ctx: ClientContext,
  endpoint: EndpointId,
  key: string,
  request: EndpointRequest,
  options: CallOptions,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const def = ENDPOINTS[endpoint];
  const spec = ctx.specs[def.bucket];
  const priority = options.priority ?? 0;
  const budget: WaitBudget = { remainingMs: options.maxWaitMs ?? Number.POSITIVE_INFINITY };
  const outgoing: OutgoingRequest = {
    endpoint,
    bucket: def.bucket,
    api: def.api,
    method: def.method,
    path: request.path,
    json: request.json,
  };
  const acquire = { endpoint, bucket: def.bucket, priority, signal, budget };
  const { retry, logger } = ctx;
  const tokens = def.api === 'zwift-account' ? ctx.zwiftTokens : null;
  if (def.api === 'zwift-account' && tokens === null) {
    throw new ConfigError('zwiftAuth', `is required for ${endpoint} (Zwift account API)`, endpoint);
  }
  let retries = 0;
  let renewed = false;

  for (let attempt = 1; ; attempt++) {
    const retriesLeft = retries < retry.limit;
    // A Zwift-account call takes its Bearer token before its bucket token (a token request never
    // runs inside a concurrency slot, so it cannot wait for one).
    const bearer = tokens === null ? undefined : await tokens.get({ endpoint, signal, budget, priority });
    const sent = bearer === undefined ? outgoing : { ...outgoing, bearer };
    let exchange: Exchange;
    try {
      exchange = await ctx.limiter.run(key, spec, acquire, () => sendOnce(ctx, sent, signal, attempt));
    } catch (error) {
      if ((error instanceof TransientError || error instanceof TimeoutError) && retriesLeft) {
        retries++;
        const delay = backoffDelay(retries - 1, retry);
        logger.warn(
          { endpoint, attempt, delayMs: delay, kind: error.kind },
          `${endpoint}: ${error.message}; retrying`,
        );
        await ctx.clock.sleep(delay, signal);
        continue;
      }
      throw error;
    }
    if (exchange.ok) return parseBody(ctx, endpoint, exchange.text, exchange.status);

    // ky's HTTPError, mapped to a typed error (or a retry)
    const { status } = exchange;
    if (status === 429) {
      const now = ctx.clock.now();
      const wait = retryAfterMs(exchange.retryAfter, bodyOf(exchange.data), now) ?? spec.intervalMs;
      await ctx.store.block(key, now + wait, spec);
      const bound = Math.min(retry.maxRetryAfterMs, budget.remainingMs);
      if (retriesLeft && wait <= bound) {
        retries++;
        logger.warn(
          { endpoint, attempt, retryAfterMs: wait },
          `${endpoint}: HTTP 429; retrying after the block`,
        );
        continue;
      }
      logger.warn({ endpoint, attempt, retryAfterMs: wait }, `${endpoint}: HTTP 429; giving up`);
      throw new RateLimitError(`${endpoint}: rate limited upstream (HTTP 429), retry after ${wait} ms`, {
        endpoint,
        retryAfterMs: wait,
        status,
      });
    }
    if (tokens !== null && bearer !== undefined && (status === 401 || status === 403)) {
      if (status === 401 && !renewed) {
        renewed = true;
        tokens.rejected(bearer);
        logger.warn(
          { endpoint, attempt, status },
          `${endpoint}: HTTP 401; renewing the Zwift token, retrying once`,
        );
        continue;
      }
      throw new AuthError(
        status === 401
          ? `${endpoint}: Zwift rejected the access token again after renewing it (HTTP 401); check zwiftAuth`
          : `${endpoint}: Zwift refused access (HTTP 403): the account may be locked or may not see this resource; not retried`,
        { endpoint, status },
      );
    }
    if (status === 401 || status === 403) {
      throw new AuthError(`${endpoint}: not authorised (HTTP ${status}); check the API key`, {
        endpoint,
        status,
      });
    }
    if (status === 404) throw new NotFoundError(`${endpoint}: not found (HTTP 404)`, { endpoint, status });
    if (isRetryableStatus(status)) {
      if (retriesLeft) {
        retries++;
        const delay = backoffDelay(retries - 1, retry);
        logger.warn({ endpoint, attempt, status, delayMs: delay }, `${endpoint}: HTTP ${status}; retrying`);
        await ctx.clock.sleep(delay, signal);
        continue;
      }
      throw new TransientError(`${endpoint}: HTTP ${status} after ${attempt} attempts`, {
        endpoint,
        status,
      });
    }
    throw new ValidationError(`${endpoint}: upstream rejected the request (HTTP ${status})`, {
      endpoint,
      status,
      path: '',
      excerpt: excerptOf(exchange.data ?? '', ctx.redact),
    });
  }
}

/** An error body as JSON: ky parsed it when its content type said JSON; otherwise it is text. */
function bodyOf(data: unknown): unknown {
  return typeof data === 'string' ? tryParse(data) : (data ?? null);
}

function tryParse(text: string): unknown {
  try {
    return parseJsonSafe(text);
  } catch {
    return null;
  }
}

function parseBody(ctx: ClientContext, endpoint: string, text: string, status: number): unknown {
  try {
    return parseJsonSafe(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(ctx.redact(`${endpoint}: response is not valid JSON (${detail})`), {
      endpoint,
      status,
      path: '',
      excerpt: excerptOf(text, ctx.redact),
    });
  }
}
