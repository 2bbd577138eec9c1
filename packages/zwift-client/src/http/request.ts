import type { ClientContext } from '../context.ts';
import { AuthError } from '../errors/auth-error.ts';
import { ConfigError } from '../errors/config-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { TransientError } from '../errors/transient-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { WaitBudget } from '../rate-limit/limiter.ts';
import { ENDPOINTS, type EndpointId } from '../rate-limit/table.ts';
import { excerptOf } from '../redact.ts';
import { parseJsonSafe } from './json.ts';
import { backoffDelay, isRetryableStatus } from './retry.ts';
import { retryAfterMs } from './retry-after.ts';
import { type RawResponse, sendOnce } from './send.ts';

/** Options every method takes as its last argument. */
export interface CallOptions {
  /** Abort the call: waiting for a token, backing off or in flight. Rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Higher runs first among calls waiting for the same bucket or for a concurrency slot. Default `0`. */
  priority?: number;
  /**
   * Longest total time this call may wait for rate-limit tokens and 429 blocks. When the wait
   * needed exceeds it, the call rejects at once with a `RateLimitError` carrying `retryAfterMs`
   * (`0` = never block). Default `Infinity`.
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

/** The request an endpoint makes. */
export interface EndpointRequest {
  url: string;
  json?: unknown;
}

/**
 * Runs one endpoint call to a parsed JSON body: token before dispatch, timeout, retries with
 * back-off for 5xx/network/timeout, 429 handling (block the bucket, retry within bounds), typed
 * errors for the rest.
 */
export async function requestJson(
  ctx: ClientContext,
  endpoint: EndpointId,
  request: EndpointRequest,
  options: CallOptions = {},
): Promise<unknown> {
  const def = ENDPOINTS[endpoint];
  const key = ctx.storeKeys[def.bucket];
  if (key === null) throw new ConfigError('apiKey', `is required for ${endpoint} (public API)`, endpoint);
  const spec = ctx.specs[def.bucket];
  const { signal } = options;
  const priority = options.priority ?? 0;
  const budget: WaitBudget = { remainingMs: options.maxWaitMs ?? Number.POSITIVE_INFINITY };
  const outgoing = {
    endpoint,
    method: def.method,
    url: request.url,
    auth: def.api === 'public',
    json: request.json,
  };
  const acquire = { endpoint, bucket: def.bucket, priority, signal, budget };
  const { retry, logger } = ctx;

  for (let attempt = 0; ; attempt++) {
    let raw: RawResponse;
    try {
      raw = await ctx.limiter.run(key, spec, acquire, () => sendOnce(ctx, outgoing, signal));
    } catch (error) {
      if ((error instanceof TransientError || error instanceof TimeoutError) && attempt < retry.limit) {
        const delay = backoffDelay(attempt, retry);
        logger.warn(
          { endpoint, attempt, delayMs: delay, kind: error.kind },
          `${endpoint}: ${error.message}; retrying`,
        );
        await ctx.clock.sleep(delay, signal);
        continue;
      }
      throw error;
    }
    const { status } = raw;
    if (ctx.debug) logger.debug({ endpoint, attempt, status }, `${endpoint}: HTTP ${status}`);
    if (status >= 200 && status < 300) return parseBody(ctx, endpoint, raw.text, status);

    if (status === 429) {
      const now = ctx.clock.now();
      const wait = retryAfterMs(raw.headers.get('retry-after'), tryParse(raw.text), now) ?? spec.intervalMs;
      await ctx.store.block(key, now + wait, spec);
      const bound = Math.min(retry.maxRetryAfterMs, budget.remainingMs);
      if (attempt < retry.limit && wait <= bound) {
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
    if (status === 401 || status === 403) {
      throw new AuthError(`${endpoint}: not authorised (HTTP ${status}); check the API key`, {
        endpoint,
        status,
      });
    }
    if (status === 404) throw new NotFoundError(`${endpoint}: not found (HTTP 404)`, { endpoint, status });
    if (isRetryableStatus(status)) {
      if (attempt < retry.limit) {
        const delay = backoffDelay(attempt, retry);
        logger.warn({ endpoint, attempt, status, delayMs: delay }, `${endpoint}: HTTP ${status}; retrying`);
        await ctx.clock.sleep(delay, signal);
        continue;
      }
      throw new TransientError(`${endpoint}: HTTP ${status} after ${attempt + 1} attempts`, {
        endpoint,
        status,
      });
    }
    throw new ValidationError(`${endpoint}: upstream rejected the request (HTTP ${status})`, {
      endpoint,
      status,
      path: '',
      excerpt: excerptOf(raw.text, ctx.redact),
    });
  }
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
