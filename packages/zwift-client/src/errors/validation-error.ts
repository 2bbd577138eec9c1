import { ZwiftApiError } from './zwift-api-error.ts';

/**
 * The answer could not be used: not JSON, truncated, too large, or not the shape the endpoint
 * needs (also: an unexpected 4xx). Names the endpoint, the path in the payload and a short excerpt.
 */
export class ValidationError extends ZwiftApiError {
  declare readonly kind: 'validation';
  /** Path in the payload, e.g. `riders[3].riderId` (`''` for the whole body). */
  readonly path: string;
  /** At most 200 characters of the offending payload (API key redacted). */
  readonly excerpt: string;

  constructor(
    message: string,
    options: {
      endpoint: string;
      path: string;
      excerpt: string;
      /**
       * HTTP status of the answer.
       * @default undefined (no answer)
       */
      status?: number | undefined;
      /**
       * The underlying (sanitised) error.
       * @default undefined
       */
      cause?: unknown;
    },
  ) {
    super('validation', message, options);
    this.name = 'ValidationError';
    this.path = options.path;
    this.excerpt = options.excerpt;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, excerpt: this.excerpt };
  }
}
