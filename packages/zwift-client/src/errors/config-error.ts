import { ZwiftApiError } from './zwift-api-error.ts';

/** An option or argument is invalid (or a keyed method was called without `apiKey`). Names it. */
export class ConfigError extends ZwiftApiError {
  declare readonly kind: 'config';
  /** The option or argument at fault, e.g. `timeoutMs`, `retry.limit`, `ids`. */
  readonly option: string;

  constructor(option: string, message: string, endpoint = 'config') {
    super('config', `Invalid option "${option}": ${message}`, { endpoint });
    this.name = 'ConfigError';
    this.option = option;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), option: this.option };
  }
}
