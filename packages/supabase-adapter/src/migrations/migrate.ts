import { SyncConfigError } from '@racesync/sync-core';
import postgres, { type PendingQuery, type Sql } from 'postgres';
import { toStorageError } from '../errors/map-error.js';
import { connectionStringSecrets, createRedactor, type Redact } from '../errors/redact.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../schema-name.js';
import { checkConnectionString } from '../transport/check-connection-string.js';
import { failureOf, type PostgresTransport, transportRedactor } from '../transport/postgres-transport.js';
import type { RpcTransport } from '../transport/transport.js';
import { migrations } from './migrations.js';

/** Options of {@link migrate}. Give one of `connectionString`, `transport` or `sql`. */
export interface MigrateOptions {
  /**
   * Connection string of a role that may create the schema (Supabase: the `postgres` role's
   * connection string). A short-lived connection is opened and closed. Give this, `transport` or `sql`.
   * @default undefined (then `transport` or `sql`)
   */
  connectionString?: string;
  /**
   * A transport from `createPostgresTransport` (migrations need SQL, not the REST API).
   * @default undefined (then `connectionString` or `sql`)
   */
  transport?: RpcTransport;
  /**
   * An existing postgres.js instance (left open).
   * @default undefined (then `connectionString` or `transport`)
   */
  sql?: Sql;
  /**
   * Schema to create and use.
   * @default 'racesync'
   */
  schema?: string;
  /**
   * Stops waiting: another process's migration holds the schema's lock until it commits, and a
   * migration can take a while. Once aborted, the running statement is cancelled, the transaction
   * rolls back (nothing is applied) and `migrate()` rejects with `signal.reason`.
   * @default undefined (waits for the lock as long as it takes)
   */
  signal?: AbortSignal;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  schema: string;
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations found already applied (by an earlier call, another process or the Supabase CLI). */
  skipped: string[];
}

/** Advisory-lock class of racesync's migrations (with the schema's hash as the second key). */
const LOCK_CLASS = 0x52534d47; // 'RSMG'

/**
 * Applies racesync's migrations that are not applied yet, in order, in one transaction, under an
 * advisory lock per schema: idempotent (never re-applies a recorded migration) and safe when
 * several processes migrate at once (the others wait, then find nothing to do). Migrations
 * applied with the Supabase CLI are recognised (each records itself in `schema_migrations`).
 *
 * @example
 * await migrate({ connectionString: process.env.DATABASE_URL });
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  let sql: Sql;
  let redact: Redact;
  let own = false;
  if (options.sql) {
    sql = options.sql;
    redact = createRedactor([]);
  } else if (options.transport) {
    const transport = options.transport as Partial<PostgresTransport>;
    if (!transport.sql) {
      throw new SyncConfigError(
        'transport',
        `migrate() needs a direct database connection (a "${options.transport.kind}" transport cannot run DDL): ` +
          'pass `connectionString` (Supabase: Project Settings → Database → Connection string), or apply ' +
          "the package's supabase/migrations with `supabase db push`",
      );
    }
    sql = transport.sql;
    redact = transportRedactor(options.transport);
  } else if (typeof options.connectionString === 'string') {
    redact = createRedactor(connectionStringSecrets(options.connectionString));
    checkConnectionString(options.connectionString);
    try {
      sql = postgres(options.connectionString, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    } catch (error) {
      throw new SyncConfigError(
        'connectionString',
        `is not a valid PostgreSQL URL (${redact(String(error))})`,
      );
    }
    own = true;
  } else {
    throw new SyncConfigError('connectionString', 'migrate() needs `connectionString`, `transport` or `sql`');
  }

  const applied: string[] = [];
  const skipped: string[] = [];
  const { signal } = options;
  // The statement running now: an abort cancels it (the lock wait, or a migration's DDL).
  let running: { cancel(): void } | null = null;
  const onAbort = () => running?.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    await sql.begin(async (tx) => {
      const run = <T extends readonly postgres.MaybeRow[]>(query: PendingQuery<T>): Promise<T> => {
        signal?.throwIfAborted();
        running = query;
        return query;
      };
      await run(tx.unsafe('set local client_min_messages = warning'));
      await run(tx.unsafe(`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext($1))`, [schema]));
      const [row] = await run(
        tx.unsafe<{ present: boolean }[]>('select to_regclass($1) is not null as present', [
          `${schema}.schema_migrations`,
        ]),
      );
      const done = new Set<string>();
      if (row?.present) {
        const names = await run(
          tx.unsafe<{ name: string }[]>(`select name from "${schema}".schema_migrations`),
        );
        for (const { name } of names) done.add(name);
      }
      for (const migration of migrations({ schema })) {
        if (done.has(migration.name)) {
          skipped.push(migration.name);
          continue;
        }
        await run(tx.unsafe(migration.sql));
        applied.push(migration.name);
      }
    });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toStorageError('migrate', schema, failureOf(error, redact));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    running = null;
    if (own) await sql.end({ timeout: 5 });
  }
  return { schema, applied, skipped };
}
