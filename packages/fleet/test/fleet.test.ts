import {
  createSimulation,
  createVirtualClock,
  type ListenResult,
  type Simulation,
  teamSizes,
  type VirtualClock,
} from '@racesync/simulator';
import { createPostgresStorage, createPostgresTransport } from '@racesync/supabase-adapter';
import { compareWithTruth } from '@racesync/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { createFleetWorker, FleetError, fleetTeams, migrateFleet, scopedStorage } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import { truthOfTeam } from './support/team-truth.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const admin = adminSql(2);

afterAll(async () => {
  await admin.end();
});

describe('schema and teams', () => {
  it('migrates idempotently and keeps teams as data (add, replace, list, remove)', async () => {
    const schema = freshSchemaName();
    const bossSchema = `${schema}_boss`;
    await migrateFleet({ databaseUrl: pgUrl(), schema, bossSchema });
    await migrateFleet({ databaseUrl: pgUrl(), schema, bossSchema });
    const teams = fleetTeams(admin, schema);
    await teams.add({ teamId: 'alpha', clubId: 11, apiKeyEnv: 'ALPHA_KEY' });
    await teams.add({ teamId: 'beta', riderIds: [5, 6], apiKeyEnv: 'BETA_KEY', tier: 'premium' });
    await teams.add({ teamId: 'alpha', clubId: 12, apiKeyEnv: 'ALPHA_KEY', enabled: false });
    expect(await teams.list()).toEqual([
      { teamId: 'alpha', clubId: 12, riderIds: [], apiKeyEnv: 'ALPHA_KEY', tier: 'standard', enabled: false },
      {
        teamId: 'beta',
        clubId: null,
        riderIds: [5, 6],
        apiKeyEnv: 'BETA_KEY',
        tier: 'premium',
        enabled: true,
      },
    ]);
    expect(await teams.remove('alpha')).toBe(true);
    expect(await teams.remove('alpha')).toBe(false);
    expect((await teams.list()).map((t) => t.teamId)).toEqual(['beta']);
  });

  it('migrateFleet with an aborted signal rejects with its reason and creates nothing', async () => {
    const schema = freshSchemaName();
    const reason = new Error('deploy cancelled');
    await expect(
      migrateFleet({
        databaseUrl: pgUrl(),
        schema,
        bossSchema: `${schema}_boss`,
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason);
    expect(
      await admin`select 1 from pg_namespace where nspname in (${schema}, ${`${schema}_boss`})`,
    ).toHaveLength(0);
  });

  it('rejects bad teams with a typed config error (and never takes a key in place of its name)', async () => {
    const teams = fleetTeams(admin, 'racesync');
    const bad = [
      { teamId: 'x y', clubId: 1, apiKeyEnv: 'K' },
      { teamId: 'x', apiKeyEnv: 'K' },
      { teamId: 'x', clubId: 1, apiKeyEnv: 'zr-9f8e7d6c-5b4a-3210' },
      { teamId: 'x', riderIds: [1.5], apiKeyEnv: 'K' },
    ];
    for (const team of bad) {
      const error = await teams.add(team).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FleetError);
      expect((error as FleetError).kind).toBe('config');
    }
  });

  it('a worker that cannot reach its database: start() rejects with a FleetError (database) that, like the log, never holds the password', async () => {
    const password = 'S3cret/Pa55:word';
    const logs: string[] = [];
    const log = (fields: unknown, message?: string) => logs.push(`${message} ${JSON.stringify(fields)}`);
    const worker = createFleetWorker({
      databaseUrl: `postgres://racesync:${encodeURIComponent(password)}@127.0.0.1:9/postgres`,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ kind: 'database' });
    expect((error as Error).message).toMatch(/could not start the job queue/);
    const text = [String(error), (error as Error).stack, JSON.stringify(error), ...logs].join('\n');
    for (const form of [password, encodeURIComponent(password)]) expect(text).not.toContain(form);
    await worker.stop();
  });

  it('CLI: migrate, teams add/list/remove by --key-env; the key itself never appears', async () => {
    const schema = freshSchemaName();
    const env = { FLEET_DB: pgUrl(), SECRET_KEY_VAR: 'zr-super-secret-key' };
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      out.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const common = ['--database-env', 'FLEET_DB', '--schema', schema, '--boss-schema', `${schema}_boss`];
      expect(await main(['migrate', ...common], env)).toBe(0);
      expect(
        await main(['teams', 'add', 't1', '--club', '42', '--key-env', 'SECRET_KEY_VAR', ...common], env),
      ).toBe(0);
      expect(
        await main(
          ['teams', 'add', 't2', '--riders', '1,2,3', '--key-env', 'SECRET_KEY_VAR', ...common],
          env,
        ),
      ).toBe(0);
      expect(await main(['teams', 'list', '--json', ...common], env)).toBe(0);
      expect(await main(['teams', 'remove', 't1', ...common], env)).toBe(0);
      expect(await main(['teams', 'remove', 't1', ...common], env)).toBe(1);
    } finally {
      process.stdout.write = write;
    }
    const text = out.join('');
    expect(text).not.toContain('zr-super-secret-key');
    const listed = JSON.parse(text.split('\n').find((l) => l.startsWith('[')) ?? '[]');
    expect(listed.map((t: { teamId: string }) => t.teamId)).toEqual(['t1', 't2']);
    const stored = await admin.unsafe(`select * from ${schema}.fleet_teams`);
    expect(JSON.stringify(stored)).not.toContain('zr-super-secret-key');
    await expect(
      main(['teams', 'add', 't3', '--club', '1', ...['--database-env', 'FLEET_DB', '--schema', schema]], env),
    ).rejects.toMatchObject({ kind: 'config' });
  });
});

