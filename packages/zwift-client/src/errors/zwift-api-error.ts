/** What went wrong, in one word a caller can switch on. */
export type ErrorKind =
  | 'rate_limited'
  | 'transient'
  | 'auth'
  | 'not_found'
  | 'validation'
  | 'timeout'
  | 'config';

/** Fields every {@link ZwiftApiError} can carry. */
export interface ZwiftApiErrorOptions {
  /** Endpoint id (see `ENDPOINTS`), or `'config'` for option errors. */
  endpoint: string;
  /**
   * HTTP status of the upstream answer, when there was one.
   * @default undefined (no answer: a local refusal, a timeout, a network error)
   */
  status?: number | undefined;
  /**
   * For rate-limit errors: ms from now until a retry may succeed.
   * @default undefined (not a rate limit, or no time known)
   */
  retryAfterMs?: number | undefined;
  /**
   * Sanitised underlying error (never a raw HTTP client error: those can hold request headers).
   * @default undefined
   */
  cause?: unknown;
}

/**
 * Base class of every error thrown by the client. Switch on `kind`.
 * Messages, properties and `cause` never contain the API key.
 */
export class ZwiftApiError extends Error {
  readonly kind: ErrorKind;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, options: ZwiftApiErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ZwiftApiError';
    this.kind = kind;
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Plain-object form for structured logs (`JSON.stringify(error)`). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      endpoint: this.endpoint,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
    };
  }
}
