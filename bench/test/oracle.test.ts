import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { createMemoryStorage } from '@racesync/sync-core';
import { recordingStorage, resultLag, signupLag } from '@racesync/verify';
import { createZwiftClient } from '@racesync/zwift-client';
import { describe, expect, it } from 'vitest';
import { createOracleEngine } from '../src/oracle/oracle-engine.js';
import { oracleTimeline } from '../src/oracle/oracle-timeline.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('the oracle (reads the truth; the floor)', () => {
  it('fetches exactly what changed for the team, when it changed: every change stored at once, one call per change', async () => {
    const sim = createSimulation({ seed: 3, teamSize: 40, days: 2 });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const start = clock.now();
    const end = start + 8 * HOUR;
    const client = createZwiftClient({
      apiKey: urls.apiKey,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      fetch: sim.fetch,
      clock,
      retry: { random: () => 0.5 },
    });
    const { storage, recording } = recordingStorage(createMemoryStorage(), clock);
    const timeline = oracleTimeline(sim.truthAt(end), sim.truthAt(start), start, end);
    const engine = createOracleEngine({
      source: client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      timeline,
      instanceId: 'oracle',
    });
    try {
      engine.start();
      await clock.runUntil(end);
      await clock.run(engine.stop());
      const truth = sim.truthAt(end);
      const stats = sim.stats();

      // The plan holds something of every kind, so the counts below are not trivially equal.
      expect(timeline.signups.length).toBeGreaterThan(10);
      expect(timeline.results.length).toBeGreaterThan(2);
      expect(timeline.riderChanges.length).toBeGreaterThan(2);

      // Exactly one signup list per (time, race) of the plan, one result call per publication or
      // correction, the roster and the event list once, and a bulk rider call per change (fewer
      // when changes arrive while the riders-bulk bucket is empty).
      expect(stats.requests.byEndpoint['site-signups']).toBe(timeline.signups.length);
      expect(stats.requests.byEndpoint.results).toBe(timeline.results.length);
      expect(stats.requests.byEndpoint.clubs).toBe(1);
      expect(stats.requests.byEndpoint['site-events']).toBe(1);
      expect(stats.requests.byEndpoint['riders-bulk']).toBeGreaterThan(0);
      expect(stats.requests.byEndpoint['riders-bulk']).toBeLessThanOrEqual(timeline.riderChanges.length);
      expect(stats.violations.total).toBe(0);

      // Every team signup change and every team result set is stored the moment it happens.
      const signups = signupLag(truth, recording, start, end);
      expect(signups.all.count).toBeGreaterThan(0);
      expect(signups.missed).toBe(0);
      expect(signups.wrongAtStart).toBe(0);
      expect(signups.all.p95Ms).toBe(0);
      const results = resultLag(truth, recording, start, end);
      expect(results.count).toBeGreaterThan(0);
      expect(results.missed).toBe(0);
      expect(results.p95Ms).toBe(0);

      // The stored team signups are the truth's, for every race with team riders.
      const stored = (await storage.listSignups({ activeOnly: true }))
        .filter((s) => (truth.event(s.eventId)?.startsAt ?? 0) > end)
        .map((s) => `${s.eventId}/${s.riderId}/${s.pen}`)
        .sort();
      const expected = truth
        .teamSignups()
        .filter((s) => (truth.event(s.eventId)?.startsAt ?? 0) > end)
        .map((s) => `${s.eventId}/${s.riderId}/${s.pen}`)
        .sort();
      expect(stored).toEqual(expected);
    } finally {
      await clock.run(engine.stop());
      await sim.close();
    }
  });
});
