import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/index.js';
import { StartTimeAffinity, type StartTimeSnapshot } from '../../src/internal.js';
import {
  createWorld,
  HOUR,
  putEventsCursor,
  storedSignups,
  teamHoursHistory,
  type World,
} from './harness.js';

const DAY = 24 * HOUR;

describe('the events job learns when the team races', () => {
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  });

  /** The events job's learned start times, as persisted in its cursor. */
  async function learned(w: World): Promise<{ snapshot: StartTimeSnapshot; scannedTo: number }> {
    const state = (await w.storage.getJobStates()).find((s) => s.job === 'events');
    const cursor = state?.cursor as { startTimes?: StartTimeSnapshot; startsScannedTo?: number } | undefined;
    expect(cursor?.startTimes, 'startTimes in the events cursor').toBeDefined();
    return { snapshot: cursor!.startTimes!, scannedTo: cursor!.startsScannedTo! };
  }

  it('counts every race that started, and those the team was in, by hour and weekday', async () => {
    const w = await createWorld({ seed: 1, teamSize: 80 });
    worlds.push(w);
    w.engine.start();
    await w.clock.runUntil(w.start + 8 * HOUR);
    const { snapshot, scannedTo } = await learned(w);
    const truth = w.sim.truthAt(w.clock.now());
    const inWindow = (startsAt: number) => startsAt > w.start && startsAt <= scannedTo;
    const races = truth.allEvents().filter((e) => inWindow(e.startsAt));
    const teamRaces = truth.teamRaces.filter((r) => inWindow(r.startsAt));
    expect(races.length).toBeGreaterThan(20);
    expect(teamRaces.length).toBeGreaterThan(3);
    const sum = (a: number[]) => a.reduce((n, x) => n + x, 0);
    // Eight hours of a 14-day half-life: the counts are barely decayed.
    expect(sum(snapshot.races)).toBeCloseTo(races.length, 0);
    expect(sum(snapshot.teamRaces)).toBeCloseTo(teamRaces.length, 0);
    // All on the world's first day, a Thursday (weekday 4), and in its first 8 hours (UTC).
    const thursday = snapshot.races.slice(4 * 24, 5 * 24);
    expect(sum(thursday)).toBeCloseTo(races.length, 0);
    for (let hour = 9; hour < 24; hour++) expect(thursday[hour]).toBe(0);
    for (const [hour, count] of thursday.entries()) {
      const truthCount = races.filter((e) => new Date(e.startsAt).getUTCHours() === hour).length;
      expect(count, `races at ${hour}:00`).toBeCloseTo(truthCount, 0);
    }
  });

  /**
   * Six morning hours (00:00–06:00 UTC) of a world whose events job remembers two weeks of a team
   * that raced only in the evening; the world's own team races at every hour.
   */
  async function morningAfterEvenings(learnStartTimes: boolean) {
    const storage = createMemoryStorage();
    const w = await createWorld({
      seed: 3,
      teamSize: 80,
      storage,
      engine: { policy: { signups: { learnStartTimes } } },
    });
    worlds.push(w);
    const history = teamHoursHistory(w.start, [17, 18, 19, 20, 21]);
    await putEventsCursor(storage, w.start, { startTimes: history });
    w.engine.start();
    await w.clock.runUntil(w.start + 6 * HOUR);
    const end = w.clock.now();
    const truth = w.sim.truthAt(end);
    // What storage held for each team race when it started (active signups, by rider).
    const races = truth.teamRaces.filter((r) => r.startsAt > w.start + 10 * 60_000 && r.startsAt < end);
    const atStart = await storedSignups(
      storage,
      races.map((r) => r.eventId),
    );
    return {
      signupCalls: w.sim.stats().requests.byEndpoint['site-signups'] ?? 0,
      atStart,
      truth: Object.fromEntries(races.map((r) => [r.eventId, r.riders.map((x) => x.riderId)])),
      share: new StartTimeAffinity({ halfLifeMs: 14 * DAY }, history).share(w.start + 3 * HOUR, w.start),
    };
  }

  it('sweeps races at hours the team has not raced less often, and still stores every team signup by the start', async () => {
    const [learning, off] = [await morningAfterEvenings(true), await morningAfterEvenings(false)];
    // 168 races at that hour in two weeks (~121 after decay), none with the team, where 1 in 14
    // races overall had the team: the bound is ~3 against ~8.4 expected.
    expect(learning.share).toBeLessThan(0.4);
    // Measured: 1,090 signup lists instead of 1,424 (calls are deterministic on the virtual clock).
    expect(learning.signupCalls).toBeLessThan(0.85 * off.signupCalls);
    expect(Object.keys(learning.truth).length).toBeGreaterThan(3);
    // The final sweep still catches what the stretched near sweeps came late for.
    expect(learning.atStart).toEqual(learning.truth);
    expect(off.atStart).toEqual(off.truth);
  });
});
