import { assertSchemaName, DEFAULT_SCHEMA } from '../schema-name.js';
import { MIGRATION_FILES } from './files.generated.js';

/** One migration: its name (the file name without `.sql`) and its SQL for the configured schema. */
export interface Migration {
  /** E.g. `20261129000100_racesync_schema`; the same whatever the schema. */
  name: string;
  sql: string;
}

/** Options of {@link migrations}. */
export interface MigrationsOptions {
  /**
   * Schema to create and use.
   * @default 'racesync'
   */
  schema?: string;
}

/**
 * racesync's SQL migrations in the order to apply them, with the schema name substituted. The
 * same SQL ships as files in `supabase/migrations/` (Supabase CLI layout) for the default schema.
 * Each migration is idempotent and records itself in `<schema>.schema_migrations`.
 *
 * @example
 * // Write migrations for a custom schema into a Supabase project:
 * for (const m of migrations({ schema: 'team_data' })) writeFileSync(`supabase/migrations/${m.name}.sql`, m.sql);
 */
export function migrations(options: MigrationsOptions = {}): Migration[] {
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  return MIGRATION_FILES.map((file) => ({
    name: file.name,
    sql: schema === DEFAULT_SCHEMA ? file.sql : file.sql.replace(/\bracesync\b/g, schema),
  }));
}

/** Names of all migrations, in order. */
export function migrationNames(): string[] {
  return MIGRATION_FILES.map((file) => file.name);
}
