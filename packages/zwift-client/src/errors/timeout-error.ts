import { ZwiftApiError } from './zwift-api-error.ts';

/** The request did not complete within `timeoutMs` (measured on the client's clock), through every retry. */
export class TimeoutError extends ZwiftApiError {
  declare readonly kind: 'timeout';
  /** The per-request timeout that elapsed. */
  readonly timeoutMs: number;

  constructor(message: string, options: { endpoint: string; timeoutMs: number }) {
    super('timeout', message, options);
    this.name = 'TimeoutError';
    this.timeoutMs = options.timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}
