import { compareWithTruth } from '@racesync/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgUrl } from '../support/db.ts';
import { dbChecks } from './db-checks.ts';
import {
  HOUR,
  lockstepRunnerBase,
  MIN,
  migratedSchema,
  runInstances,
  startLockstepSimulation,
} from './support/harness.ts';

/**
 * Three runner processes (real client, real engine, PostgreSQL storage, default policy and limits)
 * share one simulated API key and one database for a simulated evening: the shared rate-limit store
 * keeps them within the key's limits together, leases keep each job to one instance at a time and
 * to one run per slot, and the final state equals the truth as a single instance's does (the crash
 * test and `bench:faults` hold a single instance to the same comparison).
 *
 * Time: one virtual time for the simulator and the three runners, moved in lockstep (see
 * `support/lockstep.ts`): it advances only once every process is idle (no database call or request
 * in flight), so a token taken at T is spent by a request the simulator receives at T, and a run
 * lasts the virtual time it waited for — however slow or loaded the machine. No limit or lease
 * needs a margin against real jitter, and the comparison with the truth needs no slack.
 */
const SEED = 31;
const INSTANCES = 3;
/** Simulated span: 16:00–22:00 on the world's first day (European evening: team races). */
const FROM = 16 * HOUR;
const SPAN = 6 * HOUR;
/** policy.riders.afterResultsDelayMs (default). */
const AFTER_RESULTS_MS = 2 * MIN;

const db = migratedSchema('rs_multi_eng');
const { admin, schema } = db;

beforeAll(async () => {
  // Test-only audit of every job-state write (each run ends with one), to tell runs' slots apart.
  await admin.unsafe(`
    create table "${schema}".job_state_log (
      id bigserial primary key, job text not null, next_due_at timestamptz, last_run_at timestamptz);
    create function "${schema}".log_job_state() returns trigger language plpgsql as $$
    begin
      insert into "${schema}".job_state_log (job, next_due_at, last_run_at)
      values (new.job, new.next_due_at, new.last_run_at);
      return new;
    end $$;
    create trigger log_job_state after insert or update on "${schema}".job_states
      for each row execute function "${schema}".log_job_state();
    -- …and of every lease change: a lease taken from another holder that had not released it
    -- (its TTL ran out mid-run) would let two instances run one job at once.
    create table "${schema}".lease_log (
      id bigserial primary key, name text, old_holder text, new_holder text, old_token bigint, new_token bigint);
    create function "${schema}".log_lease() returns trigger language plpgsql as $$
    begin
      insert into "${schema}".lease_log (name, old_holder, new_holder, old_token, new_token)
      values (new.name, old.holder, new.holder, old.token, new.token);
      return new;
    end $$;
    create trigger log_lease after update on "${schema}".leases
      for each row execute function "${schema}".log_lease();
  `);
});

