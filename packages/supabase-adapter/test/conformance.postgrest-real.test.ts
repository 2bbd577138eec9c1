import { postgrestClient, startPostgrestFaultProxy } from '@racesync/postgres-kit';
import { runStorageConformance } from '@racesync/sync-core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  migrate,
  type PostgresStorage,
} from '../src/index.ts';
import { freshSchemaName, pgUrl } from './support/db.ts';
import { describeRealPostgrest, expose, hide, postgrest } from './support/postgrest.ts';

// sync-core's conformance suite again, this time through real supabase-js `rpc()` calls to real
// PostgREST 12.0.2, which runs them as `service_role` (from the service-role JWT) on the same
// database. Every test gets a fresh schema, migrated through a direct connection (the REST API
// cannot run DDL) and exposed the way a Supabase user does it (pgrst.db_schemas + notify pgrst).
// Exposing makes PostgREST reload its configuration and schema cache (about half a second), so the
// schemas are prepared and exposed together up front; a test beyond the pool prepares its own.
const POOL = 40;

describeRealPostgrest('conformance through supabase-js and real PostgREST', () => {
  const direct = createPostgresTransport({ connectionString: pgUrl(), max: 4 });
  const pool: string[] = [];
  const used: string[] = [];
  // A pass-through proxy (no faults) only to count the calls: every storage call went through HTTP.
  let counter: Awaited<ReturnType<typeof startPostgrestFaultProxy>>;

  beforeAll(async () => {
    counter = await startPostgrestFaultProxy({ target: postgrest().url });
    pool.push(...Array.from({ length: POOL }, () => freshSchemaName()));
    await Promise.all(pool.map((schema) => migrate({ transport: direct, schema })));
    await expose(...pool);
  }, 120_000);

  afterAll(async () => {
    expect(counter.calls).toBeGreaterThan(100);
    expect(counter.faults).toEqual({ dropped: 0, failed: 0 });
    await counter.close();
    await hide(...pool, ...used);
    await direct.sql.unsafe(pool.map((schema) => `drop schema "${schema}" cascade;`).join('\n'));
    await direct.close();
  });

  runStorageConformance(
    test,
    async () => {
      let schema = pool.shift();
      if (schema === undefined) {
        schema = freshSchemaName();
        await migrate({ transport: direct, schema });
        await expose(schema);
      }
      used.push(schema);
      const client = postgrestClient(counter.url, postgrest().serviceRoleKey, schema);
      return createPostgresStorage({ transport: createSupabaseTransport({ client }), schema });
    },
    {
      prefix: 'supabase transport',
      largeBatch: 5000,
      dispose: async (storage) => {
        const { schema } = storage as PostgresStorage;
        await direct.sql.unsafe(`drop schema "${schema}" cascade`);
      },
    },
  );
});
