import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { PASSWORD, supabaseClient } from '@racesync/postgres-kit';
import { LeaseLostError, StorageError, SyncError } from '@racesync/sync-core';
import { makeRider, riderChange } from '@racesync/sync-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  MigrationsMissingError,
  migrate,
  PermissionDeniedError,
  PostgresStorageError,
} from '../src/index.ts';
import { adminSql, freshSchemaName, passwordUrl, pgUrl } from './support/db.ts';

const admin = adminSql(2);
const migrated = freshSchemaName('rs_err');
const noGrantRole = `rs_err_nogrant_${migrated.slice(-6)}`;
const direct = createPostgresTransport({ connectionString: pgUrl(), max: 4 });
/** A service-role key that is no JWT (only key-based redaction can hide it). */
const SERVICE_KEY = `svc-key-${randomBytes(12).toString('hex')}`;

/** Everything an error exposes: message, stack, enumerable and hidden properties, causes, JSON. */
const everything = (error: unknown) =>
  [
    String(error),
    (error as Error)?.stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
  ].join('\n');

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
};

beforeAll(async () => {
  await migrate({ transport: direct, schema: migrated });
  await admin.unsafe(`create role "${noGrantRole}" login`);
});

afterAll(async () => {
  await direct.close();
  await admin.unsafe(`drop schema "${migrated}" cascade; drop role "${noGrantRole}"`);
  await admin.end();
});

describe('missing migrations', () => {
  it('direct: a schema that does not exist → MigrationsMissingError naming migrate() and supabase db push', async () => {
    const storage = createPostgresStorage({ transport: direct, schema: freshSchemaName('rs_none') });
    const error = await rejection(storage.getTeam());
    expect(error).toBeInstanceOf(MigrationsMissingError);
    expect(error).toBeInstanceOf(PostgresStorageError);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ kind: 'storage', reason: 'migrations_missing', code: '3F000' });
    expect(error.message).toContain('migrate({ connectionString, schema:');
    expect(error.message).toContain('supabase db push');
    expect(error.message).toContain('migrations({ schema:');
    const defaultSchema = await rejection(
      createPostgresStorage({ transport: createPostgresTransport({ sql: direct.sql }) }).getTeam(),
    );
    expect(defaultSchema.message).toContain(
      'node_modules/@racesync/supabase-adapter/supabase/migrations/*.sql',
    );
  });

  it('direct: a schema without the functions → MigrationsMissingError', async () => {
    const schema = freshSchemaName('rs_empty');
    await admin.unsafe(`create schema "${schema}"`);
    try {
      const storage = createPostgresStorage({ transport: direct, schema });
      await expect(storage.writeRiders([riderChange(makeRider(1, 1000), null)])).rejects.toMatchObject({
        name: 'MigrationsMissingError',
        code: '42883',
        schema,
      });
      await expect(storage.verify()).rejects.toBeInstanceOf(MigrationsMissingError);
    } finally {
      await admin.unsafe(`drop schema "${schema}"`);
    }
  });
});

describe('permissions', () => {
  it('direct: a role without grants → PermissionDeniedError naming the grants', async () => {
    const transport = createPostgresTransport({
      connectionString: pgUrl().replace('postgres@', `${noGrantRole}@`),
    });
    try {
      const storage = createPostgresStorage({ transport, schema: migrated });
      const error = await rejection(storage.getRiders());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ kind: 'storage', reason: 'permission_denied', code: '42501' });
      expect(error.message).toContain(`grant usage on schema ${migrated} to <role>`);
      expect(error.message).toContain(`grant execute on all functions in schema ${migrated} to <role>`);
      expect(error.message).toContain('service-role key');
    } finally {
      await transport.close();
    }
  });
});

