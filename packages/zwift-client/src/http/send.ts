import type { ClientContext } from '../context.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { TransientError } from '../errors/transient-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { BodyTooLargeError, readBodyCapped } from './body.ts';
import { TIMEOUT, type TimeoutHandle } from './timeouts.ts';

/** One HTTP exchange, body read. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** What to send. */
export interface OutgoingRequest {
  endpoint: string;
  method: 'GET' | 'POST';
  url: string;
  /** Send `Authorization: <raw key>` (public API only). */
  auth: boolean;
  /** JSON body (POST). */
  json?: unknown;
}

/**
 * Sends one request and reads its body, under a timeout measured on the client's clock.
 * Rejects with `signal.reason` when the caller aborts, a {@link TimeoutError}, a
 * {@link TransientError} for network failures (sanitised: no raw client error, no headers), or a
 * {@link ValidationError} when the body is over `maxBodyBytes`.
 */
export async function sendOnce(
  ctx: ClientContext,
  request: OutgoingRequest,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  signal?.throwIfAborted();
  // Without a caller's signal, only the timeout aborts the request: it uses the signal shared by
  // the requests armed at the same clock time (same deadline). With one, a controller of its own
  // is aborted by either.
  let timer: TimeoutHandle;
  let fetchSignal: AbortSignal;
  let onAbort: (() => void) | undefined;
  let timedOut = false;
  if (signal === undefined) {
    timer = ctx.timeouts.arm();
    fetchSignal = ctx.timeouts.signalOf(timer);
  } else {
    const controller = new AbortController();
    onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    timer = ctx.timeouts.arm(() => {
      timedOut = true;
      controller.abort(TIMEOUT);
    });
    fetchSignal = controller.signal;
  }

  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.auth && ctx.apiKey !== null) headers['authorization'] = ctx.apiKey;
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }

  try {
    // Looked up per call, so a global fetch patched after the client was created (nock) is used.
    const fetchImpl = ctx.fetch ?? globalThis.fetch;
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers,
      body,
      signal: fetchSignal,
    });
    const text = await readBodyCapped(response, ctx.maxBodyBytes);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut || (signal === undefined && fetchSignal.aborted)) {
      throw new TimeoutError(`${request.endpoint}: no answer within ${ctx.timeoutMs} ms`, {
        endpoint: request.endpoint,
        timeoutMs: ctx.timeoutMs,
      });
    }
    if (error instanceof BodyTooLargeError) {
      throw new ValidationError(`${request.endpoint}: ${error.message}`, {
        endpoint: request.endpoint,
        path: '',
        excerpt: '',
      });
    }
    throw new TransientError(`${request.endpoint}: network error: ${ctx.redact(describe(error))}`, {
      endpoint: request.endpoint,
      cause: sanitise(error, ctx.redact),
    });
  } finally {
    ctx.timeouts.disarm(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    const inner = error.cause instanceof Error ? error.cause.message : undefined;
    return [error.message, inner, typeof code === 'string' ? code : undefined].filter(Boolean).join(': ');
  }
  return String(error);
}

/** A fresh, plain Error carrying only name, message and code — never request objects or headers. */
function sanitise(error: unknown, redact: (text: string) => string): Error {
  const clean = new Error(redact(describe(error)));
  clean.name = error instanceof Error ? error.name : 'Error';
  const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  if (typeof code === 'string') (clean as Error & { code?: string }).code = code;
  return clean;
}
