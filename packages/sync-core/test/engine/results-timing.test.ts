import { TransientError, type ZwiftClient } from '@racesync/zwift-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLICATION_DELAY_SAMPLES, PublicationDelay } from '../../src/adaptive/publication-delay.js';
import type { SyncSource } from '../../src/index.js';
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
  const worlds: World[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  });

  /** Sixteen hours of one world; what reached storage and how many results calls it took. */
  async function day(options: Parameters<typeof createWorld>[0]) {
    const w = await createWorld({ seed: 1, teamSize: 80, ...options });
    worlds.push(w);
    w.engine.start();
    await w.clock.runUntil(w.start + 8 * HOUR);
    const callsAt8h = w.sim.stats().requests.byEndpoint.results ?? 0;
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
    const cursor = (state?.cursor ?? {}) as {
      publicationDelaysMs?: number[];
      publicationDelaysAfterFinishMs?: number[];
      routeDurations?: [string, number[]][];
    };
    const stats = w.sim.stats();
    const calls = stats.requests.byEndpoint.results ?? 0;
    return {
      races: due.length,
      stored,
      calls,
      /** Calls of the second half, once a few races have been learned from. */
      lateCalls: calls - callsAt8h,
      routeCalls: stats.requests.byEndpoint['site-routes'] ?? 0,
      violations: stats.violations.total,
      learned: cursor.publicationDelaysMs ?? [],
      afterFinish: cursor.publicationDelaysAfterFinishMs ?? [],
      routes: cursor.routeDurations ?? [],
    };
  }

  const withoutRoutes = (client: ZwiftClient): SyncSource => ({ ...client, routes: undefined });
  let fixed: Awaited<ReturnType<typeof day>>;
  let noRoutes: Awaited<ReturnType<typeof day>>;
  let climbing: Awaited<ReturnType<typeof day>>;
  beforeAll(async () => {
    // Every first attempt at the flat estimate plus grace; learning without, then with the route list.
    fixed = await day({
      engine: { policy: { results: { delayMinSamples: 1_000_000 } } },
      source: (client) => ({
        ...withoutRoutes(client),
        // Results without finish times: nothing to learn a route's length from.
        results: {
          forEvent: async (eventId, options) => {
            const answer = await client.results.forEvent(eventId, options);
            return { ...answer, results: answer.results.map((r) => ({ ...r, timeSeconds: 0 })) };
          },
        },
      }),
    });
    noRoutes = await day({ source: withoutRoutes });
    climbing = await day({});
  }, 300_000);

  it('spends fewer results calls for the same rows than attempts at the flat estimate plus grace, and persists what it learned', () => {
    expect(noRoutes.races).toBeGreaterThan(5);
    expect(Object.keys(noRoutes.stored)).toEqual(Object.keys(fixed.stored));
    expect(noRoutes.violations).toBe(0);
    expect(fixed.violations).toBe(0);
    // Races climb: the flat estimate is early for most of them, and learning saves a good share.
    expect(noRoutes.calls).toBeLessThan(fixed.calls * 0.8);
    expect(fixed.routes).toEqual([]);
    expect(fixed.routeCalls + noRoutes.routeCalls).toBe(0);
    // Each race found adds an observation to the results job's persisted state (a restart keeps it).
    expect(noRoutes.learned.length).toBeGreaterThanOrEqual(noRoutes.races);
    expect(noRoutes.afterFinish.length).toBeGreaterThanOrEqual(noRoutes.races);
    // Every route raced is remembered with how much longer than the flat estimate its races took.
    expect(noRoutes.routes.length).toBeGreaterThan(3);
    expect(noRoutes.routes.every(([, ratios]) => ratios.every((r) => r > 1 && r < 2.5))).toBe(true);
  });

  it("with the route list, a new route's length comes from its climbing: fewer calls again, the same rows", () => {
    expect(climbing.stored).toEqual(noRoutes.stored);
    expect(climbing.violations).toBe(0);
    // One route list for the day (it is kept `routesIntervalMs`, 24 h).
    expect(climbing.routeCalls).toBe(1);
    expect(climbing.lateCalls).toBeLessThan(noRoutes.lateCalls);
  });

  it("with the route list, a first start's races wait for what their climbing should cost: fewer calls before any route is learned", () => {
    // The first 8 hours, where most routes are new: the flat estimate is early for every race that
    // climbs, the climbing prior less so (same rows: see above). Without the prior the route list
    // saved nothing here (56 calls against 51 without it; now 46).
    const early = (d: typeof climbing) => d.calls - d.lateCalls;
    expect(early(climbing)).toBeLessThan(early(noRoutes));
  });
});

describe('the route list', () => {
  it('a failed route list is logged and asked for again after the back-off; results keep coming', async () => {
    const warnings: string[] = [];
    let asked = 0;
    const w = await createWorld({
      seed: 1,
      teamSize: 80,
      engine: { logger: { warn: (_fields, message) => warnings.push(String(message)) } },
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
      expect(warnings).toContain(
        'route list fetch failed; the results queue times new routes by the quicker routes seen',
      );
      // Asked again after the failure back-off, then kept for the day.
      expect(asked).toBe(2);
      expect(w.sim.stats().requests.byEndpoint['site-routes']).toBe(1);
      const state = (await w.storage.getJobStates()).find((s) => s.job === 'results');
      const routes = (state?.cursor as { routeDurations?: [string, number[]][] } | undefined)?.routeDurations;
      expect(routes?.length ?? 0).toBeGreaterThan(0);
    } finally {
      await w.close();
    }
  });
});