describe('other failures', () => {
  it('invalid records are rejected before anything is written, with the record named', async () => {
    const storage = createPostgresStorage({ transport: direct, schema: migrated });
    const error = await rejection(
      storage.writeRiders([
        riderChange(makeRider(5, 1000), null),
        riderChange({ ...makeRider(6, 1000), hash: '' }, null),
      ]),
    );
    expect(error).toBeInstanceOf(PostgresStorageError);
    expect(error).toMatchObject({ kind: 'storage', reason: 'invalid_input', operation: 'writeRiders' });
    expect(error.message).toContain('writes[1].rider.hash');
    expect(await storage.getRiders([5])).toEqual([]);
  });

  it('the SQL functions validate too (a caller that bypasses the TypeScript checks)', async () => {
    const error = await rejection(
      direct.call(`${migrated}.write_riders`, {
        writes: [{ rider: { riderId: 7, hash: 'h' }, history: null }],
      }),
    );
    expect(error).toMatchObject({ reason: 'invalid_input', code: '22023' });
    expect(error.message).toContain('writes[0] is invalid');
    await expect(
      direct.call(`${migrated}.apply_signups`, { eventId: 'e', present: 'x', at: 1 }),
    ).rejects.toMatchObject({
      code: '22023',
    });
  });

  it('a fenced write after the lease changed hands → sync-core LeaseLostError (direct; through PostgREST in errors.postgrest-real.test.ts)', async () => {
    for (const transport of [direct]) {
      const storage = createPostgresStorage({ transport, schema: migrated });
      const name = `job:fence:${transport.kind}`;
      const a = await storage.leases.acquire(name, 'a', 1000, 0);
      await storage.leases.acquire(name, 'b', 1000, 5000);
      const error = await rejection(
        storage.putJobState({ job: name, nextDueAt: 1, lastRunAt: 1, lastSuccessAt: 1, cursor: null }, a!),
      );
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(error).toBeInstanceOf(SyncError);
      expect(error).toMatchObject({ kind: 'lease_lost', lease: name });
    }
  });

  it('an unreachable API → PostgresStorageError with reason "connection"', async () => {
    const storage = createPostgresStorage({
      transport: createSupabaseTransport({
        client: supabaseClient('http://127.0.0.1:9', SERVICE_KEY, migrated),
      }),
      schema: migrated,
    });
    await expect(storage.getTeam()).rejects.toMatchObject({
      name: 'PostgresStorageError',
      reason: 'connection',
    });
  });
});

describe('secrets never appear in errors', () => {
  const secrets = [PASSWORD, encodeURIComponent(PASSWORD), SERVICE_KEY];
  const expectClean = (error: unknown) => {
    const text = everything(error);
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('a wrong password (real authentication failure)', async () => {
    const wrong = `wrong-${PASSWORD}`;
    const transport = createPostgresTransport({ connectionString: passwordUrl(wrong) });
    try {
      const error = await rejection(createPostgresStorage({ transport, schema: migrated }).getTeam());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ code: '28P01' });
      // About the credentials, not a grants recipe.
      expect(error.message).toMatch(/refused the login: check the user and password/);
      expect(error.message).not.toMatch(/grant usage/);
      expectClean(error);
      expect(everything(error)).not.toContain(wrong);
    } finally {
      await transport.close();
    }
    const migrateError = await rejection(migrate({ connectionString: passwordUrl(wrong), schema: migrated }));
    expect(migrateError).toBeInstanceOf(PermissionDeniedError);
    expect(everything(migrateError)).not.toContain(wrong);
  });

  it('the right password, but a role without grants', async () => {
    const transport = createPostgresTransport({ connectionString: passwordUrl(PASSWORD) });
    try {
      const error = await rejection(createPostgresStorage({ transport, schema: migrated }).getTeam());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expectClean(error);
    } finally {
      await transport.close();
    }
  });

  it('an unreachable server', async () => {
    const url = passwordUrl(PASSWORD).replace(/:\d+\//, ':9/');
    const transport = createPostgresTransport({ connectionString: url, connectTimeoutSeconds: 2 });
    try {
      const error = await rejection(createPostgresStorage({ transport, schema: migrated }).getTeam());
      expect(error).toMatchObject({ reason: 'connection' });
      expectClean(error);
    } finally {
      await transport.close();
    }
    expectClean(await rejection(migrate({ connectionString: url })));
  });

  it('an unreachable Supabase API', async () => {
    const down = createPostgresStorage({
      transport: createSupabaseTransport({
        client: supabaseClient('http://127.0.0.1:9', SERVICE_KEY, migrated),
      }),
      schema: migrated,
    });
    expectClean(await rejection(down.getTeam()));
  });

  it('inspecting or serialising a transport or a storage shows no password (its pool is not shown)', async () => {
    const transport = createPostgresTransport({ connectionString: passwordUrl(PASSWORD) });
    try {
      const storage = createPostgresStorage({ transport, schema: migrated });
      for (const value of [transport, storage]) {
        const text = [inspect(value, { depth: Number.POSITIVE_INFINITY }), JSON.stringify(value)].join('\n');
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
      // Still there for migrate() and the caller's own queries.
      expect(typeof transport.sql.unsafe).toBe('function');
    } finally {
      await transport.close();
    }
  });

  it('a key or password echoed back by the server is redacted', async () => {
    // A failure whose message contains the secret (e.g. a proxy echoing the request).
    const echo = {
      schema: () => ({
        rpc: async () => ({
          data: null,
          error: {
            code: 'XX000',
            message: `bad key ${SERVICE_KEY}`,
            details: `postgres://u:${PASSWORD}@h/db`,
            hint: null,
          },
          status: 500,
        }),
      }),
      supabaseKey: SERVICE_KEY,
    };
    const error = await rejection(createSupabaseTransport({ client: echo }).call('racesync.get_team', {}));
    expectClean(error);
    expect(error.message).toContain('bad key ***');
  });
});