/** One worker in this process on the simulator's virtual clock (pg-boss schema `${schema}_boss`). */
function soloWorker(
  schema: string,
  clock: VirtualClock,
  sim: Simulation,
  urls: ListenResult,
  resolveApiKey: (ref: string) => string | undefined,
) {
  return createFleetWorker({
    databaseUrl: pgUrl(),
    schema,
    bossSchema: `${schema}_boss`,
    clock,
    track: (p) => clock.track(p),
    resolveApiKey,
    client: {
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      fetch: sim.fetch,
    },
    workerId: 'solo',
  });
}

/** Every team's storage (its scoped view) equals its truth over [start, end]. */
async function expectTeamsEqualTruth(
  schema: string,
  sim: Simulation,
  urls: ListenResult,
  start: number,
  end: number,
) {
  const base = createPostgresStorage({
    transport: createPostgresTransport({ connectionString: pgUrl(), max: 2 }),
    schema,
  });
  try {
    for (const t of urls.teams) {
      const comparison = await compareWithTruth({
        storage: scopedStorage({
          base,
          sql: admin,
          schema,
          scope: { kind: 'team', teamId: `team${t.teamId}` },
        }),
        truthAt: (at) => truthOfTeam(sim.truthAt(at), t.teamId),
        from: start,
        end,
        slackMs: 0,
      });
      expect(comparison.examples, `team ${t.teamId}`).toEqual([]);
      expect(comparison.mismatches).toBe(0);
    }
  } finally {
    await base.close();
  }
}

