import { SyncError } from './sync-error.js';

/** A fenced write was refused: the lease it carried expired or changed hands. */
export class LeaseLostError extends SyncError {
  override name = 'LeaseLostError';
  readonly lease: string;

  constructor(lease: string, token: number) {
    super('lease_lost', `lease "${lease}" (token ${token}) is no longer held; write refused`);
    this.lease = lease;
  }
}
