import { PostgresStorageError, type PostgresStorageErrorDetails } from './postgres-storage-error.js';

/**
 * The configured schema lacks racesync's tables or functions: the migrations were not applied (or
 * not all of them), or Supabase's API has not reloaded its schema cache yet. The message names the
 * fix: `migrate()` from this package, or `supabase db push` with the package's migrations copied
 * into the project.
 */
export class MigrationsMissingError extends PostgresStorageError {
  override name = 'MigrationsMissingError';
  /** The schema that lacks the migrations. */
  readonly schema: string;
  /** Migrations known to be missing (empty when the database only said "does not exist"). */
  readonly missing: readonly string[];

  constructor(
    operation: string,
    schema: string,
    problem: string,
    details: Omit<PostgresStorageErrorDetails, 'reason'> & {
      /**
       * The functions or tables found missing.
       * @default []
       */
      missing?: readonly string[];
    } = {},
  ) {
    super(
      operation,
      `${problem}. racesync's migrations are not applied to schema "${schema}": run ` +
        `migrate({ connectionString, schema: '${schema}' }) from @racesync/supabase-adapter, or ` +
        (schema === 'racesync'
          ? 'copy node_modules/@racesync/supabase-adapter/supabase/migrations/*.sql into supabase/migrations'
          : `write the SQL of migrations({ schema: '${schema}' }) into supabase/migrations`) +
        ' and run `supabase db push`. If you just applied them through SQL, reload the API schema cache: ' +
        `notify pgrst, 'reload schema';`,
      { ...details, reason: 'migrations_missing' },
    );
    this.schema = schema;
    this.missing = details.missing ?? [];
  }
}
