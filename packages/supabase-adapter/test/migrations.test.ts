import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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

/** The functions migration of the first release: applied history, kept byte for byte. */
const HISTORY = '20261129000200_racesync_functions';
/** The migrations a database had before the per-domain function files existed. */
const FIRST_RELEASE = [
  '20261129000100_racesync_schema',
  HISTORY,
  '20261129000300_racesync_views',
  '20261129000400_racesync_security',
];
const DOMAIN_FILE = /^20261206\d{6}_racesync_[a-z_]+_functions$/;
/** Each `create or replace function … $fn$;` statement of a migration, by function name. */
const functionBlocks = (sql: string): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const m of sql.matchAll(/^create or replace function racesync\.(\w+)\([\s\S]*?^\$fn\$;$/gm)) {
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[0]]);
  }
  return out;
};

describe('per-domain function migrations', () => {
  const list = migrations();
  const domainFiles = list.filter((m) => DOMAIN_FILE.test(m.name));

  it('come after the first release, whose files stay byte for byte as users applied them', () => {
    expect(list.slice(0, 4).map((m) => m.name)).toEqual(FIRST_RELEASE);
    // SHA-256 of the files as released: an applied migration is never edited (add a file instead).
    const released: Record<string, string> = {
      '20261129000100_racesync_schema': 'fb5f5ab00941c19763dee045c5bcce15d84d1852645267b4ae070bdba711f317',
      '20261129000200_racesync_functions': 'a5b897516cc42cf381c0f0bdfe88b74ea1a8890532fec87d8a0dffe2cc2e857b',
      '20261129000300_racesync_views': 'f5bf95bfeec034a39ab18c549bc27b8ec5febcf572691afa206ff1a651733fc9',
      '20261129000400_racesync_security': '3583edb0a9f3381a380ddfc711b6b4f3cae0a9f49ccd9574b6e5ec7d013a53da',
    };
    for (const [name, sha256] of Object.entries(released)) {
      expect(
        createHash('sha256')
          .update(readFileSync(`${dir}/${name}.sql`))
          .digest('hex'),
        name,
      ).toBe(sha256);
    }
    expect(domainFiles.map((m) => m.name)).toEqual(list.slice(4).map((m) => m.name));
    expect(domainFiles.length).toBeGreaterThanOrEqual(8);
  });

  it('define every function of the history file exactly once, with the identical statement', () => {
    const history = functionBlocks(list.find((m) => m.name === HISTORY)!.sql);
    expect(history.size).toBe(28);
    const defined = new Map<string, { file: string; block: string }[]>();
    for (const file of domainFiles) {
      for (const [name, blocks] of functionBlocks(file.sql)) {
        for (const block of blocks)
          defined.set(name, [...(defined.get(name) ?? []), { file: file.name, block }]);
      }
    }
    expect([...defined.keys()].sort()).toEqual([...history.keys()].sort());
    for (const [name, [block]] of history) {
      const where = defined.get(name)!;
      expect(where, `${name} is defined in ${where.map((w) => w.file).join(', ')}`).toHaveLength(1);
      expect(where[0]!.block, `${name} in ${where[0]!.file}`).toBe(block);
    }
    // Each domain file defines functions and records itself; nothing else changes the schema.
    for (const file of domainFiles) {
      const statements = file.sql
        .replace(/^create or replace function [\s\S]*?^\$fn\$;$/gm, '')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('--'));
      expect(statements, file.name).toEqual([
        `insert into racesync.schema_migrations (name) values ('${file.name}')`,
        'on conflict (name) do nothing;',
        "notify pgrst, 'reload schema';",
      ]);
    }
  });
});

/** Everything that defines a schema's functions, with the schema's name written as `racesync`. */
const functionsOf = async (schema: string) => {
  const rows = await admin<
    {
      sig: string;
      def: string;
      acl: string | null;
      secdef: boolean;
      config: string[] | null;
      owner: string;
    }[]
  >`
    select p.oid::regprocedure::text as sig, pg_get_functiondef(p.oid) as def, p.proacl::text as acl,
           p.prosecdef as secdef, p.proconfig as config, pg_get_userbyid(p.proowner) as owner
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = ${schema}
    order by 1`;
  const own = (text: string): string => text.split(schema).join('racesync');
  return rows.map((r) => ({ ...r, sig: own(r.sig), def: own(r.def) }));
};

