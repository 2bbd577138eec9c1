import { TransientError, type ZwiftClient } from '@racesync/zwift-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLICATION_DELAY_SAMPLES, PublicationDelay } from '../../src/adaptive/publication-delay.js';
import { createWorld, HOUR, MIN, type World } from './harness.js';

describe('PublicationDelay', () => {
  const plain = (delays: number[]) => PublicationDelay.from(delays);

  it('keeps the midpoint between the attempt that found the results and the one before', () => {
    const d = new PublicationDelay();
    d.observe(20 * MIN, 14 * MIN);
    d.observe(9 * MIN, 6 * MIN, 4 * MIN);
    expect(d.toJSON()).toEqual([
      [17 * MIN, null],
      [7.5 * MIN, 4 * MIN],
    ]);
  });

  it('answers a nearest-rank quantile only once it has enough observations', () => {
    const d = plain([5, 1, 4, 2, 3]);
    expect(d.quantile(0.1, 6)).toBeNull();
    expect(d.quantile(0, 5)).toBe(1);
    expect(d.quantile(0.1, 5)).toBe(1);
    expect(d.quantile(0.5, 5)).toBe(3);
    expect(d.quantile(1, 5)).toBe(5);
    // A climb is of no use without observations that had one.
    expect(d.quantile(0.5, 5, 1000)).toBe(3);
  });

  it('fits the delay on the climb: hilly races wait longer, flat ones less', () => {
    // Delay = climb / 40 + a publication delay of 5…20 min, the climb ranging over 0…60 min·m/km.
    const d = new PublicationDelay();
    for (let i = 0; i < 40; i++) {
      const climb = ((i * 7) % 40) * 1.5 * MIN;
      const publication = (5 + ((i * 11) % 16)) * MIN;
      d.observe(climb / 40 + publication, climb / 40 + publication);
      d.observe(climb / 40 + publication, climb / 40 + publication, climb);
    }
    // Unknown climb: the plain quantile of every delay seen.
    const plainQ = d.quantile(0.1, 5)!;
    const flat = d.quantile(0.1, 5, 0)!;
    const hilly = d.quantile(0.1, 5, 60 * MIN)!;
    expect(Math.abs(flat - 6 * MIN)).toBeLessThan(10_000);
    expect(Math.abs(hilly - flat - (60 * MIN) / 40)).toBeLessThan(5_000);
    expect(flat).toBeLessThan(plainQ);
    expect(hilly).toBeGreaterThan(plainQ);
  });

  it('never fits a negative slope, and needs twice the minimum of observations with a climb', () => {
    const d = new PublicationDelay();
    for (let i = 0; i < 9; i++) d.observe((20 - i) * MIN, (20 - i) * MIN, i * MIN);
    expect(d.quantile(0, 5, 100 * MIN)).toBe(12 * MIN); // nine with a climb: the plain quantile
    d.observe(11 * MIN, 11 * MIN, 9 * MIN);
    // Delay falls as the climb grows: the slope is clamped to 0, the quantile is of the delays.
    expect(d.quantile(0, 5, 100 * MIN)).toBe(11 * MIN);
  });

  it('forgets the oldest observations beyond its capacity, and reads back only numbers', () => {
    const d = new PublicationDelay();
    for (let i = 0; i < PUBLICATION_DELAY_SAMPLES + 10; i++) d.observe(i, i);
    const kept = d.toJSON();
    expect(kept).toHaveLength(PUBLICATION_DELAY_SAMPLES);
    expect(kept[0]).toEqual([10, null]);
    // Plain delays (what earlier versions persisted) and pairs both read back; anything else not.
    expect(PublicationDelay.from([1, 'x', null, [2, 30], [3, 'y'], ['z', 1]]).toJSON()).toEqual([
      [1, null],
      [2, 30],
      [3, null],
    ]);
    expect(PublicationDelay.from({ not: 'a list' }).toJSON()).toEqual([]);
  });
});

