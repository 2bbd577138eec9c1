import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSimulation, createVirtualClock, teamSizes } from '@racesync/simulator';
import { createPostgresStorage, createPostgresTransport } from '@racesync/supabase-adapter';
import { compareWithTruth } from '@racesync/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetTeams, migrateFleet, scopedStorage } from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';
import { type ChildMessage, createLockstep, type Lockstep } from './support/lockstep.ts';
import { truthOfTeam } from './support/team-truth.ts';
import type { WorkerConfig } from './support/worker-child.ts';

/**
 * The fleet at small scale, as in production: 3 worker processes (pg-boss, the PostgreSQL storage,
 * its shared rate-limit store and leases, real HTTP clients) sync 12 teams from a simulator served by
 * this process for 6 simulated hours. One worker is SIGKILLed in the middle of a job and a new one
 * started once pg-boss has taken the dead worker's job back (its heartbeat stopped). Afterwards:
 * every team's storage equals the simulator's truth; no job ran twice at once (the job-run audit,
 * by the database clock); no rate-limit violation at the simulator across every process; a team's
 * dashboard role cannot read another team's rows.
 *
 * Time: one virtual time for the simulator and the workers, moved in lockstep (see
 * `support/lockstep.ts`): it only advances when every worker is idle, so a loaded machine makes the
 * test slower, never different. The only real-time wait is pg-boss's heartbeat expiry of the killed
 * worker's job; virtual time stands still while the test waits for it (an observable state: no job
 * active in the queue), with a generous hang guard.
 */
