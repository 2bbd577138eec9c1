import { SyncError } from './sync-error.js';

/** A fenced write was refused: the lease it carried expired or changed hands. */
export class LeaseLostError extends SyncError {
  override name = 'LeaseLostError';
  /** The lease name. */
  readonly lease: string;
  /** The fencing token the refused write carried. */
  readonly token: number;

  constructor(lease: string, token: number) {
    super('lease_lost', `lease "${lease}" (token ${token}) is no longer held; write refused`);
    this.lease = lease;
    this.token = token;
  }
}
