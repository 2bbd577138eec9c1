import { ZwiftApiError } from './zwift-api-error.ts';

/**
 * Not authorised, never retried: 401/403 from the public API (the API key is missing, wrong or
 * lacks access); for the Zwift account (`zwiftAuth`): any 4xx of the token endpoint but 429 (wrong
 * password, refused refresh, locked account), a 401 that survives one token renewal, a 403 from
 * Zwift's API, or a token provider that failed (no `status` then). Never carries a password,
 * username or token.
 */
export class AuthError extends ZwiftApiError {
  declare readonly kind: 'auth';

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
    super('auth', message, options);
    this.name = 'AuthError';
  }
}
