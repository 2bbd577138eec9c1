import { StorageError } from '@racesync/sync-core';

/**
 * Why a {@link PostgresStorageError} was thrown:
 * - `migrations_missing`: the schema, a table or a function is missing (see {@link MigrationsMissingError});
 * - `schema_not_exposed`: Supabase's API does not expose the schema (see {@link SchemaNotExposedError});
 * - `permission_denied`: the connecting role lacks a privilege (see {@link PermissionDeniedError});
 * - `invalid_input`: a record of the batch is invalid (nothing of the batch was written);
 * - `connection`: the database or the API could not be reached;
 * - `query_failed`: any other database error (the batch was rolled back).
 */
export type PostgresStorageErrorReason =
  | 'migrations_missing'
  | 'schema_not_exposed'
  | 'permission_denied'
  | 'invalid_input'
  | 'connection'
  | 'query_failed';

/** Details of a {@link PostgresStorageError}. */
export interface PostgresStorageErrorDetails {
  reason: PostgresStorageErrorReason;
  /** SQLSTATE (e.g. `42501`) or PostgREST code (e.g. `PGRST106`), when known. */
  code?: string | null;
  /** The database's or the API's hint, when any (secrets removed). */
  hint?: string | null;
  /** HTTP status of a Supabase API answer, when the call went through supabase-js. */
  status?: number | null;
  cause?: unknown;
}

/**
 * A storage call failed; nothing of the failed batch was written (every call is one transaction).
 * `kind` is sync-core's `'storage'`, so the engine handles it like any storage failure; `reason`
 * says what went wrong, and the message names the fix. Messages, hints and causes never contain
 * connection-string passwords or API keys.
 */
export class PostgresStorageError extends StorageError {
  override name = 'PostgresStorageError';
  readonly reason: PostgresStorageErrorReason;
  readonly code: string | null;
  readonly hint: string | null;
  readonly status: number | null;

  constructor(operation: string, message: string, details: PostgresStorageErrorDetails) {
    super(operation, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = details.reason;
    this.code = details.code ?? null;
    this.hint = details.hint ?? null;
    this.status = details.status ?? null;
  }
}
