import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { createMemoryStorage } from '@racesync/sync-core';
import { createZwiftClient } from '@racesync/zwift-client';
import { describe, expect, it } from 'vitest';
import { createBaselineEngine } from '../src/baseline/baseline-engine.js';
import { ORIGINAL_SCHEDULE } from '../src/baseline/baseline-jobs.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('the original schedule (baseline), built by the benchmark from sync-core’s internals', () => {
  it('fetches the list every 15 minutes, the riders hourly, and waits for tokens instead of failing', async () => {
    const sim = createSimulation({ seed: 7, teamSize: 30, days: 2 });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const client = createZwiftClient({
      apiKey: urls.apiKey,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      fetch: sim.fetch,
      clock,
      retry: { random: () => 0.5 },
    });
    const storage = createMemoryStorage();
    const engine = createBaselineEngine({
      source: client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      instanceId: 'baseline',
    });
    try {
      engine.start();
      await clock.advanceBy(HOUR + MIN);
      await clock.run(engine.stop());
      const stats = sim.stats();
      expect(ORIGINAL_SCHEDULE.eventsEveryMs).toBe(15 * MIN);
      expect(stats.requests.byEndpoint['site-events']).toBe(5); // 0, 15, 30, 45 and 60 min
      // Riders hourly: the 0-min slot runs alongside the team job (no team yet, no call), then 60 min.
      expect(stats.requests.byEndpoint['riders-bulk']).toBe(1);
      expect(stats.requests.byEndpoint['clubs']).toBe(1);
      // Signup lists of every event within 24 h: far more than 10 a minute, so calls waited for tokens.
      expect(stats.requests.byEndpoint['site-signups']).toBeGreaterThan(100);
      expect(stats.violations.total).toBe(0);
      expect(stats.served429).toBe(0);
      const log = await storage.listSyncLog();
      expect(new Set(log.map((e) => e.job))).toEqual(
        new Set(['team', 'riders', 'events', 'events-far', 'results']),
      );
      expect(log.filter((e) => e.status === 'failed')).toEqual([]);
    } finally {
      await clock.run(engine.stop());
      await sim.close();
    }
  });
});
