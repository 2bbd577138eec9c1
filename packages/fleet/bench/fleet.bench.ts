/**
 * `pnpm bench:fleet -- --json`: the fleet at scale, against the simulator on loopback and a real
 * PostgreSQL, and the same teams as separate single-team engines, side by side.
 *
 * - Fleet: `--teams` teams of 10–80 riders (`teamSizes`), `--workers` worker processes, `--hours`
 *   simulated hours, one worker SIGKILLed in the middle of a job (after a third of the run) and a new
 *   one started once pg-boss has taken the job back. Time: one virtual time moved in lockstep
 *   (the CI test's harness), so the figures are those of a real-time deployment without the
 *   machine's speed in them; `wallMs` is what the run cost here.
 * - independentCalls: `--sample` teams evenly across sizes, each run alone as a single-team engine
 *   (`createSyncEngine`, memory storage, its own key) in a simulation of the same world for the same
 *   hours; calls ÷ sample × teams.
 * - mismatches: every team's storage vs the truth (`compareWithTruth`), team signups judged for races
 *   starting ≥ 10 min after the run began. Lags from triggers on the signups and results tables
 *   (virtual write times): near signups = changes ≤ 6 h before the start (the verify kit's
 *   definition); results = publication → first stored rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPgCluster } from '@racesync/postgres-kit';
import { createSimulation, createVirtualClock, teamSizes, type VirtualClock } from '@racesync/simulator';
import { createPostgresStorage, createPostgresTransport } from '@racesync/supabase-adapter';
import { createMemoryStorage, createSyncEngine } from '@racesync/sync-core';
import {
  compareWithTruth,
  percentile,
  type Recording,
  resultLagSamples,
  signupLagSamples,
} from '@racesync/verify';
import { createZwiftClient } from '@racesync/zwift-client';
import postgres from 'postgres';
import { fleetTeams, migrateFleet, scopedStorage } from '../src/index.ts';
import { createLockstep } from '../test/support/lockstep.ts';
import { truthOfTeam } from '../test/support/team-truth.ts';
import type { WorkerConfig } from '../test/support/worker-child.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    json: { type: 'boolean', default: false },
    teams: { type: 'string', default: '200' },
    workers: { type: 'string', default: '4' },
    hours: { type: 'string', default: '24' },
    sample: { type: 'string', default: '8' },
    seed: { type: 'string', default: '2026' },
    'skip-independent': { type: 'boolean', default: false },
  },
});
const TEAMS = Number(values.teams);
const WORKERS = Number(values.workers);
const HOURS = Number(values.hours);
const SAMPLE = Math.min(Number(values.sample), TEAMS);
const SEED = Number(values.seed);
const MIN = 60_000;
const HOUR = 60 * MIN;
const log = (m: string) => process.stderr.write(`[bench:fleet] ${m}\n`);
const childScript = fileURLToPath(new URL('../test/support/worker-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const worldStart = Date.UTC(2026, 0, 1);
const startAt = worldStart + 12 * HOUR;
const sizes = teamSizes(TEAMS, { seed: SEED });
const worldOptions = { seed: SEED, start: worldStart, teams: sizes, days: Math.ceil(HOURS / 24) + 1 };

const wallStart = Date.now();
const cluster = await startPgCluster();
const admin = postgres(cluster.url, { max: 3, onnotice: () => {} });
const schema = 'fleet_bench';
const bossSchema = 'fleet_bench_boss';
await migrateFleet({ databaseUrl: cluster.url, schema, bossSchema });
// Bench-only: time-stamp every team-data write (virtual time of the write) for the lag figures.
await admin.unsafe(`
  create table ${schema}.bench_signup_log (event_id text, rider_id bigint, kind text, at timestamptz);
  create table ${schema}.bench_result_log (event_id text primary key, at timestamptz);
  create function ${schema}.bench_signup_trg() returns trigger language plpgsql as $$ begin
    if tg_op = 'INSERT' or (old.withdrawn_at is not null and new.withdrawn_at is null) then
      insert into ${schema}.bench_signup_log values (new.event_id, new.rider_id, 'added', new.last_seen_at);
    elsif old.withdrawn_at is null and new.withdrawn_at is not null then
      insert into ${schema}.bench_signup_log values (new.event_id, new.rider_id, 'withdrawn', new.withdrawn_at);
    end if; return new; end $$;
  create trigger bench_signup after insert or update on ${schema}.signups for each row execute function ${schema}.bench_signup_trg();
  create function ${schema}.bench_result_trg() returns trigger language plpgsql as $$ begin
    insert into ${schema}.bench_result_log values (new.event_id, new.fetched_at) on conflict do nothing; return new; end $$;
  create trigger bench_result after insert on ${schema}.results for each row execute function ${schema}.bench_result_trg();
`);

const clock = createVirtualClock({ start: startAt, stallTimeoutMs: 0 });
const sim = createSimulation({ ...worldOptions, clock });
const urls = await sim.listen();
const keys: Record<string, string> = {};
const teams = fleetTeams(admin, schema);
const teamName = (i: number) => `team${String(i).padStart(3, '0')}`;
for (const t of urls.teams) {
  keys[`FLEET_KEY_${t.teamId}`] = t.apiKey;
  await teams.add({ teamId: teamName(t.teamId), clubId: t.clubId, apiKeyEnv: `FLEET_KEY_${t.teamId}` });
}
log(
  `${TEAMS} teams (${urls.teams.reduce((n, t) => n + t.riderIds.length, 0)} riders), ${WORKERS} workers, ${HOURS} h`,
);
const start = clock.now();
const end = start + HOURS * HOUR;
const killAfter = start + Math.round((HOURS * HOUR) / 3);

interface Proc {
  name: string;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}
const procs: Proc[] = [];
const spawnWorker = (workerId: string, reportJobs: boolean, start = clock.now()): Proc => {
  const config: WorkerConfig = {
    url: cluster.url,
    schema,
    bossSchema,
    workerId,
    start,
    until: end,
    keys,
    baseUrl: urls.baseUrl,
    siteBaseUrl: urls.siteBaseUrl,
    zwiftBaseUrl: urls.zwiftBaseUrl,
    reportJobs,
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(config)], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d;
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const p = { name: workerId, proc, exited };
  procs.push(p);
  lockstep.add(workerId, proc, reportJobs ? onVictim : undefined);
  return p;
};
let kill: { victim: Proc; job: string; at: number; recovered: boolean } | null = null;
let recoveryMs = 0;
const lockstep = createLockstep({
  clock,
  beforeStep: async (to) => {
    if (!kill || kill.recovered) return;
    await kill.victim.exited;
    const t0 = Date.now();
    for (;;) {
      const rows = await admin.unsafe<{ n: number }[]>(
        `select count(*)::int as n from ${bossSchema}.job where name = 'racesync-fleet' and state = 'active'`,
      );
      if (rows[0]!.n === 0) break;
      if (Date.now() - t0 > 300_000) throw new Error('hang guard: the killed job stayed active');
      await new Promise((r) => setTimeout(r, 250));
    }
    recoveryMs = Date.now() - t0;
    kill.recovered = true;
    // Joins at this step: its clock starts where the simulator's is about to be.
    spawnWorker('w1-restarted', false, to);
  },
});
const onVictim = (m: Record<string, unknown>) => {
  if (m['fleet'] !== 'job-start' || kill || (m['at'] as number) < killAfter) return;
  const victim = procs.find((p) => p.name === 'w1')!;
  victim.proc.kill('SIGKILL');
  kill = { victim, job: String(m['key']), at: m['at'] as number, recovered: false };
  log(`SIGKILL w1 in ${kill.job} at +${Math.round((kill.at - start) / MIN)} min`);
};
for (let i = 0; i < WORKERS; i++) spawnWorker(`w${i}`, i === 1);
let lastLog = Date.now();
await lockstep.run(() => {
  if (Date.now() - lastLog > 30_000) {
    lastLog = Date.now();
    log(
      `virtual +${((clock.now() - start) / HOUR).toFixed(2)} h, ${lockstep.steps} steps, wall ${Math.round((Date.now() - wallStart) / 1000)} s`,
    );
  }
  return false;
}, 300_000);
const exits = await Promise.all(procs.map((p) => p.exited));
const fleetWallMs = Date.now() - wallStart;
const stats = sim.stats();
const peakRss = exits
  .flatMap((e) => e.stdout.split('\n'))
  .filter((l) => l.startsWith('{'))
  .map((l) => (JSON.parse(l) as { peakRssMb?: number }).peakRssMb ?? 0);
for (const e of exits) {
  for (const line of e.stderr.split('\n').filter((l) => l.includes('"fatal"'))) log(line);
}

// Storage vs truth, every team; lags from the write logs.
const storage = createPostgresStorage({
  transport: createPostgresTransport({ connectionString: cluster.url, max: 2 }),
  schema,
});
let mismatches = 0;
const byPart = { team: 0, riders: 0, events: 0, teamSignups: 0, teamResults: 0 };
const examples: string[] = [];
const near: number[] = [];
const resultLags: number[] = [];
let missedSignups = 0;
const signupLog = await admin.unsafe<{ event_id: string; rider_id: string; kind: string; at: Date }[]>(
  `select event_id, rider_id::text, kind, at from ${schema}.bench_signup_log`,
);
const resultLog = await admin.unsafe<{ event_id: string; at: Date }[]>(
  `select event_id, at from ${schema}.bench_result_log`,
);
const recording: Recording = {
  signupAdded: new Map(),
  signupWithdrawn: new Map(),
  results: new Map(),
  riders: new Map(),
};
for (const r of signupLog) {
  const map = r.kind === 'added' ? recording.signupAdded : recording.signupWithdrawn;
  const key = `${r.event_id}:${r.rider_id}`;
  map.set(key, [...(map.get(key) ?? []), r.at.getTime()]);
}
for (const r of resultLog) recording.results.set(r.event_id, [r.at.getTime()]);
const truthEnd = sim.truthAt(end);
for (const t of urls.teams) {
  const c = await compareWithTruth({
    storage: scopedStorage({
      base: storage,
      sql: admin,
      schema,
      scope: { kind: 'team', teamId: teamName(t.teamId) },
    }),
    truthAt: (at) => truthOfTeam(sim.truthAt(at), t.teamId),
    from: start,
    end,
    slackMs: 0,
  });
  mismatches += c.mismatches;
  byPart.team += c.team.missing + c.team.extra;
  byPart.riders += c.riders.mismatches;
  byPart.events += c.events.mismatches;
  byPart.teamSignups += c.teamSignups.mismatches;
  byPart.teamResults += c.teamResults.mismatches;
  if (examples.length < 10)
    examples.push(...c.examples.slice(0, 2).map((e) => `${teamName(t.teamId)}: ${e}`));
  const team = truthOfTeam(truthEnd, t.teamId);
  const s = signupLagSamples(team, recording, start, end);
  near.push(...s.near);
  missedSignups += s.missed;
  resultLags.push(...resultLagSamples(team, recording, start, end).lags);
}
await storage.close();
await sim.close();
await admin.end();
await cluster.stop();

// The same teams as separate engines: a sample, each alone in a simulation of the same world.
let independentCalls: number | null = null;
const independentSample: { team: number; riders: number; calls: number }[] = [];
if (!values['skip-independent']) {
  const order = urls.teams.map((t) => t.teamId).sort((a, b) => sizes[a]!.size - sizes[b]!.size || a - b);
  const picks = [
    ...new Set(
      Array.from({ length: SAMPLE }, (_, i) => order[Math.floor(((i + 0.5) * order.length) / SAMPLE)]!),
    ),
  ];
  for (const teamId of picks) {
    const one = createSimulation({
      ...worldOptions,
      clock: createVirtualClock({ start: startAt, stallTimeoutMs: 0 }),
    });
    const c = one.clock as VirtualClock;
    const u = await one.listen();
    const team = u.teams[teamId]!;
    const engine = createSyncEngine({
      source: createZwiftClient({
        apiKey: team.apiKey,
        baseUrl: u.baseUrl,
        siteBaseUrl: u.siteBaseUrl,
        zwiftBaseUrl: u.zwiftBaseUrl,
        fetch: one.fetch,
        clock: c,
      }),
      storage: createMemoryStorage({ maxSyncLogEntries: 1000 }),
      team: { clubId: team.clubId },
      clock: c,
    });
    engine.start();
    await c.runUntil(c.now() + HOURS * HOUR);
    await c.run(engine.stop());
    const calls = one.stats().requests.total;
    independentSample.push({ team: teamId, riders: team.riderIds.length, calls });
    log(`independent: team ${teamId} (${team.riderIds.length} riders) ${calls} calls`);
    await one.close();
  }
  independentCalls = Math.round(
    (independentSample.reduce((n, s) => n + s.calls, 0) / independentSample.length) * TEAMS,
  );
}

const out = {
  teams: TEAMS,
  workers: WORKERS,
  hours: HOURS,
  seed: SEED,
  calls: { total: stats.requests.total, byEndpoint: stats.requests.byEndpoint },
  independentCalls,
  independentSample,
  ratio: independentCalls ? Number((stats.requests.total / independentCalls).toFixed(4)) : null,
  rateLimitViolations: stats.violations.total,
  mismatches,
  mismatchesByPart: byPart,
  mismatchExamples: examples,
  signupLag: {
    near: { p95Ms: percentile(near, 95), p50Ms: percentile(near, 50), count: near.length },
    missed: missedSignups,
  },
  resultLag: {
    p95Ms: percentile(resultLags, 95),
    p50Ms: percentile(resultLags, 50),
    count: resultLags.length,
  },
  workerKills: kill ? 1 : 0,
  killedIn: kill ? (kill as { job: string }).job : null,
  jobRecoveryMs: recoveryMs,
  lockstepSteps: lockstep.steps,
  wallMs: Date.now() - wallStart,
  fleetWallMs,
  peakRssMbPerWorker: Math.max(0, ...peakRss),
};
if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
else process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
