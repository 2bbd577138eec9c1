import { createSimulation, type Simulation, type VirtualClock } from '@racesync/simulator';
import { createMemoryRateLimitStore } from '@racesync/zwift-client';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createSyncEngine,
  type StorageAdapter,
  type SyncEngine,
} from '../../src/index.js';
import { HOUR, MIN, simulatorClient } from '../engine/harness.js';

const SPAN = 3 * HOUR;
/** Races starting in this span after the start are missing from the site's first list (listed late). */
const LATE = { from: 90 * MIN, to: 150 * MIN };

interface Played {
  sim: Simulation;
  storage: StorageAdapter;
  start: number;
  calls: Record<string, number>;
  /** Runs per instance and job, from the sync log. */
  runs: Record<string, number>;
}

/**
 * Two instances on one storage and one rate-limit store, driven by `runOnce` as one scheduled task
 * per job would drive them: instance `x` runs the team and events jobs; the follow job runs in `x`
 * too, or (`split`) only in `y`. The account follows every team rider, so every team signup must
 * come through the feed; the site lists the races starting 90–150 min after the start late (its
 * first list lacks them).
 */
async function play(split: boolean): Promise<Played> {
  const sim = createSimulation({ seed: 1, teamSize: 120, days: 2, follow: { unfollowedShare: 0 } });
  const urls = await sim.listen();
  const clock = sim.clock as VirtualClock;
  const start = clock.now();
  const storage = createMemoryStorage();
  const rateLimitStore = createMemoryRateLimitStore();
  let lists = 0;
  const engine = (instanceId: string): SyncEngine => {
    const client = simulatorClient(sim, urls, { zwiftAccount: true, rateLimitStore });
    return createSyncEngine({
      source: {
        ...client,
        events: {
          ...client.events,
          upcoming: async (options) => {
            const answer = await client.events.upcoming(options);
            if (lists++ > 0) return answer;
            const late = (startsAt: number) => startsAt >= start + LATE.from && startsAt < start + LATE.to;
            return { ...answer, events: answer.events.filter((e) => !late(e.startsAt)) };
          },
        },
      },
      storage,
      team: { clubId: urls.clubId },
      clock,
      instanceId,
      followerFeed: true,
    });
  };
  const x = engine('x');
  const follower = split ? engine('y') : x;
  await clock.run(x.runOnce('team'));
  for (let t = 0; t <= SPAN; t += 150_000) {
    await clock.runUntil(start + t);
    if (t % (5 * MIN) === 0) await clock.run(x.runOnce('events'));
    await clock.run(follower.runOnce('follow'));
  }
  const runs: Record<string, number> = {};
  for (const run of await storage.listSyncLog()) {
    const key = `${run.runId.split(':')[0]}:${run.job}`;
    runs[key] = (runs[key] ?? 0) + 1;
  }
  return { sim, storage, start, calls: { ...sim.stats().requests.byEndpoint }, runs };
}

describe('the follower feed with several instances on one storage', () => {
  it('the follow job in one instance and the events job in another work as in one: the site list stays a safety net, and races listed late get their signups', async () => {
    const one = await play(false);
    const two = await play(true);
    try {
      // The split is real: every follow run in y, every list in x.
      expect(Object.keys(two.runs).sort()).toEqual(['x:events', 'x:team', 'y:follow']);
      expect(one.runs['x:follow']).toBe(two.runs['y:follow']);

      // Storage equals the truth for every race that started, those listed late included.
      const end = two.start + SPAN;
      const truth = two.sim.truthAt(end);
      let lateTeam = 0;
      for (const race of truth.eventsBetween(two.start + 10 * MIN, end)) {
        const atStart = two.sim
          .truthAt(race.startsAt - 1)
          .teamSignups(race.eventId)
          .map((s) => `${s.riderId}/${s.pen}`)
          .sort();
        const stored = (await two.storage.listSignups({ eventIds: [race.eventId], activeOnly: true }))
          .map((s) => `${s.riderId}/${s.pen}`)
          .sort();
        expect(stored, `team signups of ${race.eventId}`).toEqual(atStart);
        if (race.startsAt >= two.start + LATE.from && race.startsAt < two.start + LATE.to)
          lateTeam += atStart.length;
      }
      expect(lateTeam).toBeGreaterThan(0);

      // The same calls: the events job saw the feed's searches (else the feed looks stale to it and
      // every near race is swept through the site API), and the follow job the races x listed.
      expect(two.calls).toEqual(one.calls);
      expect(two.sim.stats().violations.total).toBe(0);
      expect(one.calls['site-signups'] ?? 0).toBeLessThanOrEqual(5);
      expect(one.calls['site-events']).toBeLessThanOrEqual(SPAN / (30 * MIN) + 2);
    } finally {
      await one.sim.close();
      await two.sim.close();
    }
  }, 120_000);
});
