import { ZwiftApiError } from './zwift-api-error.ts';

/** A 5xx answer or a network failure that persisted through every retry. */
export class TransientError extends ZwiftApiError {
  declare readonly kind: 'transient';

  constructor(message: string, options: { endpoint: string; status?: number | undefined; cause?: unknown }) {
    super('transient', message, options);
    this.name = 'TransientError';
  }
}
