/** What went wrong, for logs, the sync log and `sync.failed` events. */
export type SyncErrorKind = 'storage' | 'lease_lost' | 'config' | 'validation' | 'aborted';

/** Base class of sync-core's own errors. Upstream errors keep their own `kind` (e.g. `rate_limited`). */
export class SyncError extends Error {
  override name = 'SyncError';
  readonly kind: SyncErrorKind;

  constructor(
    kind: SyncErrorKind,
    message: string,
    options?: {
      /**
       * The underlying error.
       * @default undefined
       */
      cause?: unknown;
    },
  ) {
    super(message, options);
    this.kind = kind;
  }
}
