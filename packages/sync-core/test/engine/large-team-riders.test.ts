import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage, createSyncEngine, type RunSummary } from '../../src/index.js';
import { createWorld, HOUR, MIN, simulatorClient } from './harness.js';

describe('a team larger than one upstream page (1000 riders)', () => {
  it('refreshes 1,500 riders in two bulk calls as the 1-per-15-min bucket allows, and a restart continues the refresh', async () => {
    const sim = createSimulation({ seed: 4, teamSize: 1500, days: 1 });
    try {
      const urls = await sim.listen();
      const clock = sim.clock as VirtualClock;
      const start = clock.now();
      const storage = createMemoryStorage();
      const ids = [...sim.teamRiderIds];
      expect(ids).toHaveLength(1500);
      const engine = () =>
        createSyncEngine({
          source: simulatorClient(sim, urls, { zwiftAccount: false }),
          storage,
          // A configured list: the riders come only from the riders job (a club answer carries them).
          team: { riderIds: ids },
          clock,
        });
      const bulk = () => sim.stats().requests.byEndpoint['riders-bulk'] ?? 0;
      const riders = async (e: ReturnType<typeof engine>): Promise<RunSummary | undefined> =>
        (await clock.run(e.runOnce('riders'))).find((s) => s.job === 'riders');

      const first = engine();
      await clock.run(first.runOnce('team'));
      const one = await riders(first);
      expect(one?.status).toBe('ok');
      expect(await storage.getRiders()).toHaveLength(1000);
      expect(bulk()).toBe(1);

      // The bucket is empty until 15 min after the first call: nothing is sent before.
      await clock.runUntil(start + 5 * MIN);
      expect((await riders(first))?.status).toBe('skipped');
      expect(bulk()).toBe(1);

      // A restart (a new engine on the same storage) goes on with the 500 riders left.
      await clock.runUntil(start + 16 * MIN);
      const second = engine();
      const two = await riders(second);
      expect(two?.status).toBe('ok');
      expect(bulk()).toBe(2);
      const stored = await storage.getRiders();
      expect(stored.map((r) => r.riderId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));

      // The next refresh is due an interval (60 min) after the first one began.
      const state = (await storage.getJobStates()).find((s) => s.job === 'riders');
      expect(state?.nextDueAt).toBeGreaterThanOrEqual(start + 60 * MIN);
      expect(state?.nextDueAt).toBeLessThan(start + 61 * MIN);
      expect(sim.stats().violations.total).toBe(0);
    } finally {
      await sim.close();
    }
  }, 120_000);

  it('reads a club of 1,500 members one page per clubs token (1 an hour): the first page’s members at once, the rest an hour later, across a restart', async () => {
    const w = await createWorld({ teamSize: 1500 });
    try {
      const clubCalls = () => w.sim.stats().requests.byEndpoint['clubs'] ?? 0;
      const team = async () => (await w.storage.getTeam()).length;
      const run = async () => (await w.clock.run(w.engine.runOnce('team'))).find((s) => s.job === 'team');

      const first = await run();
      expect(first?.status).toBe('ok');
      expect(first?.message).toMatch(/1000 read/);
      expect(await team()).toBe(1000);
      expect(await w.storage.getRiders()).toHaveLength(1000);
      expect(clubCalls()).toBe(1);

      // Not before the bucket has a token again: nothing sent, nobody removed.
      await w.clock.runUntil(w.start + 30 * MIN);
      expect((await run())?.status).toBe('ok');
      expect(clubCalls()).toBe(1);
      expect(await team()).toBe(1000);

      // A restart goes on with the second page.
      await w.clock.runUntil(w.start + 61 * MIN);
      w.restart();
      expect((await run())?.status).toBe('ok');
      expect(clubCalls()).toBe(2);
      const members = (await w.storage.getTeam()).map((m) => m.riderId).sort((a, b) => a - b);
      expect(members).toEqual([...w.sim.teamRiderIds].sort((a, b) => a - b));
      expect(await w.storage.getRiders()).toHaveLength(1500);
      // The next read of the club is a full interval (6 h) away.
      const state = (await w.storage.getJobStates()).find((s) => s.job === 'team');
      expect(state?.nextDueAt).toBeGreaterThanOrEqual(w.clock.now() + 6 * HOUR - MIN);
      expect(w.sim.stats().violations.total).toBe(0);
    } finally {
      await w.close();
    }
  }, 120_000);
});
