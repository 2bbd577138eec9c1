/**
 * The Supabase Edge Function (`supabase/functions/racesync-sync/index.ts`) executed under Deno: the
 * deployed file itself, unmodified, run by the `deno` binary from the `deno` devDependency, against
 * - a real PostgreSQL (`@racesync/postgres-kit`) with racesync's migrations applied,
 * - real PostgREST 12.0.2 behind a gateway that strips `/rest/v1` as Supabase's does
 *   (`startSupabaseApi`), so the function's real supabase-js client reaches the real database with a
 *   real service-role JWT,
 * - the simulator as the upstream (over loopback HTTP, on the wall clock like the function).
 *
 * How Deno finds the packages without the network: Deno is started in `examples/runner` with
 * `--node-modules-dir=manual`, so it uses the runner's package.json and the node_modules pnpm made
 * ("bring your own node_modules"): the function's `npm:@racesync/…@^0` and
 * `npm:@supabase/supabase-js@^2` specifiers resolve to the workspace packages linked there (their
 * built `dist`, so `pnpm build` must have run, as in CI), checked against the version ranges, and
 * their own bare imports (zod, postgres, @supabase/*, …) resolve from node_modules too.
 * `--no-remote --cached-only --no-lock`, an empty DENO_DIR and an unreachable npm registry make sure
 * nothing is downloaded or written next to the sources. `DENO_SERVE_ADDRESS=tcp:127.0.0.1:0` gives `Deno.serve` an
 * ephemeral loopback port, read from its "Listening on …" line.
 *
 * Not covered: the Supabase platform itself (the Edge runtime's limits and its Deno version,
 * the platform-provided variables, pg_cron + pg_net invoking the function from ../supabase/cron.sql).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type PgCluster, type SupabaseApi, startPgCluster, startSupabaseApi } from '@racesync/postgres-kit';
import { createSimulation, type ListenResult, type Simulation, systemClock } from '@racesync/simulator';
import { migrate } from '@racesync/supabase-adapter';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runnerDir } from './helpers.ts';

const FUNCTION = 'supabase/functions/racesync-sync/index.ts';
const SCHEMA = 'edge_fn';
const INVOKE_SECRET = `invoke-secret-${Math.random().toString(36).slice(2)}`;

/** The deno executable of the `deno` devDependency's platform package, or why there is none. */
function findDeno(): { bin: string; version: string } | { reason: string } {
  try {
    const fromRunner = createRequire(join(runnerDir, 'package.json'));
    const denoPkg = fromRunner.resolve('deno/package.json');
    const platform = `${process.platform}-${process.arch}${process.platform === 'linux' ? '-glibc' : ''}`;
    const pkg = createRequire(denoPkg).resolve(`@deno/${platform}/package.json`);
    const bin = join(dirname(pkg), process.platform === 'win32' ? 'deno.exe' : 'deno');
    const version = execFileSync(bin, ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' },
    }).split('\n')[0]!;
    return { bin, version };
  } catch (error) {
    return { reason: `deno binary unavailable (${(error as Error).message.split('\n')[0]})` };
  }
}

const deno = findDeno();
const skipReason = 'reason' in deno ? deno.reason : null;

const builtPackages = ['sync-core', 'zwift-client', 'supabase-adapter'].map((p) =>
  join(repoRoot, 'packages', p, 'dist', 'index.js'),
);

interface RunningFunction {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the function under Deno and resolves once `Deno.serve` listens. */
function startFunction(bin: string, env: Record<string, string>, denoDir: string): Promise<RunningFunction> {
  const child: ChildProcess = spawn(
    bin,
    [
      'run',
      '--node-modules-dir=manual',
      '--no-remote',
      '--cached-only',
      '--no-lock',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      FUNCTION,
    ],
    {
      cwd: runnerDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DENO_DIR: denoDir,
        DENO_NO_UPDATE_CHECK: '1',
        DENO_NO_PROMPT: '1',
        NO_COLOR: '1',
        DENO_SERVE_ADDRESS: 'tcp:127.0.0.1:0',
        // Belt and braces: were anything fetched from npm after all, it would fail, not download.
        NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  // Should the test process die first, Deno goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.removeListener('exit', killOnExit);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`Deno did not start listening within 30 s; its output:\n${out}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const port = /Listening on https?:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}/`, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Deno exited (${code ?? signal}) before listening; its output:\n${out}`));
    });
  });
}

interface InvokeBody {
  runs: { job: string; status: string; apiCalls: number; changes: number; error?: string }[];
  nextDueAt: string;
}

