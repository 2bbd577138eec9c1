/**
 * The Supabase runner against a real PostgreSQL (started here, via the adapter's test support) with
 * the simulator as the upstream over loopback HTTP. In-process runs use the simulator's virtual
 * clock (simulated hours in seconds); one run is a real process (`tsx src/supabase.ts --once`).
 */

import { PASSWORD, type PgCluster, startPgCluster } from '@racesync/postgres-kit';
import {
  createSimulation,
  type ListenResult,
  type Simulation,
  systemClock,
  type VirtualClock,
} from '@racesync/simulator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSupabaseRunner } from '../src/supabase-runner.ts';
import { captureIo, fakeSignals, spawnRunner } from './helpers.ts';

let cluster: PgCluster;
let sql: postgres.Sql;

beforeAll(async () => {
  cluster = await startPgCluster();
  sql = postgres(cluster.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await cluster?.stop();
});

const upstreamEnv = (urls: ListenResult) => ({
  ZWIFTRACING_API_KEY: urls.apiKey,
  TEAM_CLUB_ID: String(urls.clubId),
  ZWIFTRACING_BASE_URL: urls.baseUrl,
  ZWIFTRACING_SITE_BASE_URL: urls.siteBaseUrl,
  ZWIFTRACING_ZWIFT_BASE_URL: urls.zwiftBaseUrl,
});

/**
 * A rider signed up for the next race that starts at least two minutes from now (the soonest race
 * is among the first signup lists the engine fetches), from the simulator's truth.
 */
function nextRaceSignup(sim: Simulation): { eventId: string; riderId: number } {
  const now = Date.now();
  const truth = sim.truthAt(now);
  const next = truth
    .events()
    .filter((e) => e.startsAt > now + 2 * 60_000)
    .sort((a, b) => a.startsAt - b.startsAt)
    .find((e) => truth.signups(e.eventId).length > 0)!;
  return { eventId: next.eventId, riderId: truth.signups(next.eventId)[0]!.riderId };
}

const count = async (schema: string, table: string, where = 'true') =>
  Number((await sql.unsafe(`select count(*)::int as n from ${schema}.${table} where ${where}`))[0]!.n);

describe('Supabase runner (DATABASE_URL) with the simulator as upstream', () => {
  let sim: Simulation;
  let urls: ListenResult;

  beforeAll(async () => {
    sim = createSimulation({ seed: 3, teamSize: 30, days: 2 });
    urls = await sim.listen();
  });
  afterAll(() => sim?.close());

  it('migrates, syncs 2 simulated hours into PostgreSQL, shares the rate-limit store, prints a summary', async () => {
    const io = captureIo();
    const code = await runSupabaseRunner({
      argv: ['--hours', '2'],
      env: {
        ...upstreamEnv(urls),
        DATABASE_URL: cluster.url,
        RACESYNC_MIGRATE: '1',
        RACESYNC_SCHEMA: 'runner_a',
      },
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
      clock: sim.clock,
      fetch: sim.fetch,
    });
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const out = io.out();
    expect(out).toContain('migrations applied');
    expect(out).toContain('racesync summary — PostgreSQL storage');
    expect(out).toMatch(/sync runs\s+ok \d+/);
    expect(out).not.toContain(urls.apiKey);

    // The data landed.
    expect(await count('runner_a', 'riders')).toBe(30);
    expect(await count('runner_a', 'team_members')).toBe(30);
    expect(await count('runner_a', 'events')).toBeGreaterThan(500);
    expect(await count('runner_a', 'signups')).toBeGreaterThan(0);
    expect(await count('runner_a', 'sync_log', "status = 'ok'")).toBeGreaterThan(20);
    // The client took its tokens from the database (shared by every instance using it).
    expect(await count('runner_a', 'rate_limit_buckets')).toBeGreaterThanOrEqual(3);
    expect(sim.stats().violations.total).toBe(0);
  });

  it('--due (cron style) runs what is due against the same database, then exits', async () => {
    const clock = sim.clock as VirtualClock;
    await clock.advanceBy(10 * 60_000); // ten simulated minutes later: the events job is due again
    const before = await count('runner_a', 'sync_log');
    const io = captureIo();
    const code = await runSupabaseRunner({
      argv: ['--due'],
      env: { ...upstreamEnv(urls), DATABASE_URL: cluster.url, RACESYNC_SCHEMA: 'runner_a' },
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
      clock,
      fetch: sim.fetch,
    });
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toContain('syncing: the jobs that are due');
    expect(await count('runner_a', 'sync_log')).toBeGreaterThan(before);
    expect(sim.stats().violations.total).toBe(0);
  });

  it('fails with one clear line when the schema is missing and RACESYNC_MIGRATE is not set', async () => {
    const io = captureIo();
    const code = await runSupabaseRunner({
      argv: ['--once'],
      env: { ...upstreamEnv(urls), DATABASE_URL: cluster.url, RACESYNC_SCHEMA: 'never_migrated' },
      stdout: io.stdout,
      stderr: io.stderr,
      signals: fakeSignals(),
      clock: sim.clock,
      fetch: sim.fetch,
    });
    expect(code).toBe(1);
    expect(io.err()).toMatch(/the database is not usable: .*migrat/i);
    expect(io.err()).toContain('RACESYNC_MIGRATE=1');
  });
});

describe('Supabase runner as a real process', () => {
  it('`--once` with DATABASE_URL stores the team, its riders, the events and team signups, and never prints the key', async () => {
    // The process runs on the wall clock, so the world does too: it starts now.
    const sim = createSimulation({ seed: 5, teamSize: 12, days: 1, start: Date.now(), clock: systemClock });
    const urls = await sim.listen();
    // A team member known to be signed up for the next race (a few minutes out), besides the club:
    // the first signup lists fetched are the closest races, so one --once run must store it.
    const next = nextRaceSignup(sim);
    try {
      const result = await spawnRunner('src/supabase.ts', ['--once'], {
        ...upstreamEnv(urls),
        TEAM_RIDER_IDS: String(next.riderId),
        DATABASE_URL: cluster.url,
        RACESYNC_MIGRATE: '1',
        RACESYNC_SCHEMA: 'runner_cli',
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('syncing: each job once');
      expect(result.stdout).toContain('racesync summary');
      expect(result.stdout + result.stderr).not.toContain(urls.apiKey);
      expect(await count('runner_cli', 'team_members')).toBe(13);
      expect(await count('runner_cli', 'riders')).toBe(13);
      expect(await count('runner_cli', 'events')).toBeGreaterThan(100);
      // The team job ran before the events job, so the signup lists it fetched were applied for the
      // team: the rider's signup for the next race is stored.
      expect(await count('runner_cli', 'signup_checks')).toBeGreaterThan(0);
      expect(
        await count('runner_cli', 'signups', `event_id = '${next.eventId}' and rider_id = ${next.riderId}`),
      ).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('a wrong database password fails with exit 1, naming the problem, and prints no secret', async () => {
    const wrong = 'Not-The-Password-42';
    const result = await spawnRunner('src/supabase.ts', ['--once'], {
      ZWIFTRACING_API_KEY: 'zr-secret-key-123456',
      TEAM_RIDER_IDS: '1,2,3',
      DATABASE_URL: cluster.passwordUrl(wrong),
    });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the database is not usable/);
    expect(output).not.toContain(wrong);
    expect(output).not.toContain(encodeURIComponent(wrong));
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain('zr-secret-key-123456');
  });

  it('bad configuration: exit 2, one line per variable naming the fix, secrets never echoed', async () => {
    const result = await spawnRunner('src/supabase.ts', ['--due'], {
      ZWIFTRACING_API_KEY: 'zr-secret-key-123456',
      ZWIFTRACING_TIER: 'gold',
      TEAM_RIDER_IDS: '12,abc,7',
      SUPABASE_URL: 'https://example.supabase.co',
      SUPABASE_SERVICE_ROLE_KEY:
        'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2VjcmV0LXNpZ25hdHVyZQ',
      DATABASE_URL: 'postgres://postgres:Hunter2-Secret@db.example.com:5432/postgres',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines.find((l) => l.startsWith('ZWIFTRACING_TIER '))).toMatch(/standard.*premium/);
    expect(lines.find((l) => l.startsWith('TEAM_RIDER_IDS '))).toMatch(
      /"abc".*comma-separated positive integers/,
    );
    expect(lines.find((l) => l.startsWith('DATABASE_URL '))).toMatch(/use one/);
    expect(lines.filter((l) => l.startsWith('TEAM_RIDER_IDS '))).toHaveLength(1);
    for (const secret of ['zr-secret-key-123456', 'Hunter2-Secret', 'c2VjcmV0LXNpZ25hdHVyZQ']) {
      expect(result.stderr).not.toContain(secret);
    }
  });
});
