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
import { type Loopback, startPostgrestLoopback } from './support/postgrest-loopback.ts';
import { SERVICE_KEY, supabaseClient } from './support/supabase.ts';

// sync-core's conformance suite again, this time through real supabase-js 2.109 `rpc()` calls:
// HTTP requests to a loopback PostgREST stand-in that runs them as `service_role` on the same
// database. Migrations go through a direct connection (the REST API cannot run DDL).
const direct = createPostgresTransport({ connectionString: pgUrl(), max: 4 });
let loopback: Loopback;
let callsAtStart = 0;

beforeAll(async () => {
  loopback = await startPostgrestLoopback({
    connectionString: pgUrl(),
    keys: { [SERVICE_KEY]: 'service_role' },
  });
  callsAtStart = loopback.calls;
});

afterAll(async () => {
  // Every storage call of the suite went through HTTP.
  expect(loopback.calls - callsAtStart).toBeGreaterThan(100);
  await loopback.close();
  await direct.close();
});

runStorageConformance(
  test,
  async () => {
    const schema = freshSchemaName();
    await migrate({ transport: direct, schema });
    loopback.exposedSchemas.add(schema);
    const client = supabaseClient(loopback.url, SERVICE_KEY, schema);
    return createPostgresStorage({ transport: createSupabaseTransport({ client }), schema });
  },
  {
    prefix: 'supabase transport',
    largeBatch: 5000,
    dispose: async (storage) => {
      const { schema } = storage as PostgresStorage;
      loopback.exposedSchemas.delete(schema);
      await direct.sql.unsafe(`drop schema "${schema}" cascade`);
    },
  },
);
