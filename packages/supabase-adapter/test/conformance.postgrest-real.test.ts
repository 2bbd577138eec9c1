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
// database. Each test's fresh schema is migrated through a direct connection (the REST API cannot
// run DDL) and exposed the way a Supabase user does it (pgrst.db_schemas + notify pgrst).
describeRealPostgrest('conformance through supabase-js and real PostgREST', () => {
  const direct = createPostgresTransport({ connectionString: pgUrl(), max: 4 });
  // A pass-through proxy (no faults) only to count the calls: every storage call went through HTTP.
  let counter: Awaited<ReturnType<typeof startPostgrestFaultProxy>>;

  beforeAll(async () => {
    counter = await startPostgrestFaultProxy({ target: postgrest().url });
  });

  afterAll(async () => {
    expect(counter.calls).toBeGreaterThan(100);
    expect(counter.faults).toEqual({ dropped: 0, failed: 0 });
    await counter.close();
    await direct.close();
  });

  runStorageConformance(
    test,
    async () => {
      const schema = freshSchemaName();
      await migrate({ transport: direct, schema });
      await expose(schema);
      const client = postgrestClient(counter.url, postgrest().serviceRoleKey, schema);
      return createPostgresStorage({ transport: createSupabaseTransport({ client }), schema });
    },
    {
      prefix: 'supabase transport',
      largeBatch: 5000,
      dispose: async (storage) => {
        const { schema } = storage as PostgresStorage;
        await hide(schema);
        await direct.sql.unsafe(`drop schema "${schema}" cascade`);
      },
    },
  );
});
