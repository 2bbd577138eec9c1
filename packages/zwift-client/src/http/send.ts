import { isHTTPError, isNetworkError } from 'ky';
import type { ClientContext } from '../context.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { TransientError } from '../errors/transient-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { ApiName, BucketName, EndpointId } from '../rate-limit/table.ts';
import { BodyTooLargeError, readBodyCapped } from './body.ts';
import type { Attempt } from './observer.ts';

/** What one attempt got back: a 2xx body, or the status and error body of any other answer. */
export type Exchange =
  | { readonly ok: true; readonly status: number; readonly text: string }
  | {
      readonly ok: false;
      readonly status: number;
      /** The `Retry-After` header. */
      readonly retryAfter: string | null;
      /** ky's `HTTPError.data`: the error body, parsed when its content type is JSON, else text; `undefined` when empty or unreadable. */
      readonly data: unknown;
    };

/** What to send. */
export interface OutgoingRequest {
  endpoint: EndpointId;
  bucket: BucketName;
  api: ApiName;
  method: 'GET' | 'POST';
  /** Path below the API's base URL (ky's `prefix`). */
  path: string;
  /** JSON body (POST). */
  json?: unknown;
  /** Form body (`application/x-www-form-urlencoded`; the token endpoint). */
  form?: URLSearchParams;
  /** Access token sent as `Authorization: Bearer <token>` (Zwift-account API). */
  bearer?: string;
}

/** Abort reason of an attempt the client's timeout ended (an Error, so ky's `beforeError` hooks see it). */
class AttemptTimeout extends Error {
  constructor() {
    super('request timed out');
    this.name = 'AttemptTimeout';
  }
}

/**
 * Sends one attempt through ky and reads its body (2xx: capped at `maxBodyBytes`), under a timeout
 * measured on the client's clock. ky's `HTTPError` becomes an `{ ok: false }` exchange (status,
 * `Retry-After`, error body) for the caller to map to a typed error; the error object itself —
 * which holds the request and its headers — goes no further. Rejects with `signal.reason` when the
 * call's signal aborts, a {@link TimeoutError}, a {@link TransientError} for network failures
 * (sanitised: no raw client error, no headers), or a {@link ValidationError} for a body over
 * `maxBodyBytes`.
 */
export async function sendOnce(
  ctx: ClientContext,
  request: OutgoingRequest,
  signal: AbortSignal | undefined,
  attemptNumber: number,
): Promise<Exchange> {
  signal?.throwIfAborted();
  const { endpoint } = request;
  const attempt: Attempt | undefined = ctx.observer?.attempt(
    endpoint,
    request.bucket,
    request.method,
    attemptNumber,
  );
  // One controller per attempt, aborted by the call's (internal, short-lived) signal or the timeout.
  const controller = new AbortController();
  let timedOut = false;
  const timer = ctx.timeouts.arm(() => {
    timedOut = true;
    if (attempt !== undefined) attempt.timedOut = true;
    controller.abort(new AttemptTimeout());
  });
  const onAbort = (): void => {
    if (attempt !== undefined) attempt.aborted = true;
    controller.abort(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const response = await ctx.http[request.api](request.path, {
      method: request.method,
      json: request.json,
      ...(request.form === undefined ? {} : { body: request.form }),
      ...(request.bearer === undefined ? {} : { headers: { authorization: `Bearer ${request.bearer}` } }),
      signal: controller.signal,
      ...(attempt === undefined ? {} : { context: { attempt } }),
    });
    const text = await readBodyCapped(response, ctx.maxBodyBytes);
    return { ok: true, status: response.status, text };
  } catch (error) {
    if (attempt !== undefined && ctx.observer !== null) {
      // ky runs no `beforeError` hook for a non-Error rejection (e.g. an abort reason that is a string)
      ctx.observer.end(attempt, null, timedOut ? 'timeout' : signal?.aborted ? 'aborted' : 'network_error');
    }
    if (signal?.aborted) throw signal.reason;
    if (timedOut) {
      throw new TimeoutError(`${endpoint}: no answer within ${ctx.timeoutMs} ms`, {
        endpoint,
        timeoutMs: ctx.timeoutMs,
      });
    }
    if (isHTTPError(error)) {
      return {
        ok: false,
        status: error.response.status,
        retryAfter: error.response.headers.get('retry-after'),
        data: error.data,
      };
    }
    if (error instanceof BodyTooLargeError) {
      throw new ValidationError(`${endpoint}: ${error.message}`, { endpoint, path: '', excerpt: '' });
    }
    // ky's NetworkError only wraps fetch's own error (and names the request): report that error
    const raw: unknown = isNetworkError(error) && error.cause !== undefined ? error.cause : error;
    throw new TransientError(`${endpoint}: network error: ${ctx.redact(describe(raw))}`, {
      endpoint,
      cause: sanitise(raw, ctx.redact),
    });
  } finally {
    ctx.timeouts.disarm(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The messages down the cause chain (fetch's error wraps the system error) and the first error code. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts: string[] = [];
  let current: unknown = error;
  let code: string | undefined;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current.message !== '' && !parts.includes(current.message)) parts.push(current.message);
    const c = (current as Error & { code?: unknown }).code;
    if (typeof c === 'string') code ??= c;
    const cause: unknown = current.cause;
    if (!(cause instanceof Error)) {
      const causeCode = (cause as { code?: unknown } | undefined)?.code;
      if (typeof causeCode === 'string') code ??= causeCode;
      break;
    }
    current = cause;
  }
  if (code !== undefined && !parts.includes(code)) parts.push(code);
  return parts.join(': ');
}

/** A fresh, plain Error carrying only name, message and code — never request objects or headers. */
function sanitise(error: unknown, redact: (text: string) => string): Error {
  const clean = new Error(redact(describe(error)));
  clean.name = error instanceof Error ? error.name : 'Error';
  const code = codeOf(error);
  if (code !== undefined) (clean as Error & { code?: string }).code = code;
  return clean;
}

function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
