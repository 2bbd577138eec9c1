import { postgrestClient } from '@racesync/postgres-kit';
import { makeEvent, makeResult, makeRider, riderChange } from '@racesync/sync-core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresStorage, createPostgresTransport, migrate } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import { describeRealPostgrest, expose, hide, postgrest } from './support/postgrest.ts';

// Row-level security and privileges as a Supabase client meets them: real anon, authenticated and
// service-role JWTs sent to real PostgREST, which switches to the role the token names. (rls.test.ts
// checks the same rules in SQL with `set role`; this checks them through the REST API.)
describeRealPostgrest('RLS and privileges through real PostgREST with real JWTs', () => {
  const admin = adminSql(2);
  const schema = freshSchemaName('rs_prls');
  let tables: string[] = [];
  let views: string[] = [];
  let functions: string[] = [];
  const client = (key: string) => postgrestClient(postgrest().url, key, schema);
  const roles = () => [
    { role: 'anon', key: postgrest().anonKey, status: 401 },
    { role: 'authenticated', key: postgrest().authenticatedKey, status: 403 },
  ];

  beforeAll(async () => {
    const transport = createPostgresTransport({ connectionString: pgUrl(), max: 2 });
    await migrate({ transport, schema });
    const storage = createPostgresStorage({ transport, schema });
    await storage.replaceTeam('manual', [1, 2], 1000);
    await storage.writeRiders([riderChange(makeRider(1, 1000), null)]);
    await storage.upsertEvents([makeEvent('e1', Date.now() + 3_600_000)]);
    await storage.applySignups('e1', [{ riderId: 1, pen: 'B' }], 1000);
    await storage.applyResults('e1', [makeResult('e1', 1, 1000)], 1000);
    await storage.putJobState({ job: 'riders', nextDueAt: 1, lastRunAt: 1, lastSuccessAt: 1, cursor: null });
    await storage.appendSyncLog([
      {
        runId: 'r1',
        job: 'riders',
        startedAt: Date.now(),
        finishedAt: Date.now(),
        status: 'ok',
        apiCalls: 1,
        records: 1,
        changes: 1,
        errorKind: null,
        message: null,
      },
    ]);
    await storage.leases.acquire('job:riders', 'a', 1000, 0);
    await transport.close();
    tables = (
      await admin<
        { t: string }[]
      >`select tablename as t from pg_tables where schemaname = ${schema} order by 1`
    ).map((r) => r.t);
    views = (
      await admin<{ v: string }[]>`select viewname as v from pg_views where schemaname = ${schema} order by 1`
    ).map((r) => r.v);
    functions = (
      await admin<{ name: string }[]>`
        select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = ${schema} order by 1`
    ).map((r) => r.name);
    await expose(schema);
  });

  afterAll(async () => {
    await hide(schema);
    await admin.unsafe(`drop schema "${schema}" cascade`);
    await admin.end();
  });

  it('anon (HTTP 401) and authenticated (HTTP 403) can neither read nor write any table or view, nor call any function', async () => {
    expect(tables).toHaveLength(16);
    expect(views.length).toBeGreaterThanOrEqual(5);
    expect(functions.length).toBeGreaterThanOrEqual(30);
    for (const { role, key, status } of roles()) {
      const db = client(key);
      for (const relation of [...tables, ...views]) {
        const read = await db.from(relation).select('*');
        expect({ role, relation, status: read.status, code: read.error?.code }).toEqual({
          role,
          relation,
          status,
          code: '42501',
        });
      }
      for (const table of tables) {
        for (const write of [
          db.from(table).insert({}),
          db.from(table).delete().not('ctid', 'is', null),
          db.from(table).update({}).not('ctid', 'is', null),
        ]) {
          const answer = await write;
          expect(answer.error?.code, `${role}: write ${table} → ${JSON.stringify(answer.error)}`).toBe(
            '42501',
          );
          expect(answer.status).toBe(status);
        }
      }
      for (const fn of functions) {
        const answer = await db.rpc(fn, fn.endsWith('dashboard_read') ? { p_role: role } : {});
        expect({ role, fn, status: answer.status, code: answer.error?.code }).toEqual({
          role,
          fn,
          status,
          code: '42501',
        });
      }
    }
  });

  it('service_role (BYPASSRLS) reads every row through the API and calls the storage functions', async () => {
    const db = client(postgrest().serviceRoleKey);
    const riders = await db.from('riders').select('rider_id');
    expect(riders.error).toBeNull();
    expect(riders.data).toEqual([{ rider_id: 1 }]);
    const team = await db.rpc('get_team', {});
    expect(team.error).toBeNull();
    expect((team.data as unknown[]).length).toBe(2);
    const grant = await db.rpc('grant_dashboard_read', { p_role: 'anon' });
    expect(grant).toMatchObject({ status: 403, error: { code: '42501' } });
  });

  it('grant_dashboard_read: a signed-in user reads the views (and only them) through the API; revoke takes it back', async () => {
    await admin.unsafe(`select "${schema}".grant_dashboard_read('authenticated')`);
    const user = client(postgrest().authenticatedKey);
    const anon = client(postgrest().anonKey);
    try {
      for (const view of views) {
        const read = await user.from(view).select('*');
        expect(read.error, view).toBeNull();
        expect(read.status).toBe(200);
      }
      const upcoming = await user.from('team_signups_upcoming').select('*');
      expect(upcoming.data).toHaveLength(1);
      const health = await user.from('sync_health_24h').select('job, runs');
      expect(health.data).toEqual([{ job: 'riders', runs: 1 }]);
      // The tables behind the views: readable (policy), not writable; the leases stay closed.
      const riders = await user.from('riders').select('rider_id');
      expect(riders.data).toEqual([{ rider_id: 1 }]);
      expect(
        (
          await user
            .from('team_members')
            .insert({ rider_id: 9, added_at: new Date().toISOString(), source: 'x' })
        ).error?.code,
      ).toBe('42501');
      expect((await user.from('riders').delete().eq('rider_id', 1)).error?.code).toBe('42501');
      expect((await user.from('leases').select('*')).error?.code).toBe('42501');
      for (const fn of functions) {
        const answer = await user.rpc(fn, fn.endsWith('dashboard_read') ? { p_role: 'authenticated' } : {});
        expect(answer.error?.code, fn).toBe('42501');
      }
      // anon got nothing.
      const anonRead = await anon.from('sync_health_24h').select('*');
      expect(anonRead).toMatchObject({ status: 401, error: { code: '42501' } });
    } finally {
      await admin.unsafe(`select "${schema}".revoke_dashboard_read('authenticated')`);
    }
    for (const view of views) {
      const read = await user.from(view).select('*');
      expect({ view, code: read.error?.code, status: read.status }).toEqual({
        view,
        code: '42501',
        status: 403,
      });
    }
  });
});
