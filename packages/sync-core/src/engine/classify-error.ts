/** What the coordinator needs to know about a failure. */
export interface ClassifiedError {
  kind: string;
  message: string;
  /** Set for rate limits: when the bucket has room again. */
  retryAfterMs: number | null;
  /** Whether a request reached the upstream (a 429 from the server did; a local refusal did not). */
  sent: boolean;
}

/**
 * Reads the `kind` convention shared by the client's and sync-core's errors; anything else is
 * `internal`. With the run's `signal`, whatever was thrown once it is aborted counts as `aborted`:
 * `signal.reason` can be any value (`abort(new Error('stop'))`, `AbortSignal.timeout`'s
 * `TimeoutError`), not only an `AbortError`.
 */
export function classifyError(error: unknown, signal?: AbortSignal): ClassifiedError {
  const e = (error ?? {}) as {
    kind?: unknown;
    message?: unknown;
    retryAfterMs?: unknown;
    status?: unknown;
    name?: unknown;
  };
  const aborted =
    signal?.aborted === true ||
    e.name === 'AbortError' ||
    (error instanceof DOMException && error.name === 'AbortError');
  const kind = aborted ? 'aborted' : typeof e.kind === 'string' ? e.kind : 'internal';
  const retryAfterMs =
    typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) ? e.retryAfterMs : null;
  return {
    kind,
    message: typeof e.message === 'string' ? e.message : String(error),
    retryAfterMs,
    sent: kind !== 'rate_limited' || typeof e.status === 'number',
  };
}
