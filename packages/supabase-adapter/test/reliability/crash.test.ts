import { compareWithTruth } from '@racesync/verify';
import { describe, expect, it } from 'vitest';
import { pgUrl } from '../support/db.ts';
import { dbChecks } from './db-checks.ts';
import {
  HOUR,
  lockstepRunnerBase,
  MIN,
  migratedSchema,
  runnerLogs,
  seeded,
  spawnRunner,
  startLockstepSimulation,
} from './support/harness.ts';

/**
 * Crash safety with the PostgreSQL storage. A runner process (real client, real engine, this
 * storage, its shared rate-limit store and leases) syncs from a simulator served by this process; it
 * is SIGKILLed at seeded random moments — mid-sync, it is always doing something — and restarted,
 * several times; then a last runner runs cleanly for a few simulated hours and stops. Afterwards:
 * - no duplicate rows in any table, every rider's stored hash has its history row;
 * - every signup list and result set in the database is exactly what upstream served when it was
 *   applied (a half-written or mixed batch would not be), every record fresh;
 * - storage equals the truth (riders, events in the window, team signups of races during the clean
 *   run, results of every team race the engine knew of);
 * - every results job persisted at a kill was worked after it (the queue resumed);
 * - no rate-limit violation at the simulator across all the processes.
 *
 * Time: one virtual time for the simulator and the runner, moved in lockstep (see
 * `support/lockstep.ts`): it only advances once the runner is idle (no database call or request in
 * flight), so how fast the machine is changes nothing either side observes, and no limit needs a
 * margin. A kill lands at a seeded virtual time, 4–24 simulated minutes into a runner's life, between
 * two of its I/O operations (often inside a run: waiting for a token between requests, or between a
 * fetch and its write); a kill inside a database transaction is the storage-faults test's. A killed
 * runner's leases stay held until their TTL (5 simulated minutes): each crash leaves the races of a
 * few minutes without their final signup sweep — downtime, not data loss — so strict "signups at
 * start" are judged for races during the clean run.
 */
const SEED = 23;
const KILLS = 8;
const FINAL_HOURS = 3;

const db = migratedSchema('rs_crash');
const { admin, schema } = db;

describe('crash safety: SIGKILL mid-sync, restart, catch up', () => {
  it(`${KILLS} kills at random points, then a clean run: the database equals the truth, nothing lost or doubled`, async () => {
    const random = seeded(SEED);
    const { sim, clock, urls, lockstep } = await startLockstepSimulation({
      seed: SEED,
      teamSize: 160,
      days: 2,
      offsetMs: 17 * HOUR, // European evening: races with team riders start every few minutes
    });
    const start = clock.now();
    const base = { ...lockstepRunnerBase(clock, urls), url: pgUrl(), schema };
    const kills: { at: number; pendingJobs: { eventId: string; phase: string; dueAt: number }[] }[] = [];
    const stderr: string[] = [];
    try {
      for (let i = 0; i < KILLS; i++) {
        const runner = spawnRunner({ ...base, start: clock.now(), instanceId: `crash-${i}` }, lockstep);
        const killAt = clock.now() + Math.round((4 + random() * 20) * MIN);
        // A timer of the simulator's side at the kill time, so that lockstep stops exactly there.
        const alarm = clock.sleep(killAt - clock.now());
        await lockstep.run(() => clock.now() >= killAt);
        await alarm;
        runner.proc.kill('SIGKILL');
        const exit = await runner.exited;
        stderr.push(exit.stderr);
        expect(exit.signal, `runner ${i}: ${exit.stderr.slice(-500)}`).toBe('SIGKILL');
        kills.push({
          at: clock.now(),
          pendingJobs: (await db.storage.listResultJobs()).map((j) => ({
            eventId: j.eventId,
            phase: j.phase,
            dueAt: j.dueAt,
          })),
        });
      }
      const finalStart = clock.now();
      const until = finalStart + FINAL_HOURS * HOUR;
      const last = spawnRunner({ ...base, start: finalStart, instanceId: 'final', until }, lockstep);
      await lockstep.run();
      const exit = await last.exited;
      stderr.push(exit.stderr);
      expect(exit.code, exit.stderr.slice(-2000)).toBe(0);
      const end = until;

      // Nobody ever exceeded a limit, across all processes and restarts.
      expect(sim.stats().violations).toEqual({ total: 0, byBucket: {} });
      for (const log of stderr.flatMap(runnerLogs)) expect(log.level, log.message).not.toBe('fatal');

      // No duplicates; history complete; every stored list and result set is a real snapshot.
      const checks = await dbChecks(admin, schema, (t) => sim.truthAt(t), { slackMs: 0 });
      expect(checks.duplicates).toEqual({
        riders: 0,
        team_members: 0,
        events: 0,
        signups: 0,
        results: 0,
        result_jobs: 0,
        rider_history: 0,
        sync_log_runs: 0,
      });
      expect(checks.ridersWithoutHistory).toBe(0);
      expect(checks.signupListsChecked).toBeGreaterThan(50);
      expect(checks.signupListsInconsistent).toEqual([]);
      expect(checks.resultSetsChecked).toBeGreaterThan(0);
      expect(checks.resultSetsInconsistent).toEqual([]);

      // Storage equals the truth.
      const comparison = await compareWithTruth({
        storage: db.storage,
        truthAt: (t) => sim.truthAt(t),
        from: start,
        end,
        signupsFrom: finalStart + 10 * MIN,
        slackMs: 0,
      });
      expect(comparison.examples).toEqual([]);
      expect(comparison.mismatches).toBe(0);
      expect(comparison.teamResults.races).toBeGreaterThan(0);

      // The persisted results queue resumed: every job pending at a kill was worked afterwards —
      // its results are stored, or (a correction not yet due) it is still queued.
      const sets = new Map(
        (
          await admin.unsafe<{ event_id: string; at: number }[]>(
            `select event_id, (extract(epoch from applied_at) * 1000)::float8 as at from "${schema}".result_sets`,
          )
        ).map((r) => [r.event_id, r.at]),
      );
      const queued = new Set((await db.storage.listResultJobs()).map((j) => `${j.eventId}:${j.phase}`));
      let resumed = 0;
      for (const kill of kills) {
        for (const job of kill.pendingJobs) {
          const race = sim.truthAt(end).event(job.eventId);
          if (!race) throw new Error(`queued job for unknown race ${job.eventId}`);
          const applied = sets.get(job.eventId);
          const worked = applied !== undefined && applied > kill.at;
          const stillQueued = queued.has(`${job.eventId}:${job.phase}`) && job.phase === 'correction';
          expect(worked || stillQueued, `${job.phase} job of ${job.eventId} pending at ${kill.at}`).toBe(
            true,
          );
          resumed++;
        }
      }
      expect(resumed).toBeGreaterThan(0);
      console.log(
        `[crash] ${KILLS} kills; ${resumed} pending results jobs resumed; ${checks.signupListsChecked} signup lists, ` +
          `${checks.resultSetsChecked} result sets, ${checks.historyRows} history rows checked; ` +
          `${sim.stats().requests.total} requests, 0 violations; crash phase ${Math.round((finalStart - start) / MIN)} min, ${lockstep.steps} lockstep steps, ` +
          `clean run ${FINAL_HOURS} h; compared: ${JSON.stringify({ riders: comparison.riders.compared, events: comparison.events.compared, signups: comparison.teamSignups, results: comparison.teamResults })}`,
      );
    } finally {
      await sim.close();
    }
  }, 900_000); // a hang guard only: on a loaded machine lockstep is slower, never different
});
