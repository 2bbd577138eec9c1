/** What went wrong in fleet mode. */
export type FleetErrorKind = 'config' | 'not_found' | 'conflict' | 'database' | 'missing_key';

/** The one error class of `@racesync/fleet`; `kind` says what went wrong. Messages never carry API keys. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  /** What went wrong. */
  readonly kind: FleetErrorKind;

  constructor(
    kind: FleetErrorKind,
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