describe('the results queue learns when results appear', () => {
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  });

  /** A simulated day of one world; what reached storage and how many results calls it took. */
  async function day(options: Parameters<typeof createWorld>[0]) {
    const w = await createWorld({ seed: 1, teamSize: 80, ...options });
    worlds.push(w);
    w.engine.start();
    await w.clock.runUntil(w.start + 12 * HOUR);
    const callsAtNoon = w.sim.stats().requests.byEndpoint.results ?? 0;
    await w.clock.runUntil(w.start + 24 * HOUR);
    await w.clock.run(w.engine.stop());
    const end = w.clock.now();
    const truth = w.sim.truthAt(end);
    // Races whose results and correction fetch (3.5 h after the results were stored) are both due.
    const due = truth.teamRaces.filter((r) => r.startsAt > w.start && r.resultsAt < end - 4 * HOUR);
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
    await w.close();
    return {
      races: due.length,
      stored,
      calls: stats.requests.byEndpoint.results ?? 0,
      /** Calls of the second half of the day, once a dozen races have been learned from. */
      lateCalls: (stats.requests.byEndpoint.results ?? 0) - callsAtNoon,
      routeCalls: stats.requests.byEndpoint['site-routes'] ?? 0,
      violations: stats.violations.total,
      learned:
        (state?.cursor as { publicationDelaysMs?: [number, number | null][] } | null)?.publicationDelaysMs ??
        [],
    };
  }

  const withoutRoutes = (client: ZwiftClient) => ({ ...client, routes: undefined });
  // Learning from the third race on (the default waits for five), so one day shows it.
  const learning = { results: { delayMinSamples: 3 } };
  let fixed: Awaited<ReturnType<typeof day>>;
  let plain: Awaited<ReturnType<typeof day>>;
  let climbing: Awaited<ReturnType<typeof day>>;
  beforeAll(async () => {
    // Attempts at the estimate plus grace; the learned delay alone; the delay fitted on climbing.
    fixed = await day({
      engine: { policy: { results: { delayMinSamples: 1_000_000 } } },
      source: withoutRoutes,
    });
    plain = await day({ engine: { policy: learning }, source: withoutRoutes });
    climbing = await day({ engine: { policy: learning } });
  }, 300_000);

  it('spends fewer results calls for the same rows than attempts at the estimate plus grace, and persists what it learned', () => {
    expect(plain.races).toBeGreaterThan(10);
    expect(plain.stored).toEqual(fixed.stored);
    expect(plain.violations).toBe(0);
    expect(fixed.violations).toBe(0);
    // The estimate (no climbing) is early for most races: learning the delay saves a good share.
    expect(plain.calls).toBeLessThan(fixed.calls * 0.8);
    // Each race found adds one observation to the results job's persisted state (a restart keeps it).
    expect(plain.learned.length).toBeGreaterThanOrEqual(plain.races);
    expect(plain.learned.every(([ms, climb]) => ms > 0 && climb === null)).toBe(true);
    expect(fixed.routeCalls + plain.routeCalls).toBe(0);
  });

  it('with the route list, times first attempts by climbing: fewer calls again, the same rows', () => {
    expect(climbing.stored).toEqual(plain.stored);
    expect(climbing.violations).toBe(0);
    // One route list for the day (it is kept `routesIntervalMs`, 24 h).
    expect(climbing.routeCalls).toBe(1);
    expect(climbing.learned.every(([, climb]) => climb !== null && climb >= 0)).toBe(true);
    // Measured (seed 1): 89 vs 100 calls for the day; 37 vs 48 in its second half, once trained.
    expect(climbing.calls).toBeLessThan(plain.calls);
    expect(climbing.lateCalls).toBeLessThan(plain.lateCalls * 0.85);
  });
});

describe('the route list', () => {
  it('a failed route list leaves the plain learned delay, is logged, and is asked for again after the back-off', async () => {
    const warnings: string[] = [];
    let asked = 0;
    const w = await createWorld({
      seed: 1,
      teamSize: 80,
      engine: {
        policy: { results: { delayMinSamples: 3 } },
        logger: { warn: (_fields, message) => warnings.push(String(message)) },
      },
      // The site API answering 503 to this one list (the simulator cannot do that on demand).
      source: (client) => ({
        ...client,
        routes: {
          async list(options) {
            asked++;
            if (asked === 1)
              throw new TransientError('503 from the site', { endpoint: 'routes.list', status: 503 });
            return client.routes.list(options);
          },
        },
      }),
    });
    try {
      w.engine.start();
      await w.clock.runUntil(w.start + 8 * HOUR);
      await w.clock.run(w.engine.stop());
      expect(warnings).toContain('route list fetch failed; results timing uses the plain learned delay');
      // Asked again after the failure back-off, then kept for the day.
      expect(asked).toBe(2);
      expect(w.sim.stats().requests.byEndpoint['site-routes']).toBe(1);
      const state = (await w.storage.getJobStates()).find((s) => s.job === 'results');
      const cursor = state?.cursor as { publicationDelaysMs?: [number, number | null][] } | undefined;
      const learned = cursor?.publicationDelaysMs ?? [];
      // Once the list came, races are learned with their climb.
      expect(learned.length).toBeGreaterThan(2);
      expect(learned.some(([, climb]) => climb !== null)).toBe(true);
    } finally {
      await w.close();
    }
  });
});
