import { ZwiftApiError } from './zwift-api-error.ts';

/** 404: the rider/club/event is unknown — or, for results, not published yet. Never retried. */
export class NotFoundError extends ZwiftApiError {
  declare readonly kind: 'not_found';

  constructor(
    message: string,
    options: {
      endpoint: string;
      /**
       * HTTP status of the answer.
       * @default undefined (no answer)
       */
      status?: number | undefined;
    },
  ) {
    super('not_found', message, options);
    this.name = 'NotFoundError';
  }
}
