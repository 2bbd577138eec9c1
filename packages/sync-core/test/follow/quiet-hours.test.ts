import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/index.js';
import {
  createWorld,
  HOUR,
  putEventsCursor,
  storedSignups,
  teamHoursHistory,
  type World,
} from '../engine/harness.js';

const DAY = 24 * HOUR;
const EVENING = [17, 18, 19, 20, 21];

describe('the follower feed searches less often while the team is unlikely to sign up', () => {
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  });

  /**
   * Six night hours (00:00–06:00 UTC) of an evening team (its races start 17:00–21:59 UTC) whose
   * events job remembers two weeks of those evenings: the near window (6 h) holds no race the team
   * rides, and its signups for the evening are made beyond it (found by the far searches).
   */
  async function nightOfAnEveningTeam(learnStartTimes: boolean) {
    const storage = createMemoryStorage();
    const w = await createWorld({
      seed: 3,
      teamSize: 80,
      storage,
      zwiftAccount: true,
      teamHoursUtc: EVENING,
      engine: { followerFeed: true, policy: { signups: { learnStartTimes } } },
    });
    worlds.push(w);
    await putEventsCursor(storage, w.start, { startTimes: teamHoursHistory(w.start, EVENING) });
    w.engine.start();
    await w.clock.runUntil(w.start + 6 * HOUR);
    const end = w.clock.now();
    const truth = w.sim.truthAt(end);
    const horizon = truth.eventsBetween(end, end + 2 * DAY).map((e) => e.eventId);
    const calls = w.sim.stats().requests.byEndpoint;
    const paces = (await storage.listSyncLog())
      .filter((e) => e.job === 'follow' && e.status === 'ok')
      .map((e) => /near search every ([\d.]+) min/.exec(e.message ?? '')?.[1])
      .filter((m): m is string => m !== undefined)
      .map(Number);
    return {
      paces,
      searches: calls['zwift-search'] ?? 0,
      siteSignups: calls['site-signups'] ?? 0,
      violations: w.sim.stats().violations.total,
      fallbacks: w.events.filter((e) => e.type === 'feed.fallback').length,
      stored: await storedSignups(storage, horizon),
      start: w.start,
    };
  }

  it('stretches the near search at night, never lets the feed go stale, and stores the same signups', async () => {
    const [learning, off] = [await nightOfAnEveningTeam(true), await nightOfAnEveningTeam(false)];
    expect(new Date(learning.start).getUTCHours()).toBe(0);
    // Measured: 98 searches against 156 (144 near searches in 6 h without stretching, plus the far pages).
    expect(learning.searches, `${learning.searches} searches against ${off.searches}`).toBeLessThan(
      0.75 * off.searches,
    );
    // The sync log says so: the slower pace, never beyond 4 × 2.5 min; without learning, nothing.
    expect(learning.paces.length).toBeGreaterThan(10);
    for (const pace of learning.paces) {
      expect(pace).toBeGreaterThan(2.5);
      expect(pace).toBeLessThanOrEqual(10);
    }
    expect(off.paces).toEqual([]);
    // A stale feed would hand every race back to the site planner's near sweeps.
    expect(learning.siteSignups).toBeLessThanOrEqual(off.siteSignups);
    expect(learning.fallbacks + off.fallbacks).toBe(0);
    expect(learning.violations + off.violations).toBe(0);
    // The evening's signups, found beyond the near window, are the same.
    const riders = Object.values(learning.stored).flat().length;
    expect(riders).toBeGreaterThan(5);
    expect(learning.stored).toEqual(off.stored);
  });
});
