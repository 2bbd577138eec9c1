import { runStorageConformance } from '@racesync/sync-core/testing';
import { afterAll, test } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  migrate,
  type PostgresStorage,
} from '../src/index.ts';
import { freshSchemaName, pgUrl } from './support/db.ts';

// sync-core's conformance suite against the storage through the direct-Postgres transport; every
// test gets a freshly migrated schema of its own.
const transport = createPostgresTransport({ connectionString: pgUrl(), max: 12 });
afterAll(() => transport.close());

runStorageConformance(
  test,
  async () => {
    const schema = freshSchemaName();
    await migrate({ transport, schema });
    return createPostgresStorage({ transport, schema });
  },
  {
    prefix: 'postgres transport',
    largeBatch: 5000,
    dispose: async (storage) => {
      await transport.sql.unsafe(`drop schema "${(storage as PostgresStorage).schema}" cascade`);
    },
  },
);
