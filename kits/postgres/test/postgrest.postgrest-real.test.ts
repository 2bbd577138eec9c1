import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exposedSchemas,
  exposeSchemas,
  findPostgrest,
  type PgCluster,
  type PostgrestServer,
  postgrestClient,
  startPgCluster,
  startPostgrest,
  startPostgrestFaultProxy,
  startSupabaseApi,
  supabaseClient,
} from '../src/index.ts';

const binary = findPostgrest(); // in CI a missing binary throws here: the file fails, never skips
const childScript = fileURLToPath(new URL('./support/postgrest-child.ts', import.meta.url));

/** Whether something answers on `url` (a refused connection is "no"). */
const answers = async (url: string) => {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
};
/** Waits (bounded) until `url` stops answering: the observable sign that PostgREST is gone. */
const untilGone = async (url: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (await answers(url)) {
    if (Date.now() > deadline) throw new Error(`${url} still answers after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.skipIf(binary.skip !== undefined)(
  `real PostgREST fixture${binary.skip ? ` — skipped: ${binary.skip}` : ''}`,
  () => {
    let cluster: PgCluster;
    let sql: postgres.Sql;
    let server: PostgrestServer;

    beforeAll(async () => {
      cluster = await startPgCluster();
      sql = postgres(cluster.url, { max: 2, onnotice: () => {} });
      await sql.unsafe(`
        create schema kit_a;
        create function kit_a.whoami(jsonb) returns jsonb language sql stable
          as $$ select jsonb_build_object('role', current_user, 'claims', current_setting('request.jwt.claims', true)::jsonb) $$;
        grant usage on schema kit_a to anon, authenticated, service_role;
        grant execute on function kit_a.whoami(jsonb) to anon, authenticated, service_role;
        create schema kit_b;
      `);
      server = await startPostgrest({ connectionString: cluster.url, schemas: ['kit_a'] });
    });

    afterAll(async () => {
      await server?.stop();
      await sql?.end();
      await cluster?.stop();
    });

    it("is ready, and each minted key runs as its role (JWT verified with this start's secret)", async () => {
      expect(server.jwtSecret.length).toBeGreaterThanOrEqual(32);
      expect((await fetch(`${server.adminUrl}/ready`)).status).toBe(200);
      for (const [key, role] of [
        [server.serviceRoleKey, 'service_role'],
        [server.anonKey, 'anon'],
        [server.authenticatedKey, 'authenticated'],
      ] as const) {
        const { data, error, status } = await postgrestClient(server.url, key, 'kit_a').rpc('whoami', {});
        expect(error).toBeNull();
        expect(status).toBe(200);
        expect(data).toMatchObject({ role, claims: { role, iss: 'supabase' } });
      }
      const server2 = await fetch(`${server.url}/`, { headers: { 'accept-profile': 'kit_a' } });
      expect(server2.headers.get('server')).toBe('postgrest/12.0.2');
    });

    it('exposes schemas the Supabase way (pgrst.db_schemas + notify) and waits until they are served', async () => {
      expect(await exposedSchemas(sql)).toEqual(['public', 'kit_a']);
      const db = postgrestClient(server.url, server.serviceRoleKey, 'kit_b');
      expect((await db.rpc('whoami', {})).error?.code).toBe('PGRST106');
      await sql.unsafe(`
        create function kit_b.whoami(jsonb) returns jsonb language sql stable as $$ select '"b"'::jsonb $$;
        grant usage on schema kit_b to service_role;
        grant execute on function kit_b.whoami(jsonb) to service_role;
      `);
      await exposeSchemas(sql, { add: ['kit_b'], postgrest: server });
      // Served at once: the schema and its function (no stale schema cache, no PGRST202).
      expect(await db.rpc('whoami', {})).toMatchObject({ data: 'b', error: null });
      expect(await exposedSchemas(sql)).toEqual(['public', 'kit_a', 'kit_b']);
      await exposeSchemas(sql, { remove: ['kit_b'], postgrest: server });
      expect((await db.rpc('whoami', {})).error?.code).toBe('PGRST106');
      await expect(exposeSchemas(sql, { add: ["x'; drop role anon; --"] })).rejects.toThrow(
        'not a schema name',
      );
    });

    it('the fault proxy strips /rest/v1 like the gateway, counts calls, drops and fails on demand', async () => {
      const proxy = await startPostgrestFaultProxy({ target: server.url });
      try {
        // A plain client (no custom fetch), as another process would use it.
        const db = supabaseClient(proxy.url, server.serviceRoleKey, 'kit_a');
        expect((await db.rpc('whoami', {})).data).toMatchObject({ role: 'service_role' });
        proxy.failNext(2, 502);
        proxy.dropNext(1, { fn: /^whoami$/ });
        const first = await db.rpc('whoami', {});
        const second = await db.rpc('whoami', {});
        expect([first.status, second.status]).toEqual([502, 502]);
        expect(first.error?.message).toBe('An invalid response was received from the upstream server');
        const dropped = await db.rpc('whoami', {});
        expect(dropped.status).toBe(0);
        expect(dropped.error?.message).toMatch(/terminated|other side closed|socket/i);
        expect((await db.rpc('whoami', {})).status).toBe(200);
        expect(proxy.calls).toBe(5);
        expect(proxy.faults).toEqual({ dropped: 1, failed: 2 });
      } finally {
        await proxy.close();
      }
    });

    it('startSupabaseApi: a Supabase URL for clients without a custom fetch (another process)', async () => {
      const api = await startSupabaseApi({ connectionString: cluster.url, schemas: ['kit_a'] });
      try {
        const db = supabaseClient(api.url, api.serviceRoleKey, 'kit_a');
        expect((await db.rpc('whoami', {})).data).toMatchObject({ role: 'service_role' });
        expect(api.calls).toBe(1);
      } finally {
        await api.close();
      }
      expect(await answers(`${api.postgrest.adminUrl}/live`)).toBe(false);
      expect(await answers(`${api.url}/`)).toBe(false);
    });

    it('stops cleanly, and never outlives a test process that is killed', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', childScript, cluster.url], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const started = await new Promise<{ adminUrl: string }>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before PostgREST was ready`)));
      });
      expect(await answers(`${started.adminUrl}/live`)).toBe(true);
      child.kill('SIGKILL');
      await untilGone(`${started.adminUrl}/live`);

      const other = await startPostgrest({ connectionString: cluster.url });
      expect(await answers(`${other.adminUrl}/live`)).toBe(true);
      await other.stop();
      expect(await answers(`${other.adminUrl}/live`)).toBe(false);
      expect(await answers(`${other.url}/`)).toBe(false);
    });
  },
);
