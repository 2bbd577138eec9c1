import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { createMemoryStorage, createSyncEngine } from '@racesync/sync-core';
import { createZwiftClient } from '@racesync/zwift-client';
import { describe, expect, it } from 'vitest';
import {
  compareWithTruth,
  percentile,
  recordingStorage,
  resultLag,
  riderLag,
  signupLag,
} from '../src/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ⌈p/100 · n⌉ of the sorted values; null when there are none', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    const tens = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(percentile(tens, 50)).toBe(5);
    expect(percentile(tens, 95)).toBe(10);
    expect(percentile(tens, 10)).toBe(1);
  });
});

describe('recordingStorage', () => {
  it('time-stamps the writes that change team data and passes everything through', async () => {
    let now = 1_000;
    const clock = { now: () => now, sleep: async () => {} };
    const { storage, recording } = recordingStorage(createMemoryStorage(), clock);
    await storage.replaceTeam('manual', [1, 2], now);
    now = 2_000;
    await storage.applySignups('e1', [{ riderId: 1, pen: 'B' }], now);
    now = 3_000;
    await storage.applySignups('e1', [{ riderId: 1, pen: 'B' }], now); // a replay: nothing new
    now = 4_000;
    await storage.applySignups('e1', [], now); // rider 1 withdrew
    expect(recording.signupAdded.get('e1:1')).toEqual([2_000]);
    expect(recording.signupWithdrawn.get('e1:1')).toEqual([4_000]);
    expect((await storage.getTeam()).map((m) => m.riderId)).toEqual([1, 2]);
    expect(await storage.listSignups({ eventIds: ['e1'] })).toHaveLength(1);
  });
});

describe('signupLag: missed changes against a wrong state at the start', () => {
  it('counts a signup and its withdrawal both unseen as missed only, and an unseen signup or withdrawal as a wrong state', () => {
    const eventStart = 10 * HOUR;
    const change = (eventId: string, riderId: number, kind: 'signup' | 'withdraw', at: number) => ({
      eventId,
      riderId,
      kind,
      at,
      pen: 'B',
      eventStart,
    });
    const changes = [
      change('flicker', 1, 'signup', 2 * HOUR), // both unseen: missed 2, state right (out)
      change('flicker', 1, 'withdraw', 3 * HOUR),
      change('unseen', 2, 'signup', 4 * HOUR), // never stored: missed 1, state wrong (in vs out)
      change('late-leave', 3, 'signup', 1 * HOUR), // seen; its withdrawal stored after the start
      change('late-leave', 3, 'withdraw', 9 * HOUR),
      change('seen', 4, 'signup', 5 * HOUR), // seen in time: right
    ];
    const truth = {
      teamSignupChanges: changes,
      teamSignupChangesBetween: (a: number, b: number) => changes.filter((c) => c.at > a && c.at < b),
    } as unknown as Parameters<typeof signupLag>[0];
    const recording = {
      signupAdded: new Map([
        ['late-leave:3', [1 * HOUR + MIN]],
        ['seen:4', [5 * HOUR + MIN]],
      ]),
      signupWithdrawn: new Map([['late-leave:3', [eventStart + MIN]]]),
      results: new Map(),
      riders: new Map(),
    };
    const lag = signupLag(truth, recording, 0, 12 * HOUR);
    expect(lag.missed).toBe(4);
    expect(lag.wrongAtStart).toBe(2);
    expect(lag.all.count).toBe(2);
  });
});

describe('against the simulator: the engine, the truth and the lag', () => {
  it('storage equals the truth after a synced stretch, the lags are measured, and a tampered store is caught', async () => {
    const sim = createSimulation({ seed: 3, teamSize: 40, days: 1 });
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
    const { storage, recording } = recordingStorage(createMemoryStorage(), clock);
    const engine = createSyncEngine({ source: client, storage, team: { clubId: urls.clubId }, clock });
    const start = clock.now();
    try {
      engine.start();
      await clock.runUntil(start + 8 * HOUR);
      await clock.run(engine.stop());
      const end = clock.now();
      const truthAt = (t: number) => sim.truthAt(t);

      const clean = await compareWithTruth({ storage, truthAt, from: start, end });
      expect(clean.examples).toEqual([]);
      expect(clean.mismatches).toBe(0);
      expect(clean.teamSignups.racesWithTeam).toBeGreaterThan(0);
      expect(clean.teamResults.races).toBeGreaterThan(0);

      const truth = sim.truthAt(end);
      const signups = signupLag(truth, recording, start, end);
      expect(signups.all.count).toBeGreaterThan(0);
      expect(signups.all.p95Ms).not.toBeNull();
      expect(signups.all.p50Ms!).toBeLessThanOrEqual(signups.all.p95Ms!);
      expect(resultLag(truth, recording, start, end).count).toBeGreaterThan(0);
      expect(riderLag(truth, recording, start, end).count).toBeGreaterThan(0);

      // Take one stored team signup away behind the engine's back: the comparison must see it.
      const active = await storage.listSignups({ activeOnly: true });
      const victim = active.find((s) => {
        const event = truth.event(s.eventId);
        return event !== null && event.startsAt >= start + 10 * MIN && event.startsAt <= end;
      });
      expect(victim, 'a judged race with a team signup').toBeDefined();
      const others = active
        .filter((s) => s.eventId === victim!.eventId && s.riderId !== victim!.riderId)
        .map((s) => ({ riderId: s.riderId, pen: s.pen }));
      await storage.applySignups(victim!.eventId, others, end);
      const tampered = await compareWithTruth({ storage, truthAt, from: start, end });
      expect(tampered.teamSignups.missing).toBe(1);
      expect(tampered.mismatches).toBe(1);
    } finally {
      await clock.run(engine.stop());
      await sim.close();
    }
  });
});
