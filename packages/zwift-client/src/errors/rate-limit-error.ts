import { ZwiftApiError } from './zwift-api-error.ts';

/**
 * A rate limit stands in the way: the wait needed exceeds the call's `maxWaitMs`, or a 429's
 * Retry-After exceeds `retry.maxRetryAfterMs`, or the retries are spent. `retryAfterMs` says when
 * to come back, so a scheduler can reschedule instead of blocking.
 */
export class RateLimitError extends ZwiftApiError {
  declare readonly kind: 'rate_limited';
  declare readonly retryAfterMs: number;

  constructor(
    message: string,
    options: {
      endpoint: string;
      retryAfterMs: number;
      /**
       * HTTP status of the answer.
       * @default undefined (no answer)
       */
      status?: number | undefined;
    },
  ) {
    super('rate_limited', message, options);
    this.name = 'RateLimitError';
  }
}