describe('migrating a database of the first release', () => {
  it('applies the per-domain files on top, and every function ends as on a fresh database', async () => {
    const upgraded = freshSchemaName('rs_up');
    const fresh = freshSchemaName('rs_fr');
    const conn = postgres(pgUrl(), { max: 1, onnotice: () => {} });
    try {
      // The first release, applied as `supabase db push` did: one transaction per file.
      for (const m of migrations({ schema: upgraded }).filter((x) => FIRST_RELEASE.includes(x.name))) {
        await conn.begin((tx) => tx.unsafe(m.sql));
      }
      const before = await functionsOf(upgraded);
      expect(before).toHaveLength(30);

      // The new package version sees exactly the new files missing, and applies them.
      const transport = createPostgresTransport({ sql: conn });
      const storage = createPostgresStorage({ transport, schema: upgraded });
      const error = await storage.verify().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationsMissingError);
      const added = migrations()
        .map((m) => m.name)
        .filter((name) => !FIRST_RELEASE.includes(name));
      expect((error as MigrationsMissingError).missing).toEqual(added);
      const result = await migrate({ transport, schema: upgraded });
      expect(result).toEqual({ schema: upgraded, applied: added, skipped: FIRST_RELEASE });
      await expect(storage.verify()).resolves.toBeUndefined();

      await migrate({ connectionString: pgUrl(), schema: fresh });
      const after = await functionsOf(upgraded);
      const fromScratch = await functionsOf(fresh);
      expect(after).toEqual(before); // definitions, grants, SECURITY, settings and owner unchanged
      expect(fromScratch).toEqual(after);

      // What must hold on both (the global test cluster has Supabase's roles).
      for (const f of after) {
        expect(f.secdef, f.sig).toBe(false);
        expect(f.config, f.sig).toContain('search_path=""');
        expect(f.acl, f.sig).not.toMatch(/(^|[{,])(anon|authenticated)?=/);
        if (/dashboard_read/.test(f.sig)) expect(f.acl, f.sig).not.toContain('service_role');
        else expect(f.acl, f.sig).toContain('service_role=X/');
      }
    } finally {
      await conn.end();
    }
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

  it('stops waiting for another migration’s lock when its signal aborts: rejects with the reason, nothing applied', async () => {
    const schema = freshSchemaName('rs_m');
    const app = `rs_abort_${schema}`;
    const until = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 500; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`never observed: ${what}`);
    };
    // Another process's migration holds the schema's lock in an open transaction.
    const holder = postgres(pgUrl(), {
      max: 1,
      onnotice: () => {},
      connection: { application_name: `${app}_holder` },
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = holder.begin(async (tx) => {
      await tx.unsafe(`select pg_advisory_xact_lock(${0x52534d47}, hashtext($1))`, [schema]);
      await released;
    });
    const sql = postgres(pgUrl(), { max: 1, onnotice: () => {}, connection: { application_name: app } });
    try {
      await until('the holder has the lock', async () => {
        const rows = await admin`select 1 from pg_locks l join pg_stat_activity a using (pid)
          where a.application_name = ${`${app}_holder`} and l.locktype = 'advisory' and l.granted`;
        return rows.length > 0;
      });
      const controller = new AbortController();
      const waiting = migrate({ sql, schema, signal: controller.signal }).catch((e: unknown) => e);
      await until('migrate() waits for the lock', async () => {
        const rows =
          await admin`select 1 from pg_stat_activity where application_name = ${app} and wait_event_type = 'Lock'`;
        return rows.length > 0;
      });
      const reason = new Error('deploy cancelled');
      controller.abort(reason);
      expect(await waiting).toBe(reason);
      // The lock wait was cancelled (not left queued behind the holder), nothing was applied.
      const stillWaiting =
        await admin`select 1 from pg_stat_activity where application_name = ${app} and wait_event_type = 'Lock'`;
      expect(stillWaiting).toHaveLength(0);
      release();
      await holding;
      expect(await admin`select to_regclass(${`${schema}.schema_migrations`}) as t`).toEqual([{ t: null }]);
      // A signal aborted before the call: nothing is sent.
      await expect(migrate({ sql, schema, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect((await migrate({ sql, schema })).applied.length).toBe(migrations().length);
    } finally {
      release();
      await holding.catch(() => undefined);
      await holder.end();
      await sql.end();
    }
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
      const rest = all.slice(2).map((m) => m.name);
      expect((error as MigrationsMissingError).missing).toEqual(rest);
      const result = await migrate({ transport, schema });
      expect(result.applied).toEqual(rest);
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