describe('a fleet in one process on a virtual clock', () => {
  it('4 teams, 5 simulated hours: every team equals the truth; the world is fetched once; riders refresh after their results; a team role reads only its rows', async () => {
    const schema = freshSchemaName();
    const bossSchema = `${schema}_boss`;
    await migrateFleet({ databaseUrl: pgUrl(), schema, bossSchema });
    // Test-only: when each race's first result rows were stored (the workers' virtual time).
    await admin.unsafe(`
      create table ${schema}.test_result_log (event_id text primary key, at timestamptz);
      create function ${schema}.test_result_trg() returns trigger language plpgsql as $$ begin
        insert into ${schema}.test_result_log values (new.event_id, new.fetched_at) on conflict do nothing;
        return new;
      end $$;
      create trigger test_result_log after insert on ${schema}.results
        for each row execute function ${schema}.test_result_trg();`);
    const worldStart = Date.UTC(2026, 0, 1);
    const clock = createVirtualClock({ start: worldStart + 17 * HOUR, stallTimeoutMs: 0 });
    const sim = createSimulation({
      seed: 7,
      start: worldStart,
      teams: teamSizes(4, { seed: 7 }),
      days: 2,
      clock,
    });
    const urls = await sim.listen();
    const keys: Record<string, string> = {};
    const teams = fleetTeams(admin, schema);
    for (const t of urls.teams) {
      keys[`KEY_${t.teamId}`] = t.apiKey;
      await teams.add({ teamId: `team${t.teamId}`, clubId: t.clubId, apiKeyEnv: `KEY_${t.teamId}` });
    }
    const worker = soloWorker(schema, clock, sim, urls, (ref) => keys[ref]);
    const start = clock.now();
    const end = start + 5 * HOUR;
    try {
      await worker.start();
      await clock.runUntil(end);
      await worker.stop();
      expect(sim.stats().violations).toEqual({ total: 0, byBucket: {} });
      await expectTeamsEqualTruth(schema, sim, urls, start, end);
      const stats = sim.stats();
      console.log(JSON.stringify(stats.requests));
      // Ratings move after races: each team's riders (the riders job of its key) were fetched 2–5 min
      // after results with its riders landed (riders.afterResultsDelayMs is 2 min), not only hourly.
      const landings = await admin.unsafe<{ key_env: string; at: Date }[]>(
        `select distinct t.api_key_env as key_env, l.at from ${schema}.test_result_log l
           join ${schema}.results r on r.event_id = l.event_id
           join ${schema}.fleet_team_members m on m.rider_id = r.rider_id
           join ${schema}.fleet_teams t on t.team_id = m.team_id
          where l.at < $1`,
        [new Date(end - 10 * MIN)] as never[],
      );
      expect(landings.length).toBeGreaterThanOrEqual(4);
      const runs = await admin.unsafe<{ job_key: string; at: Date }[]>(
        `select job_key, virtual_started_at as at from ${schema}.fleet_job_runs where job_key like 'key/%/riders'`,
      );
      const late = landings.filter(
        (l) =>
          !runs.some((run) => {
            const after = run.at.getTime() - l.at.getTime();
            return run.job_key === `key/${l.key_env}/riders` && after >= 2 * MIN && after <= 5 * MIN;
          }),
      );
      expect(late.map((l) => `${l.key_env}@${l.at.toISOString()}`)).toEqual([]);
      // Row-level security: a team's dashboard role reads its own rows only.
      await admin.unsafe(`drop role if exists ${schema}_r0; create role ${schema}_r0 nologin`);
      await admin.unsafe(`drop role if exists ${schema}_r1; create role ${schema}_r1 nologin`);
      await admin.unsafe(`select ${schema}.fleet_grant_team_read('team0', '${schema}_r0')`);
      await admin.unsafe(`select ${schema}.fleet_grant_team_read('team1', '${schema}_r1')`);
      const asRole = async (role: string, query: string) =>
        admin.begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`);
          return tx.unsafe<{ n: string }[]>(query);
        });
      const team0 = new Set(urls.teams[0]!.riderIds);
      const team1 = new Set(urls.teams[1]!.riderIds);
      for (const [role, own, other] of [
        [`${schema}_r0`, team0, team1],
        [`${schema}_r1`, team1, team0],
      ] as const) {
        const signups = await asRole(role, `select rider_id::text as n from ${schema}.signups`);
        expect(signups.length).toBeGreaterThan(0);
        expect(signups.every((r) => own.has(Number(r.n)))).toBe(true);
        const riders = await asRole(role, `select rider_id::text as n from ${schema}.riders`);
        expect(riders.length).toBe(own.size);
        const members = await asRole(role, `select rider_id::text as n from ${schema}.fleet_team_members`);
        expect(members.some((r) => other.has(Number(r.n)))).toBe(false);
        const results = await asRole(role, `select distinct event_id as n from ${schema}.results`);
        const allResults = await admin.unsafe<{ n: string }[]>(
          `select distinct r.event_id as n from ${schema}.results r where r.rider_id in (${[...own].join(',')})`,
        );
        expect(results.map((r) => r.n).sort()).toEqual(allResults.map((r) => r.n).sort());
        const teams = await asRole(role, `select count(*)::text as n from ${schema}.fleet_teams`).catch(
          (e: Error) => e,
        );
        expect(teams).toBeInstanceOf(Error); // no grant on the teams table
      }
    } finally {
      await sim.close();
    }
  }, 300_000);

  it('6 teams on one key: one riders job for the key refreshes every team hourly in one bulk call (6 jobs of their own would need more calls than the key’s 4 an hour)', async () => {
    const schema = freshSchemaName();
    const bossSchema = `${schema}_boss`;
    await migrateFleet({ databaseUrl: pgUrl(), schema, bossSchema });
    const worldStart = Date.UTC(2026, 0, 1);
    const clock = createVirtualClock({ start: worldStart + 17 * HOUR, stallTimeoutMs: 0 });
    const sim = createSimulation({
      seed: 11,
      start: worldStart,
      teams: teamSizes(6, { seed: 11 }),
      days: 2,
      clock,
    });
    const urls = await sim.listen();
    const teams = fleetTeams(admin, schema);
    // Every team reads its key from SHARED: one standard key, one riders-bulk bucket (1 per 15 min).
    // Rosters as rider lists: a club roster takes a clubs token per team (1 an hour on this key).
    for (const t of urls.teams)
      await teams.add({ teamId: `team${t.teamId}`, riderIds: [...t.riderIds], apiKeyEnv: 'SHARED' });
    const riders = urls.teams.reduce((n, t) => n + t.riderIds.length, 0);
    expect(riders).toBeLessThan(1000);
    const worker = soloWorker(schema, clock, sim, urls, (ref) =>
      ref === 'SHARED' ? urls.teams[0]?.apiKey : undefined,
    );
    const start = clock.now();
    const end = start + 3 * HOUR;
    try {
      await worker.start();
      await clock.runUntil(end);
      await worker.stop();
      expect(sim.stats().violations).toEqual({ total: 0, byBucket: {} });
      // Every team's riders were fetched within the last interval (60 min) at the end.
      const stale = await admin.unsafe<{ team_id: string; oldest: Date }[]>(
        `select m.team_id, min(r.fetched_at) as oldest from ${schema}.fleet_team_members m
           join ${schema}.riders r on r.rider_id = m.rider_id group by m.team_id
         having min(r.fetched_at) < $1`,
        [new Date(end - 61 * MIN)] as never[],
      );
      expect(stale.map((row) => `${row.team_id} ${row.oldest.toISOString()}`)).toEqual([]);
      const runs = await admin.unsafe<{ job_key: string }[]>(
        `select distinct job_key from ${schema}.fleet_job_runs where job_key like '%/riders'`,
      );
      expect(runs.map((r) => r.job_key)).toEqual(['key/SHARED/riders']);
      // One bulk call per refresh (fewer than 1000 riders), within the bucket: at most 13 in 3 h.
      expect(sim.stats().requests.byEndpoint['riders-bulk'] ?? 0).toBeLessThanOrEqual(13);
      await expectTeamsEqualTruth(schema, sim, urls, start, end);
    } finally {
      await sim.close();
    }
  }, 300_000);
});
