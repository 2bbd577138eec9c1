import { makeEvent, makeResult, makeRider, riderChange } from '@racesync/sync-core/testing';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, createPostgresTransport, migrate } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';

const admin = adminSql(4);
const schema = freshSchemaName('rs_rls');
const noGrant = `rs_nogrant_${schema.slice(-6)}`;
const usageOnly = `rs_usage_${schema.slice(-6)}`;
const tableGrant = `rs_tables_${schema.slice(-6)}`;
let tables: string[] = [];
let views: string[] = [];
let functions: { name: string; args: string }[] = [];
let noGrantSql: Sql;

const fail = (code: string) => expect.objectContaining({ code });

/** Runs `statement` as `role` (set local role) in its own transaction. */
const asRole = (role: string, statement: string) =>
  admin.begin(async (tx) => {
    await tx.unsafe(`set local role "${role}"`);
    return tx.unsafe(statement);
  });

const attempts = (table: string, column: string) => [
  `select * from "${schema}"."${table}"`,
  `insert into "${schema}"."${table}" default values`,
  `update "${schema}"."${table}" set "${column}" = "${column}"`,
  `delete from "${schema}"."${table}"`,
];

beforeAll(async () => {
  const transport = createPostgresTransport({ connectionString: pgUrl(), max: 2 });
  await migrate({ transport, schema });
  const storage = createPostgresStorage({ transport, schema });
  // Some rows in every table the storage writes.
  await storage.replaceTeam('manual', [1, 2], 1000);
  await storage.writeRiders([riderChange(makeRider(1, 1000), null)]);
  await storage.upsertEvents([makeEvent('e1', Date.now())]);
  await storage.applySignups('e1', [{ riderId: 1, pen: 'B' }], 1000);
  await storage.putSignupChecks([{ eventId: 'e1', fetchedAt: 1000, countsAtFetch: {}, teamSignups: 1 }]);
  await storage.applyResults('e1', [makeResult('e1', 1, 1000)], 1000);
  await storage.putResultJobs([
    { eventId: 'e1', phase: 'initial', dueAt: 1, attempts: 0, priority: 1, eventStartsAt: 1, createdAt: 1 },
  ]);
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
  await storage.rateLimitStore.take('ns:riders', { capacity: 1, intervalMs: 1000 }, Date.now());
  await transport.close();

  tables = (
    await admin<{ t: string }[]>`select tablename as t from pg_tables where schemaname = ${schema} order by 1`
  ).map((r) => r.t);
  views = (
    await admin<{ v: string }[]>`select viewname as v from pg_views where schemaname = ${schema} order by 1`
  ).map((r) => r.v);
  functions = await admin<{ name: string; args: string }[]>`
    select p.proname as name, pg_get_function_identity_arguments(p.oid) as args
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = ${schema} order by 1`;
  await admin.unsafe(`
    create role "${noGrant}" login;
    create role "${usageOnly}" nologin;
    grant usage on schema "${schema}" to "${usageOnly}";
    create role "${tableGrant}" nologin;
    grant usage on schema "${schema}" to "${tableGrant}";
    grant select, insert, update, delete on all tables in schema "${schema}" to "${tableGrant}";
  `);
  noGrantSql = postgres(pgUrl().replace('postgres@', `${noGrant}@`), { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await noGrantSql?.end();
  await admin.unsafe(`drop schema "${schema}" cascade`);
  await admin.unsafe(`
    drop owned by "${usageOnly}"; drop role "${usageOnly}";
    drop owned by "${tableGrant}"; drop role "${tableGrant}";
    drop role "${noGrant}";
  `);
  await admin.end();
});

const firstColumn = async (table: string) =>
  (
    await admin<{ c: string }[]>`select column_name as c from information_schema.columns
      where table_schema = ${schema} and table_name = ${table} and is_identity = 'NO'
      order by ordinal_position limit 1`
  )[0]!.c;

const callOf = (f: { name: string; args: string }) =>
  `select "${schema}"."${f.name}"(${f.args === 'jsonb' ? `'{}'::jsonb` : `'x'`})`;

describe('row-level security and privileges', () => {
  it('is enabled on every table', async () => {
    expect(tables.length).toBe(16);
    const rows = await admin<{ relname: string; relrowsecurity: boolean }[]>`
      select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind = 'r'`;
    expect(rows.filter((r) => !r.relrowsecurity)).toEqual([]);
  });

  it('a login role without grants can neither read nor write any table or view, nor call any function', async () => {
    for (const table of tables) {
      for (const statement of attempts(table, await firstColumn(table))) {
        await expect(noGrantSql.unsafe(statement), statement).rejects.toEqual(fail('42501'));
      }
    }
    for (const view of views) {
      await expect(noGrantSql.unsafe(`select * from "${schema}"."${view}"`)).rejects.toEqual(fail('42501'));
    }
    for (const f of functions)
      await expect(noGrantSql.unsafe(callOf(f)), f.name).rejects.toEqual(fail('42501'));
  });

  it('anon, authenticated and a role with schema usage only get nothing either', async () => {
    for (const role of ['anon', 'authenticated', usageOnly]) {
      for (const table of tables) {
        for (const statement of attempts(table, await firstColumn(table))) {
          await expect(asRole(role, statement), `${role}: ${statement}`).rejects.toEqual(fail('42501'));
        }
      }
      for (const view of views) {
        await expect(asRole(role, `select * from "${schema}"."${view}"`), `${role}: ${view}`).rejects.toEqual(
          fail('42501'),
        );
      }
      for (const f of functions)
        await expect(asRole(role, callOf(f)), `${role}: ${f.name}`).rejects.toEqual(fail('42501'));
    }
  });

  it('even with table privileges, a role that does not bypass RLS sees no row and changes none', async () => {
    for (const table of tables) {
      const [owner] = await admin.unsafe(`select count(*)::int as n from "${schema}"."${table}"`);
      expect(owner?.n, `${table} has rows`).toBeGreaterThan(0);
      const seen = await asRole(tableGrant, `select count(*)::int as n from "${schema}"."${table}"`);
      expect(seen[0]?.n, table).toBe(0);
      const column = await firstColumn(table);
      const updated = await asRole(tableGrant, `update "${schema}"."${table}" set "${column}" = "${column}"`);
      expect(updated.count, table).toBe(0);
      const deleted = await asRole(tableGrant, `delete from "${schema}"."${table}"`);
      expect(deleted.count, table).toBe(0);
    }
    await expect(
      asRole(
        tableGrant,
        `insert into "${schema}".team_members (rider_id, added_at, source) values (9, now(), 'manual')`,
      ),
    ).rejects.toEqual(fail('42501')); // new row violates row-level security policy
  });

  it('service_role (BYPASSRLS) can call the storage functions, but not manage privileges', async () => {
    const [row] = await asRole('service_role', `select "${schema}".get_team('{}'::jsonb) as team`);
    expect(row?.team).toHaveLength(2);
    await expect(asRole('service_role', `select "${schema}".grant_dashboard_read('anon')`)).rejects.toEqual(
      fail('42501'),
    );
  });

  it('grant_dashboard_read gives read-only access to the views, and revoke_dashboard_read takes it back', async () => {
    await admin.unsafe(`select "${schema}".grant_dashboard_read('authenticated')`);
    try {
      for (const view of views) {
        await expect(
          asRole('authenticated', `select * from "${schema}"."${view}"`),
          view,
        ).resolves.toBeDefined();
      }
      const signups = await asRole('authenticated', `select * from "${schema}".team_signups_upcoming`);
      expect(signups).toHaveLength(1);
      const health = await asRole('authenticated', `select * from "${schema}".sync_health_24h`);
      expect(health[0]).toMatchObject({ job: 'riders', runs: '1' });
      await expect(
        asRole(
          'authenticated',
          `insert into "${schema}".team_members (rider_id, added_at, source) values (9, now(), 'x')`,
        ),
      ).rejects.toEqual(fail('42501'));
      await expect(asRole('authenticated', `delete from "${schema}".riders`)).rejects.toEqual(fail('42501'));
      await expect(asRole('authenticated', `select * from "${schema}".leases`)).rejects.toEqual(
        fail('42501'),
      );
      for (const f of functions) {
        await expect(asRole('authenticated', callOf(f)), f.name).rejects.toEqual(fail('42501'));
      }
      await expect(asRole('anon', `select * from "${schema}".sync_health_24h`)).rejects.toEqual(
        fail('42501'),
      );
    } finally {
      await admin.unsafe(`select "${schema}".revoke_dashboard_read('authenticated')`);
    }
    for (const view of views) {
      await expect(asRole('authenticated', `select * from "${schema}"."${view}"`)).rejects.toEqual(
        fail('42501'),
      );
    }
  });
});
