import { ZwiftApiError } from './zwift-api-error.ts';

/** 401 or 403: the API key is missing, wrong or lacks access. Never retried. */
export class AuthError extends ZwiftApiError {
  declare readonly kind: 'auth';

  constructor(message: string, options: { endpoint: string; status: number }) {
    super('auth', message, options);
    this.name = 'AuthError';
  }
}
