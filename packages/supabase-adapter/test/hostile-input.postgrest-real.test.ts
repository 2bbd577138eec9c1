import { postgrestClient } from '@racesync/postgres-kit';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPostgresStorage, createSupabaseTransport, migrate } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import { hostileInputCases } from './support/hostile-input-cases.ts';
import { describeRealPostgrest, expose, hide, postgrest } from './support/postgrest.ts';

// The hostile-input cases through supabase-js and real PostgREST: every value travels as JSON in an
// HTTP body, is handed by PostgREST to the function's jsonb parameter, and comes back as PostgREST
// renders the jsonb result.
describeRealPostgrest('hostile input through supabase-js and real PostgREST', () => {
  const admin = adminSql(2);
  const schema = freshSchemaName('rs_phostile');

  beforeAll(async () => {
    await migrate({ connectionString: pgUrl(), schema });
    await expose(schema);
  });

  afterAll(async () => {
    await hide(schema);
    await admin.unsafe(`drop schema "${schema}" cascade`);
    await admin.end();
  });

  hostileInputCases(
    'supabase',
    () =>
      createPostgresStorage({
        transport: createSupabaseTransport({
          client: postgrestClient(postgrest().url, postgrest().serviceRoleKey, schema),
        }),
        schema,
      }),
    20_000,
    async () => {
      const [row] = await admin<{ n: number }[]>`
        select count(*)::int as n from pg_tables where schemaname = ${schema}`;
      expect(row?.n).toBe(16);
    },
  );
});
