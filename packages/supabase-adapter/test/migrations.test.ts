import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPgCluster } from '@racesync/postgres-kit';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  MigrationsMissingError,
  migrate,
  migrations,
} from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = `${root}supabase/migrations`;
const admin = adminSql(4);
const TABLES = [
  'schema_migrations',
  'team_members',
  'riders',
  'rider_history',
  'events',
  'signups',
  'signup_lists',
  'signup_checks',
  'results',
  'result_sets',
  'result_jobs',
  'job_states',
  'sync_log',
  'leases',
  'rate_limit_buckets',
  'rate_limit_usage',
];
afterAll(() => admin.end());

const objectsOf = async (schema: string) => {
  const [row] = await admin<{ tables: number; functions: number; views: number }[]>`
    select
      (select count(*)::int from pg_tables where schemaname = ${schema}) as tables,
      (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = ${schema}) as functions,
      (select count(*)::int from pg_views where schemaname = ${schema}) as views`;
  return row!;
};

describe('migrations()', () => {
  it('returns the shipped files in order (Supabase CLI layout), with the default schema unchanged', () => {
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) expect(file).toMatch(/^\d{14}_[a-z0-9_]+\.sql$/);
    const list = migrations();
    expect(list.map((m) => `${m.name}.sql`)).toEqual(files);
    for (const m of list) expect(m.sql).toBe(readFileSync(`${dir}/${m.name}.sql`, 'utf8'));
  });

  it('substitutes the schema name everywhere, and only the schema name', () => {
    const list = migrations({ schema: 'team_data' });
    for (const m of list) {
      expect(m.sql).not.toMatch(/\bracesync\b/);
      expect(m.sql).toContain('team_data.');
    }
    expect(list.map((m) => m.name)).toEqual(migrations().map((m) => m.name)); // names never change
    expect(list[3]?.sql).toContain("'racesync_dashboard_read_'"); // a policy-name prefix, not the schema
  });

  it('rejects schema names that would need quoting', () => {
    for (const bad of [
      'Racesync',
      'race-sync',
      '1abc',
      'pg_x',
      'a"b',
      'x; drop table y',
      '',
      'a'.repeat(64),
    ]) {
      expect(() => migrations({ schema: bad })).toThrow(
        expect.objectContaining({ kind: 'config', option: 'schema' }),
      );
    }
  });

  it('the embedded copy (src/migrations/files.generated.ts) matches supabase/migrations', () => {
    expect(() =>
      execFileSync('node', [`${root}scripts/embed-migrations.mjs`, '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});

describe('migrate()', () => {
  it('applies everything once; a second run applies nothing', async () => {
    const schema = freshSchemaName('rs_m');
    const first = await migrate({ connectionString: pgUrl(), schema });
    expect(first.applied).toEqual(migrations().map((m) => m.name));
    expect(first.skipped).toEqual([]);
    const second = await migrate({ connectionString: pgUrl(), schema });
    expect(second).toEqual({ schema, applied: [], skipped: first.applied });
    const recorded = await admin.unsafe(`select name from "${schema}".schema_migrations order by name`);
    expect(recorded.map((r) => r.name)).toEqual(first.applied);
    expect(await objectsOf(schema)).toMatchObject({ tables: TABLES.length, views: 5 });
    const tables = await admin<
      { tablename: string }[]
    >`select tablename from pg_tables where schemaname = ${schema} order by 1`;
    expect(tables.map((t) => t.tablename)).toEqual([...TABLES].sort());
  });

  it('is safe when several processes migrate one schema at once', async () => {
    const schema = freshSchemaName('rs_m');
    // Separate connections (each call opens its own), started together.
    const results = await Promise.all(
      Array.from({ length: 5 }, () => migrate({ connectionString: pgUrl(), schema })),
    );
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(
      migrations()
        .map((m) => m.name)
        .sort(),
    ); // each migration applied exactly once
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const recorded = await admin.unsafe(`select count(*)::int as n from "${schema}".schema_migrations`);
    expect(recorded[0]?.n).toBe(migrations().length);
  });

  it('recognises migrations applied by the Supabase CLI (the files, one transaction each)', async () => {
    const schema = freshSchemaName('rs_m');
    const cli = postgres(pgUrl(), { max: 1, onnotice: () => {} });
    try {
      for (const m of migrations({ schema })) await cli.begin((tx) => tx.unsafe(m.sql));
    } finally {
      await cli.end();
    }
    const result = await migrate({ connectionString: pgUrl(), schema });
    expect(result.applied).toEqual([]);
    expect(result.skipped).toHaveLength(migrations().length);
  });

  it('applies only what is missing, and the files themselves are idempotent', async () => {
    const schema = freshSchemaName('rs_m');
    const all = migrations({ schema });
    const conn = postgres(pgUrl(), { max: 1, onnotice: () => {} });
    try {
      await conn.unsafe(all[0]!.sql);
      await conn.unsafe(all[1]!.sql);
      await conn.unsafe(all[1]!.sql); // twice: no error
      const transport = createPostgresTransport({ sql: conn });
      const storage = createPostgresStorage({ transport, schema });
      const error = await storage.verify().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationsMissingError);
      expect((error as MigrationsMissingError).missing).toEqual([all[2]!.name, all[3]!.name]);
      const result = await migrate({ transport, schema });
      expect(result.applied).toEqual([all[2]!.name, all[3]!.name]);
      await expect(storage.verify()).resolves.toBeUndefined();
      for (const m of all) await conn.unsafe(m.sql); // re-applying every file is harmless
      await expect(storage.verify()).resolves.toBeUndefined();
    } finally {
      await conn.end();
    }
  });

  it('explains that a Supabase (REST) transport cannot migrate', async () => {
    const transport = createSupabaseTransport({
      client: { schema: () => ({ rpc: async () => ({ data: null, error: null }) }) },
    });
    await expect(migrate({ transport })).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining('supabase db push'),
    });
  });

  it('works on plain PostgreSQL without the Supabase roles (anon, authenticated, service_role)', async () => {
    const bare = await startPgCluster({ supabaseRoles: false });
    try {
      const result = await migrate({ connectionString: bare.url });
      expect(result).toMatchObject({ schema: 'racesync', skipped: [] });
      expect(result.applied).toHaveLength(migrations().length);
      const transport = createPostgresTransport({ connectionString: bare.url });
      try {
        const storage = createPostgresStorage({ transport });
        await storage.verify();
        expect(await storage.replaceTeam('manual', [1], 1000)).toEqual({ added: [1], removed: [] });
      } finally {
        await transport.close();
      }
    } finally {
      await bare.stop();
    }
  });
});