const TEAMS = 12;
const WORKERS = 3;
const HOURS = 6;
const MIN = 60_000;
const HOUR = 60 * MIN;
const childScript = fileURLToPath(new URL('./support/worker-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const admin = adminSql(3);

afterAll(async () => {
  await admin.end();
});

interface KillInfo {
  victim: Worker;
  job: string;
  virtualAt: number;
  dbAt: Date | null;
  recovered: boolean;
}

interface Worker {
  name: string;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function spawnWorker(
  config: WorkerConfig,
  lockstep: Lockstep,
  onMessage?: (m: ChildMessage) => void,
): Worker {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(config)], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  lockstep.add(config.workerId, proc, onMessage);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  proc.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      proc.on('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return { name: config.workerId, proc, exited };
}

/** Waits (real time) until `check()` is true; a hang guard, not a timing assumption. */
async function until(check: () => Promise<boolean>, what: string, guardMs = 180_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > guardMs) throw new Error(`hang guard: ${what} after ${guardMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - started;
}

describe('fleet: 3 worker processes, 12 teams, one SIGKILL', () => {
  it(`${TEAMS} teams, ${HOURS} simulated hours: every team equals the truth, no job twice at once, no violation, RLS per team`, async () => {
    const wallStart = Date.now();
    const schema = freshSchemaName('fl_mp');
    const bossSchema = `${schema}_boss`;
    await migrateFleet({ databaseUrl: pgUrl(), schema, bossSchema });
    const worldStart = Date.UTC(2026, 0, 1);
    const clock = createVirtualClock({ start: worldStart + 16 * HOUR, stallTimeoutMs: 0 });
    const sim = createSimulation({
      seed: 16,
      start: worldStart,
      teams: teamSizes(TEAMS, { seed: 16 }),
      days: 2,
      clock,
    });
    const urls = await sim.listen();
    const keys: Record<string, string> = {};
    const teams = fleetTeams(admin, schema);
    const teamName = (i: number) => `team${String(i).padStart(2, '0')}`;
    for (const t of urls.teams) {
      keys[`FLEET_KEY_${t.teamId}`] = t.apiKey;
      await teams.add({ teamId: teamName(t.teamId), clubId: t.clubId, apiKeyEnv: `FLEET_KEY_${t.teamId}` });
    }
    const start = clock.now();
    const end = start + HOURS * HOUR;
    const killAfter = start + 2 * HOUR;
    const killed: { info: KillInfo | null } = { info: null };
    let recoveryWaitMs = 0;
    const base = (workerId: string, reportJobs: boolean): WorkerConfig => ({
      url: pgUrl(),
      schema,
      bossSchema,
      workerId,
      start: clock.now(),
      until: end,
      keys,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      reportJobs,
    });
    const workers: Worker[] = [];
    const lockstep = createLockstep({
      clock,
      beforeStep: async (to) => {
        const kill = killed.info;
        if (!kill || kill.recovered) return;
        // Every live worker is idle: a job still active in the queue is the dead worker's. Virtual
        // time stands still until pg-boss has failed it (no heartbeat) and it can run elsewhere.
        await kill.victim.exited;
        kill.dbAt = (await admin.unsafe<{ t: Date }[]>('select clock_timestamp() as t'))[0]!.t;
        recoveryWaitMs = await until(async () => {
          const rows = await admin.unsafe<{ n: number }[]>(
            `select count(*)::int as n from ${bossSchema}.job where name = 'racesync-fleet' and state = 'active'`,
          );
          return rows[0]!.n === 0;
        }, 'the killed worker’s job is still active');
        kill.recovered = true;
        // It joins at this step: its clock starts at `to`, where the simulator's is about to be. (At
        // the previous step's time, its first run would take tokens earlier than the simulator
        // sees its requests, and a token taken a window later would then be a violation.)
        workers.push(spawnWorker({ ...base('w1-restarted', false), start: to }, lockstep));
      },
    });
    const onVictimMessage = (m: ChildMessage) => {
      if (m['fleet'] !== 'job-start' || killed.info || (m['at'] as number) < killAfter) return;
      const victim = workers.find((w) => w.name === 'w1')!;
      victim.proc.kill('SIGKILL');
      killed.info = {
        victim,
        job: String(m['key']),
        virtualAt: m['at'] as number,
        dbAt: null,
        recovered: false,
      };
    };
    try {
      for (let i = 0; i < WORKERS; i++) {
        workers.push(spawnWorker(base(`w${i}`, i === 1), lockstep, i === 1 ? onVictimMessage : undefined));
      }
      await lockstep.run(undefined, 120_000);
      const exits = await Promise.all(workers.map((w) => w.exited));
      expect(killed.info, 'the victim was killed in a job').not.toBeNull();
      const k = killed.info!;
      expect(k.recovered).toBe(true);
      for (const [i, exit] of exits.entries()) {
        const w = workers[i]!;
        if (w === k.victim) expect(exit.signal).toBe('SIGKILL');
        else expect(exit.code, `${w.name}: ${exit.stderr.slice(-1500)}`).toBe(0);
        for (const line of exit.stderr.split('\n').filter((l) => l.startsWith('{'))) {
          expect(JSON.parse(line).level, line).not.toBe('fatal');
        }
      }

      // No rate-limit violation at the simulator, across every process and the restart.
      expect(sim.stats().violations).toEqual({ total: 0, byBucket: {} });

      // No job ran twice at once: per job, runs (by the database clock) never overlap; the killed
      // run counts as running until the kill.
      const runs = await admin.unsafe<{ job_key: string; worker: string; s: Date; f: Date | null }[]>(
        `select job_key, worker, started_at as s, finished_at as f from ${schema}.fleet_job_runs order by job_key, started_at, id`,
      );
      let overlaps = 0;
      const lastEnd = new Map<string, Date>();
      for (const r of runs) {
        const prev = lastEnd.get(r.job_key);
        if (prev && r.s < prev) overlaps++;
        const f = r.f ?? (r.worker === 'w1' ? k.dbAt! : new Date(8.64e15));
        lastEnd.set(r.job_key, f);
      }
      expect(overlaps).toBe(0);
      const unfinished = runs.filter((r) => r.f === null);
      expect(unfinished.every((r) => r.worker === 'w1')).toBe(true);
      const retried = await admin.unsafe<{ n: number }[]>(
        `select count(*)::int as n from ${bossSchema}.job where name = 'racesync-fleet' and retry_count > 0`,
      );

      // Every team's storage equals the truth.
      const storage = createPostgresStorage({
        transport: createPostgresTransport({ connectionString: pgUrl(), max: 2 }),
        schema,
      });
      const mismatches: Record<string, number> = {};
      const examples: string[] = [];
      let compared = { riders: 0, signups: 0, results: 0 };
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
        mismatches[teamName(t.teamId)] = c.mismatches;
        examples.push(...c.examples.slice(0, 3).map((e) => `${teamName(t.teamId)}: ${e}`));
        compared = {
          riders: compared.riders + c.riders.compared,
          signups: compared.signups + c.teamSignups.signups,
          results: compared.results + c.teamResults.rows,
        };
      }
      await storage.close();
      expect(examples).toEqual([]);
      expect(Object.values(mismatches).every((n) => n === 0)).toBe(true);
      expect(compared.signups).toBeGreaterThan(0);
      expect(compared.results).toBeGreaterThan(0);

      // A team's dashboard role reads its own rows only.
      const roleA = `${schema}_a`;
      const roleB = `${schema}_b`;
      await admin.unsafe(`create role ${roleA} nologin; create role ${roleB} nologin`);
      await admin.unsafe(`select ${schema}.fleet_grant_team_read('team00', '${roleA}')`);
      await admin.unsafe(`select ${schema}.fleet_grant_team_read('team01', '${roleB}')`);
      const read = (role: string, query: string) =>
        admin.begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`);
          return tx.unsafe<{ id: string }[]>(query);
        });
      for (const [role, own] of [
        [roleA, new Set(urls.teams[0]!.riderIds)],
        [roleB, new Set(urls.teams[1]!.riderIds)],
      ] as const) {
        for (const table of ['signups', 'riders', 'rider_history', 'fleet_team_members']) {
          const rows = await read(role, `select rider_id::text as id from ${schema}.${table}`);
          expect(rows.length, `${role} ${table}`).toBeGreaterThan(0);
          expect(
            rows.every((r) => own.has(Number(r.id))),
            `${role} ${table}`,
          ).toBe(true);
        }
      }
      const requests = sim.stats().requests;
      console.log(
        `[fleet-multiprocess] ${TEAMS} teams, ${WORKERS} workers, ${HOURS} h; killed w1 in ${k.job} at +${Math.round((k.virtualAt - start) / MIN)} min; ` +
          `pg-boss took its job back after ${recoveryWaitMs} ms real; ${retried[0]!.n} retried jobs; ${runs.length} job runs, 0 overlaps; ` +
          `${lockstep.steps} lockstep steps; requests ${JSON.stringify(requests)}; compared ${JSON.stringify(compared)}; wall ${Date.now() - wallStart} ms`,
      );
    } finally {
      for (const w of workers)
        if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
      await sim.close();
    }
  }, 1_500_000); // a hang guard only: on a loaded machine lockstep is slower, never different
});
