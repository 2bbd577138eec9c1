import { afterEach, describe, expect, it } from 'vitest';
import { PUBLICATION_DELAY_SAMPLES, PublicationDelay } from '../../src/adaptive/publication-delay.js';
import { createWorld, HOUR, MIN, type World } from './harness.js';

describe('PublicationDelay', () => {
  it('keeps the midpoint between the attempt that found the results and the one before', () => {
    const d = new PublicationDelay();
    d.observe(20 * MIN, 14 * MIN);
    d.observe(9 * MIN, 6 * MIN);
    expect(d.toJSON()).toEqual([17 * MIN, 7.5 * MIN]);
  });

  it('answers a nearest-rank quantile only once it has enough observations', () => {
    const d = new PublicationDelay([5, 1, 4, 2, 3]);
    expect(d.quantile(0.1, 6)).toBeNull();
    expect(d.quantile(0, 5)).toBe(1);
    expect(d.quantile(0.1, 5)).toBe(1);
    expect(d.quantile(0.5, 5)).toBe(3);
    expect(d.quantile(1, 5)).toBe(5);
  });

  it('forgets the oldest observations beyond its capacity, and reads back only numbers', () => {
    const d = new PublicationDelay();
    for (let i = 0; i < PUBLICATION_DELAY_SAMPLES + 10; i++) d.observe(i, i);
    const kept = d.toJSON();
    expect(kept).toHaveLength(PUBLICATION_DELAY_SAMPLES);
    expect(kept[0]).toBe(10);
    expect(PublicationDelay.from([1, 'x', null, 2]).toJSON()).toEqual([1, 2]);
    expect(PublicationDelay.from({ not: 'a list' }).toJSON()).toEqual([]);
  });
});

describe('the results queue learns when results appear', () => {
  let worlds: World[] = [];
  afterEach(async () => {
    for (const w of worlds) await w.close();
    worlds = [];
  });

  /** Sixteen hours of one world; what reached storage and how many results calls it took. */
  async function day(policy: Parameters<typeof createWorld>[0]) {
    const w = await createWorld({ seed: 1, teamSize: 80, ...policy });
    worlds.push(w);
    w.engine.start();
    await w.clock.runUntil(w.start + 16 * HOUR);
    await w.clock.run(w.engine.stop());
    const end = w.clock.now();
    const truth = w.sim.truthAt(end);
    const due = truth.teamRaces.filter((r) => r.startsAt > w.start && r.resultsAt < end - 15 * MIN);
    const stored: Record<string, number[]> = {};
    for (const race of due) {
      stored[race.eventId] = (await w.storage.listResults({ eventIds: [race.eventId] }))
        .map((r) => r.riderId)
        .sort((a, b) => a - b);
      const rows = truth.results(race.eventId)?.rows ?? [];
      expect(stored[race.eventId], `results of ${race.eventId}`).toEqual(
        rows.map((r) => Number(r.riderId)).sort((a, b) => a - b),
      );
    }
    const state = (await w.storage.getJobStates()).find((s) => s.job === 'results');
    const stats = w.sim.stats();
    return {
      races: due.length,
      stored,
      calls: stats.requests.byEndpoint.results ?? 0,
      violations: stats.violations.total,
      learned: (state?.cursor as { publicationDelaysMs?: number[] } | null)?.publicationDelaysMs ?? [],
    };
  }

  it('spends fewer results calls for the same rows than attempts at the estimate plus grace, and persists what it learned', async () => {
    const fixed = await day({ engine: { policy: { results: { delayMinSamples: 1_000_000 } } } });
    // Learning from the third race on (the default waits for five), so a short run shows it.
    const learning = await day({ engine: { policy: { results: { delayMinSamples: 3 } } } });
    expect(learning.races).toBeGreaterThan(5);
    expect(learning.stored).toEqual(fixed.stored);
    expect(learning.violations).toBe(0);
    expect(fixed.violations).toBe(0);
    // The estimate (no climbing) is early for most races: learning the delay saves a good share.
    expect(learning.calls).toBeLessThan(fixed.calls * 0.8);
    // Each race found adds one observation to the results job's persisted state (a restart keeps it).
    expect(learning.learned.length).toBeGreaterThanOrEqual(learning.races);
    expect(learning.learned.every((ms) => ms > 0)).toBe(true);
  });
});
