import { PostgresStorageError, type PostgresStorageErrorDetails } from './postgres-storage-error.js';

/**
 * Supabase's REST API refused the schema (PostgREST `PGRST106`): it is not in the project's
 * exposed schemas. The message names the fix (dashboard setting or `config.toml`).
 */
export class SchemaNotExposedError extends PostgresStorageError {
  override name = 'SchemaNotExposedError';
  readonly schema: string;

  constructor(operation: string, schema: string, details: Omit<PostgresStorageErrorDetails, 'reason'> = {}) {
    super(
      operation,
      `schema "${schema}" is not exposed by the Supabase API (PGRST106). Add "${schema}" under ` +
        'Project Settings → API (Data API) → Exposed schemas in the Supabase dashboard, or to ' +
        '`schemas` in the [api] section of supabase/config.toml for a local project.',
      { ...details, reason: 'schema_not_exposed' },
    );
    this.schema = schema;
  }
}
