import { supabaseClient } from '@racesync/postgres-kit';
import { runStorageConformance } from '@racesync/sync-core/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, test } from 'vitest';
import { createPostgresStorage, createSupabaseTransport, migrate } from '../src/index.ts';

// Opt-in: sync-core's conformance suite against a REAL Supabase project, through supabase-js.
//   SUPABASE_URL=https://<ref>.supabase.co
//   SUPABASE_SERVICE_ROLE_KEY=<service-role key>
//   SUPABASE_DB_URL=<postgres connection string of the project>   (migrations + emptying the schema)
//   RACESYNC_TEST_SCHEMA=racesync_conformance                    (optional; must be in "Exposed schemas")
// The schema is migrated, then EMPTIED before every test: use a dedicated one, never your data's.
const url = process.env.SUPABASE_URL;
const key = process.env.SUPABASE_SERVICE_ROLE_KEY;
const dbUrl = process.env.SUPABASE_DB_URL;
const schema = process.env.RACESYNC_TEST_SCHEMA ?? 'racesync_conformance';

if (!url || !key || !dbUrl) {
  test.skip('real Supabase conformance — skipped: set SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY and SUPABASE_DB_URL to run it', () => {});
} else {
  if (schema === 'racesync')
    throw new Error('RACESYNC_TEST_SCHEMA must not be "racesync": the tests empty it');
  const sql = postgres(dbUrl, { max: 1, prepare: false, onnotice: () => {} });
  beforeAll(async () => {
    await migrate({ sql, schema });
    // Fails with SchemaNotExposedError naming the setting when the schema is not exposed.
    await createPostgresStorage({
      transport: createSupabaseTransport({ client: supabaseClient(url, key, schema) }),
      schema,
    }).verify();
  });
  afterAll(() => sql.end());

  runStorageConformance(
    test,
    async () => {
      const tables = await sql<{ t: string }[]>`
        select tablename as t from pg_tables where schemaname = ${schema} and tablename <> 'schema_migrations'`;
      await sql.unsafe(
        `truncate ${tables.map((r) => `"${schema}"."${r.t}"`).join(', ')} restart identity cascade`,
      );
      return createPostgresStorage({
        transport: createSupabaseTransport({ client: supabaseClient(url, key, schema) }),
        schema,
      });
    },
    { prefix: 'real Supabase', largeBatch: 2000, timeoutMs: 120_000 },
  );
}
