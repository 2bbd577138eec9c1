import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createPostgresStorage, createPostgresTransport, migrate } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import { hostileInputCases } from './support/hostile-input-cases.ts';

// Through the direct transport; through supabase-js and real PostgREST in
// hostile-input.postgrest-real.test.ts.
const admin = adminSql(2);
const schema = freshSchemaName('rs_hostile');
const direct = createPostgresTransport({ connectionString: pgUrl(), max: 4 });

beforeAll(async () => {
  await migrate({ transport: direct, schema });
});

afterAll(async () => {
  await admin.unsafe(`drop schema "${schema}" cascade`);
  await direct.close();
  await admin.end();
});

describe('hostile input through the postgres transport', () => {
  hostileInputCases(
    'postgres',
    () => createPostgresStorage({ transport: direct, schema }),
    10_000,
    async () => {
      const [row] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_tables where schemaname = ${schema}`;
      expect(row?.n).toBe(16);
    },
  );
});
