import { SyncError } from './sync-error.js';

/** A storage operation failed; nothing of the failed batch was written. */
export class StorageError extends SyncError {
  override name = 'StorageError';
  /** The storage method that failed, e.g. `writeRiders`. */
  readonly operation: string;

  constructor(
    operation: string,
    message: string,
    options?: {
      /**
       * The underlying error.
       * @default undefined
       */
      cause?: unknown;
    },
  ) {
    super('storage', `${operation}: ${message}`, options);
    this.operation = operation;
  }
}