describe('several engine processes sharing one API key and one database', () => {
  it(`${INSTANCES} processes for a simulated evening: 0 violations, no job twice in a slot, state equals the truth`, async () => {
    const { sim, clock, urls, lockstep } = await startLockstepSimulation({
      seed: SEED,
      teamSize: 60,
      days: 3,
      offsetMs: FROM,
    });
    const start = clock.now();
    const end = start + SPAN;
    try {
      await runInstances(
        INSTANCES,
        (i) => ({
          ...lockstepRunnerBase(clock, urls),
          url: pgUrl(),
          schema,
          instanceId: `instance-${i}`,
          until: end,
        }),
        lockstep,
      );

      // 1. The simulator saw no request beyond a limit, from the three processes together.
      const stats = sim.stats();
      expect(stats.violations).toEqual({ total: 0, byBucket: {} });

      // 2. Each job ran in one instance at a time (leases), and at most once per slot (sync log).
      const runs = (await db.storage.listSyncLog()).sort((a, b) => a.startedAt - b.startedAt);
      const byInstance = new Map<string, number>();
      for (const run of runs) {
        const instance = run.runId.split(':')[0]!;
        byInstance.set(instance, (byInstance.get(instance) ?? 0) + 1);
      }
      expect([...byInstance.keys()].sort()).toEqual(['instance-0', 'instance-1', 'instance-2']);
      const states = await admin.unsafe<{ id: number; job: string; next: number | null; last: number }[]>(
        `select id::int, job, (extract(epoch from next_due_at) * 1000)::float8 as next,
                (extract(epoch from last_run_at) * 1000)::float8 as last
         from "${schema}".job_state_log order by id`,
      );
      const nextOf = new Map(states.map((s) => [`${s.job}:${s.last}`, s.next]));
      // Runs in the order they committed their job state (each run ends with one write): the true
      // order, whatever the instances' clocks read when they started.
      const order = new Map(states.map((s) => [`${s.job}:${s.last}`, s.id]));
      const committed = (r: (typeof runs)[number]) =>
        order.get(`${r.job}:${r.startedAt}`) ?? Number.POSITIVE_INFINITY;
      const skew = 0; // one virtual time
      const twice: string[] = [];
      const pulled: Record<string, number> = {};
      for (const job of ['team', 'riders', 'events', 'results']) {
        const jobRuns = runs.filter((r) => r.job === job).sort((a, b) => committed(a) - committed(b));
        expect(jobRuns.length, job).toBeGreaterThan(0);
        for (let i = 1; i < jobRuns.length; i++) {
          const prev = jobRuns[i - 1]!;
          const run = jobRuns[i]!;
          const slotEnd = nextOf.get(`${job}:${prev.startedAt}`);
          if (slotEnd === undefined || slotEnd === null || run.startedAt >= slotEnd - skew) continue;
          // Earlier than the slot the previous run set: only a pull in the same instance may do
          // that, for a time after the previous run — riders 2 min after that instance stored team
          // results (ratings move), results when its events run queued a race after the previous run.
          const instance = run.runId.split(':')[0];
          const sameInstance = (r: (typeof runs)[number]) => r.runId.startsWith(`${instance}:`);
          const explained =
            job === 'riders'
              ? runs.some(
                  (r) =>
                    r.job === 'results' &&
                    sameInstance(r) &&
                    r.changes > 0 &&
                    r.finishedAt + AFTER_RESULTS_MS > prev.startedAt - skew &&
                    r.finishedAt <= run.startedAt + skew,
                )
              : job === 'results'
                ? runs.some(
                    (r) =>
                      r.job === 'events' &&
                      sameInstance(r) &&
                      r.finishedAt > prev.startedAt - skew &&
                      r.finishedAt <= run.startedAt + skew,
                  )
                : false;
          if (explained) pulled[job] = (pulled[job] ?? 0) + 1;
          else twice.push(`${job}: ${prev.runId} → ${run.runId} (slot until ${slotEnd})`);
        }
      }
      expect(twice).toEqual([]);
      // One holder at a time: every lease was taken only once its previous holder had released it.
      const takeovers = await admin.unsafe(
        `select * from "${schema}".lease_log
         where old_holder is not null and new_holder is distinct from old_holder and new_token > old_token`,
      );
      expect(takeovers).toEqual([]);
      const acquisitions = await admin.unsafe<{ n: number }[]>(
        `select count(*)::int as n from "${schema}".lease_log where new_token > old_token`,
      );
      expect(acquisitions[0]?.n).toBeGreaterThan(runs.length / 2);

      // 3. The final state equals the truth.
      const checks = await dbChecks(admin, schema, (t) => sim.truthAt(t), { slackMs: 0 });
      expect(Object.values(checks.duplicates).every((n) => n === 0)).toBe(true);
      expect(checks.ridersWithoutHistory).toBe(0);
      expect(checks.signupListsInconsistent).toEqual([]);
      expect(checks.resultSetsInconsistent).toEqual([]);
      const comparison = await compareWithTruth({
        storage: db.storage,
        truthAt: (t) => sim.truthAt(t),
        from: start,
        end,
        slackMs: 0,
      });
      expect(comparison.examples).toEqual([]);
      expect(comparison.mismatches).toBe(0);
      expect(comparison.teamResults.races).toBeGreaterThan(5);

      console.log(
        `[multi-instance] ${INSTANCES} processes, ${SPAN / HOUR} simulated hours, ${lockstep.steps} lockstep steps: ${stats.requests.total} requests ` +
          `${JSON.stringify(stats.requests.byEndpoint)}, 0 violations; runs by instance ` +
          `${JSON.stringify(Object.fromEntries(byInstance))}; pulled runs ${JSON.stringify(pulled)}; compared ` +
          `${JSON.stringify({ riders: comparison.riders.compared, events: comparison.events.compared, signups: comparison.teamSignups, results: comparison.teamResults })}`,
      );
    } finally {
      await sim.close();
    }
  }, 900_000); // a hang guard only: on a loaded machine lockstep is slower, never different
});
