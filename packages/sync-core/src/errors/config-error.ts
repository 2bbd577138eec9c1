import { SyncError } from './sync-error.js';

/** An option is invalid. The message names the option and what it must be. */
export class SyncConfigError extends SyncError {
  override name = 'SyncConfigError';
  /** The option at fault, e.g. `policy.signupTtl`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('config', `${option}: ${message}`);
    this.option = option;
  }
}