describe.skipIf(skipReason !== null)(
  `Edge Function racesync-sync under Deno${skipReason ? ` — skipped: ${skipReason}` : ''}`,
  () => {
    let cluster: PgCluster;
    let sql: postgres.Sql;
    let loopback: SupabaseApi;
    let sim: Simulation;
    let urls: ListenResult;
    let fn: RunningFunction;
    let denoDir: string;
    /** A rider signed up for the next race, made a team member (besides the club). */
    let next: { eventId: string; riderId: number };
    const bodies: string[] = [];

    const count = async (table: string, where = 'true') =>
      Number((await sql.unsafe(`select count(*)::int as n from ${SCHEMA}.${table} where ${where}`))[0]!.n);

    const invoke = async (headers: Record<string, string> = {}) => {
      const response = await fetch(fn.url, { method: 'POST', headers });
      const text = await response.text();
      bodies.push(text);
      return { status: response.status, text };
    };

    beforeAll(async () => {
      const missing = builtPackages.filter((f) => !existsSync(f));
      if (missing.length > 0) {
        throw new Error(
          `the function runs the built packages: run \`pnpm build\` first (missing ${missing})`,
        );
      }
      cluster = await startPgCluster();
      sql = postgres(cluster.url, { max: 2, onnotice: () => {} });
      await migrate({ connectionString: cluster.url, schema: SCHEMA });
      loopback = await startSupabaseApi({ connectionString: cluster.url, schemas: [SCHEMA] });
      // The function runs on real time, so the simulator does too: its world starts now.
      sim = createSimulation({ seed: 7, teamSize: 20, days: 2, start: Date.now(), clock: systemClock });
      urls = await sim.listen();
      // The next race at least two minutes out with a signup: its list is among the first the
      // engine fetches (closest first), so its rider's signup must be stored by the first invocation.
      const now = Date.now();
      const truth = sim.truthAt(now);
      const race = truth
        .events()
        .filter((e) => e.startsAt > now + 2 * 60_000)
        .sort((a, b) => a.startsAt - b.startsAt)
        .find((e) => truth.signups(e.eventId).length > 0)!;
      next = { eventId: race.eventId, riderId: truth.signups(race.eventId)[0]!.riderId };
      denoDir = mkdtempSync(join(tmpdir(), 'racesync-deno-'));
      fn = await startFunction(
        (deno as { bin: string }).bin,
        {
          SUPABASE_URL: loopback.url,
          SUPABASE_SERVICE_ROLE_KEY: loopback.serviceRoleKey,
          ZWIFTRACING_API_KEY: urls.apiKey,
          TEAM_CLUB_ID: String(urls.clubId),
          TEAM_RIDER_IDS: String(next.riderId),
          RACESYNC_INVOKE_SECRET: INVOKE_SECRET,
          RACESYNC_SCHEMA: SCHEMA,
          ZWIFTRACING_BASE_URL: urls.baseUrl,
          ZWIFTRACING_SITE_BASE_URL: urls.siteBaseUrl,
          ZWIFTRACING_ZWIFT_BASE_URL: urls.zwiftBaseUrl,
        },
        denoDir,
      );
    });

    afterAll(async () => {
      await fn?.stop();
      await sim?.close();
      await loopback?.close();
      await sql?.end();
      await cluster?.stop();
      if (denoDir) rmSync(denoDir, { recursive: true, force: true });
    });

    it('turns away requests without the invoke secret (403), before touching anything', async () => {
      const before = sim.stats().requests.total;
      const calls = loopback.calls;
      expect((await invoke()).status).toBe(403);
      expect((await invoke({ 'x-racesync-secret': 'wrong' })).status).toBe(403);
      expect((await invoke({ 'x-racesync-secret': `${INVOKE_SECRET}x` })).status).toBe(403);
      expect(sim.stats().requests.total).toBe(before);
      expect(loopback.calls).toBe(calls);
    });

    it('with the secret: the first invocation stores the team, its riders, the events and team signups; the next runs only what is due', async () => {
      const first = await invoke({ 'x-racesync-secret': INVOKE_SECRET });
      expect(first.status, first.text).toBe(200);
      const body = JSON.parse(first.text) as InvokeBody;
      const byJob = Object.fromEntries(body.runs.map((r) => [r.job, r]));
      for (const job of ['team', 'riders', 'events']) {
        expect(byJob[job], `${job} in ${first.text}`).toBeDefined();
        expect(byJob[job]!.status, first.text).toBe('ok');
      }
      expect(Date.parse(body.nextDueAt)).toBeGreaterThan(Date.now() - 60_000);
      const firstCalls = sim.stats().requests.total;
      expect(firstCalls).toBeGreaterThan(0);
      expect(body.runs.reduce((n, r) => n + r.apiCalls, 0)).toBeGreaterThan(0);

      // The data landed, through real PostgREST into the real database.
      expect(loopback.calls).toBeGreaterThan(0);
      expect(await count('riders')).toBe(21);
      expect(await count('team_members')).toBe(21);
      expect(await count('events')).toBeGreaterThan(0);
      // The team job ran to completion before the events job (the team was not known yet), so the
      // events job fetched signup lists in this same invocation and applied them for the team.
      expect(
        await count(
          'sync_log',
          `job = 'events' and started_at >= (select finished_at from ${SCHEMA}.sync_log where job = 'team')`,
        ),
      ).toBe(1);
      expect(await count('signup_checks')).toBeGreaterThan(0);
      expect(await count('signups', `event_id = '${next.eventId}' and rider_id = ${next.riderId}`)).toBe(1);
      expect(await count('sync_log', "status = 'ok'")).toBeGreaterThanOrEqual(3);
      // The client took its tokens from the shared store in the database.
      expect(await count('rate_limit_buckets')).toBeGreaterThan(0);

      // Right away again (a fresh engine, as every invocation): only what is due runs.
      const second = await invoke({ 'x-racesync-secret': INVOKE_SECRET });
      expect(second.status, second.text).toBe(200);
      const again = JSON.parse(second.text) as InvokeBody;
      expect(again.runs.length).toBeLessThan(body.runs.length);
      for (const run of again.runs) expect(run.status, second.text).toBe('ok');
      for (const job of ['team', 'riders', 'events']) expect(again.runs.map((r) => r.job)).not.toContain(job);
      const secondCalls = sim.stats().requests.total - firstCalls;
      expect(secondCalls).toBeLessThan(firstCalls);
      expect(sim.stats().violations.total).toBe(0);
    });

    it('never shows the API key or the service-role key (Deno output, responses)', () => {
      const seen = fn.output() + bodies.join('\n');
      expect(seen).toContain('Listening on');
      for (const secret of [urls.apiKey, loopback.serviceRoleKey, INVOKE_SECRET])
        expect(seen).not.toContain(secret);
    });
  },
);
