import { compareWithTruth } from '@racesync/verify';
import { describe, expect, it } from 'vitest';
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
 * The follower feed with several runner processes (real client, real engine, PostgreSQL storage,
 * default policy) sharing one API key, one Zwift account and one database for a simulated evening.
 * Each job runs wherever its lease lands, so the follow job and the events job often run in
 * different processes: they share the feed only through the database (the follow job's persisted
 * state, the events job's listed races). The final state must equal the truth, and the feed must
 * keep its cost: one instance's searches, and the site's signup lists only as a safety net.
 * Time moves in lockstep (see `multi-instance-engine.test.ts`).
 */
const SEED = 31;
const INSTANCES = 3;
/** Simulated span: 16:00–22:00 on the world's first day (European evening: team races). */
const FROM = 16 * HOUR;
const SPAN = 6 * HOUR;

const db = migratedSchema('rs_multi_follow');
const { admin, schema } = db;

describe('several engine processes with the follower feed, one database', () => {
  it(`${INSTANCES} processes for a simulated evening: state equals the truth, one instance's searches, the site list a safety net`, async () => {
    const { sim, clock, urls, lockstep } = await startLockstepSimulation({
      seed: SEED,
      teamSize: 60,
      days: 3,
      offsetMs: FROM,
    });
    const start = clock.now();
    const end = start + SPAN;
    try {
      const logs = await runInstances(
        INSTANCES,
        (i) => ({
          ...lockstepRunnerBase(clock, urls),
          url: pgUrl(),
          schema,
          instanceId: `instance-${i}`,
          until: end,
          zwift: { ...urls.zwiftAccount, authBaseUrl: urls.zwiftAuthBaseUrl },
        }),
        lockstep,
      );
      // The feed never fell back to the site planner.
      expect(logs.filter((l) => l.message.includes('falls back') || l.message.includes('fallback'))).toEqual(
        [],
      );

      const stats = sim.stats();
      expect(stats.violations).toEqual({ total: 0, byBucket: {} });

      // The jobs ran in several processes: the follow and events jobs were not tied to one.
      const runs = await db.storage.listSyncLog();
      const instancesOf = (job: string) =>
        new Set(runs.filter((r) => r.job === job).map((r) => r.runId.split(':')[0])).size;
      expect(instancesOf('follow')).toBeGreaterThan(1);
      expect(instancesOf('events')).toBeGreaterThan(1);

      // The cost of one instance: a near search every 2.5 min (one pass, not one per process),
      // and signup lists only for the safety net — at most one final sweep per race that started.
      const calls = stats.requests.byEndpoint;
      const polls = SPAN / (2.5 * MIN) + SPAN / HOUR; // near every 2.5 min, the rest hourly
      expect(calls['zwift-search']).toBeGreaterThanOrEqual(polls * 0.8);
      expect(calls['zwift-search']).toBeLessThanOrEqual(polls * 1.2);
      const started = sim.truthAt(end).eventsBetween(start, end + 5 * MIN).length;
      expect(calls['site-signups'] ?? 0).toBeLessThanOrEqual(started);

      // The final state equals the truth.
      const checks = await dbChecks(admin, schema, (t) => sim.truthAt(t), { slackMs: 0 });
      expect(Object.values(checks.duplicates).every((n) => n === 0)).toBe(true);
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
      expect(comparison.teamSignups.signups).toBeGreaterThan(3);

      console.log(
        `[multi-instance follow] ${INSTANCES} processes, ${SPAN / HOUR} simulated hours: ${stats.requests.total} requests ` +
          `${JSON.stringify(calls)}, 0 violations; ${started} races started; compared ` +
          `${JSON.stringify({ events: comparison.events.compared, signups: comparison.teamSignups, results: comparison.teamResults.races })}`,
      );
    } finally {
      await sim.close();
    }
  }, 900_000); // a hang guard only: on a loaded machine lockstep is slower, never different
});
