import { ZwiftApiError } from './zwift-api-error.ts';

/** A 5xx answer or a network failure that persisted through every retry. */
export class TransientError extends ZwiftApiError {
  declare readonly kind: 'transient';

  constructor(
    message: string,
    options: {
      endpoint: string;
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
    super('transient', message, options);
    this.name = 'TransientError';
  }
}
