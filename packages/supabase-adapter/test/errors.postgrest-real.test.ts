import { inspect } from 'node:util';
import { postgrestClient, signHs256, startPostgrest } from '@racesync/postgres-kit';
import { LeaseLostError } from '@racesync/sync-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  MigrationsMissingError,
  migrate,
  PermissionDeniedError,
  PostgresStorageError,
  SchemaNotExposedError,
} from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import { describeRealPostgrest, expose, hide, postgrest, postgrestJwtSecret } from './support/postgrest.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// The error mapping of the supabase-js transport against real PostgREST 12.0.2: every failure a
// Supabase user meets (schema not exposed, migrations missing, the anon or a signed-in user's key,
// a key that is no JWT, signed with another secret, expired, or naming a role that does not exist),
// with PostgREST's real status codes and bodies — and no key in any of them.

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

/** PostgREST's own message and details, as the error keeps them (its `cause`). */
const body = (error: Error) => String((error.cause as Error | undefined)?.message);

describeRealPostgrest('errors from real PostgREST through supabase-js', () => {
  const admin = adminSql(2);
  const migrated = freshSchemaName('rs_perr');
  const empty = freshSchemaName('rs_pempty');
  const never = freshSchemaName('rs_pnever');
  const hidden = freshSchemaName('rs_phidden');
  const direct = createPostgresTransport({ connectionString: pgUrl(), max: 2 });
  const storageWith = (key: string, schema = migrated) =>
    createPostgresStorage({
      transport: createSupabaseTransport({ client: postgrestClient(postgrest().url, key, schema) }),
      schema,
    });
  const now = () => Math.floor(Date.now() / 1000);
  const keys = () => {
    const secret = postgrestJwtSecret();
    return {
      service: postgrest().serviceRoleKey,
      anon: postgrest().anonKey,
      authenticated: postgrest().authenticatedKey,
      otherSecret: signHs256(
        { role: 'service_role', iss: 'supabase', iat: now(), exp: now() + 600 },
        'another-project-secret-0123456789abcdef',
      ),
      // PostgREST allows 30 s of clock skew: expired well before that.
      expired: signHs256(
        { role: 'service_role', iss: 'supabase', iat: now() - 7200, exp: now() - 3600 },
        secret,
      ),
      unknownRole: signHs256({ role: 'captain', iss: 'supabase', iat: now(), exp: now() + 600 }, secret),
    };
  };

  beforeAll(async () => {
    await migrate({ transport: direct, schema: migrated });
    await migrate({ transport: direct, schema: hidden });
    await admin.unsafe(`create schema "${empty}"`);
    // `never` is exposed but was never created: a project whose migrations never ran.
    await expose(migrated, empty, never);
  });

  afterAll(async () => {
    await hide(migrated, empty, never);
    await admin.unsafe(
      `drop schema "${migrated}" cascade; drop schema "${hidden}" cascade; drop schema "${empty}" cascade`,
    );
    await direct.close();
    await admin.end();
  });

  describe('missing migrations (404 PGRST202)', () => {
    it('an exposed schema without the functions → MigrationsMissingError naming the fix', async () => {
      const error = await rejection(storageWith(keys().service, empty).listEvents());
      expect(error).toBeInstanceOf(MigrationsMissingError);
      expect(error).toMatchObject({ code: 'PGRST202', status: 404, schema: empty });
      expect(error.message).toContain("notify pgrst, 'reload schema'");
      expect(error.message).toContain('supabase db push');
      expect(body(error)).toContain(`Could not find the function ${empty}.list_events`);
      expect(body(error)).toContain('or with a single unnamed json/jsonb parameter');
      await expect(storageWith(keys().service, empty).verify()).rejects.toBeInstanceOf(
        MigrationsMissingError,
      );
    });

    it('an exposed schema that does not exist → the same', async () => {
      const error = await rejection(storageWith(keys().service, never).getTeam());
      expect(error).toBeInstanceOf(MigrationsMissingError);
      expect(error).toMatchObject({ code: 'PGRST202', status: 404 });
      expect(body(error)).toContain(`Could not find the function ${never}.get_team without parameters`);
    });
  });

  describe('schema exposure (406 PGRST106)', () => {
    it('a migrated schema missing from pgrst.db_schemas → SchemaNotExposedError naming the setting', async () => {
      const storage = storageWith(keys().service, hidden);
      const error = await rejection(storage.getTeam());
      expect(error).toBeInstanceOf(SchemaNotExposedError);
      expect(error).toMatchObject({
        kind: 'storage',
        reason: 'schema_not_exposed',
        code: 'PGRST106',
        status: 406,
        schema: hidden,
      });
      expect(error.message).toContain('Exposed schemas');
      expect(error.message).toContain('config.toml');
      expect(body(error)).toMatch(/^The schema must be one of the following: public, /);
      expect(body(error)).toContain(migrated);
      expect(body(error)).not.toContain(hidden);
      await expect(
        storage.rateLimitStore.take('k', { capacity: 1, intervalMs: 1 }, 0),
      ).rejects.toBeInstanceOf(SchemaNotExposedError);
      await expect(storage.leases.acquire('l', 'h', 1, 0)).rejects.toBeInstanceOf(SchemaNotExposedError);
    });
  });

  describe('permissions and keys', () => {
    it('the anon key → PermissionDeniedError (HTTP 401, 42501: no grant on the schema)', async () => {
      const error = await rejection(storageWith(keys().anon).getTeam());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ code: '42501', status: 401 });
      expect(body(error)).toBe(`permission denied for schema ${migrated}`);
    });

    it("a signed-in user's key (authenticated) → PermissionDeniedError (HTTP 403, 42501)", async () => {
      const error = await rejection(storageWith(keys().authenticated).getTeam());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ code: '42501', status: 403 });
    });

    it('service_role cannot call the owner-only grant functions (HTTP 403, 42501)', async () => {
      const transport = createSupabaseTransport({
        client: postgrestClient(postgrest().url, keys().service, migrated),
      });
      const error = await rejection(transport.call(`${migrated}.grant_dashboard_read`, { p_role: 'anon' }));
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ code: '42501', status: 403 });
      expect(body(error)).toBe('permission denied for function grant_dashboard_read');
    });

    it.each([
      ['a key that is no JWT', () => 'not-a-key', 'JWSError (CompactDecodeError Invalid number of parts'],
      ['a key signed with another secret', () => keys().otherSecret, 'JWSError JWSInvalidSignature'],
      ['an expired key', () => keys().expired, 'JWT expired'],
    ])('%s → PermissionDeniedError (HTTP 401, PGRST301)', async (_name, key, text) => {
      const error = await rejection(storageWith(key()).getTeam());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ code: 'PGRST301', status: 401, reason: 'permission_denied' });
      expect(body(error)).toContain(text);
      expect(error.message).toContain('service-role key');
    });

    it('a key for a role that does not exist (HTTP 400, 22023) → PermissionDeniedError, not "invalid input"', async () => {
      const error = await rejection(storageWith(keys().unknownRole).getTeam());
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error).toMatchObject({ code: '22023', status: 400, reason: 'permission_denied' });
      expect(body(error)).toBe('role "captain" does not exist');
    });
  });

  describe('errors raised by the functions', () => {
    it('an invalid record (22023 from SQL, HTTP 400) → PostgresStorageError invalid_input', async () => {
      const transport = createSupabaseTransport({
        client: postgrestClient(postgrest().url, keys().service, migrated),
      });
      const error = await rejection(
        transport.call(`${migrated}.write_riders`, {
          writes: [{ rider: { riderId: 7, hash: 'h' }, history: null }],
        }),
      );
      expect(error).toBeInstanceOf(PostgresStorageError);
      expect(error).toMatchObject({ reason: 'invalid_input', code: '22023', status: 400 });
      expect(error.message).toContain('writes[0] is invalid');
    });

    it('a fenced write after the lease changed hands → sync-core LeaseLostError (RSL01 with its details)', async () => {
      const storage = storageWith(keys().service);
      const a = await storage.leases.acquire('job:fence', 'a', 1000, 0);
      const b = await storage.leases.acquire('job:fence', 'b', 1000, 5000);
      expect(b?.token).toBeGreaterThan(a!.token);
      const error = await rejection(
        storage.putJobState(
          { job: 'job:fence', nextDueAt: 1, lastRunAt: 1, lastSuccessAt: 1, cursor: null },
          a!,
        ),
      );
      expect(error).toBeInstanceOf(LeaseLostError);
      expect(error).toMatchObject({ kind: 'lease_lost', lease: 'job:fence' });
      expect(error.message).toContain(`(token ${a!.token})`);
    });
  });

  /** Waits (up to 60 s) until PostgREST's output after its first `from` characters has one of `lines`. */
  async function waitForOutput(output: () => string, from: number, lines: string[]): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!lines.some((line) => output().slice(from).includes(line))) {
      if (Date.now() > deadline)
        throw new Error(`PostgREST logged none of ${lines.join(' / ')}:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Waits (up to 60 s) until PostgREST's admin `/ready` says it is connected again. */
  async function waitForReady(adminUrl: string, output: () => string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${adminUrl}/ready`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`PostgREST did not reconnect:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describe('the database unreachable behind PostgREST', () => {
    it('PostgREST answers 503 (PGRST00x) → PostgresStorageError "connection"; calls work again once it reconnected', async () => {
      // A second PostgREST whose database connections go through a proxy that can cut them.
      const tcp = await startTcpProxy(inject('pgPort'));
      const api = await startPostgrest({
        connectionString: `postgres://postgres@127.0.0.1:${tcp.port}/postgres`,
        schemas: [migrated],
      });
      try {
        const storage = createPostgresStorage({
          transport: createSupabaseTransport({
            client: postgrestClient(api.url, api.serviceRoleKey, migrated),
          }),
          schema: migrated,
        });
        await storage.getSignupChecks([]);
        const logged = api.output().length;
        await tcp.down();
        // The proxy cut every connection. PostgREST notices through its listener and starts over:
        // until it has found the database gone, its pool may still hand a request a dead connection
        // (seen: HTTP 400 with an empty error, not the 503 under test). It has found it once its
        // schema cache reload failed or its reconnection was refused (it logs either); from then on
        // every request is answered 503 without touching the pool.
        await waitForOutput(api.output, logged, [
          'An error ocurred when loading the schema cache',
          'Attempting to reconnect to the database',
        ]);
        const error = await rejection(storage.getSignupChecks([]));
        expect(error).toBeInstanceOf(PostgresStorageError);
        expect(error).toMatchObject({ reason: 'connection', status: 503 });
        // Seen here: PGRST002 "Could not query the database for the schema cache. Retrying."
        expect(String(error.code)).toMatch(/^PGRST00[0-2]$/);
        expect(body(error)).toMatch(/database/i);
        await tcp.up();
        // PostgREST reconnects on its own: wait until it says it is ready again.
        await waitForReady(api.adminUrl, api.output);
        await expect(storage.getSignupChecks([])).resolves.toEqual([]);
      } finally {
        await api.stop();
        await tcp.close();
      }
    }, 90_000);
  });

  describe('no key in any error', () => {
    it('schema not exposed, migrations missing, anon, authenticated, bad, foreign, expired and unknown-role keys', async () => {
      const k = keys();
      const errors = [
        await rejection(storageWith(k.service, hidden).getTeam()),
        await rejection(storageWith(k.service, empty).getTeam()),
        await rejection(storageWith(k.anon).getTeam()),
        await rejection(storageWith(k.authenticated).getTeam()),
        await rejection(storageWith(k.otherSecret).getTeam()),
        await rejection(storageWith(k.expired).getTeam()),
        await rejection(storageWith(k.unknownRole).getTeam()),
      ];
      const secrets = [...Object.values(k), postgrestJwtSecret()];
      for (const error of errors) {
        const text = everything(error);
        for (const secret of secrets) expect(text).not.toContain(secret);
        // Not even a part of one (a JWT's signature or payload).
        for (const secret of Object.values(k)) {
          for (const part of secret.split('.').filter((p) => p.length > 16)) expect(text).not.toContain(part);
        }
      }
    });
  });
});
