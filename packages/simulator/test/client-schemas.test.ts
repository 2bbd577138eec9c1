import { createZwiftClient, type SkippedRecord } from '@racesync/zwift-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulation, type Simulation, type VirtualClock } from '../src/index.ts';

let sim: Simulation | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function connect(options: Parameters<typeof createSimulation>[0] = {}) {
  sim = createSimulation({ seed: 11, teamSize: 40, days: 2, ...options });
  const urls = await sim.listen();
  const skipped: SkippedRecord[] = [];
  const client = createZwiftClient({
    apiKey: urls.apiKey,
    baseUrl: urls.baseUrl,
    siteBaseUrl: urls.siteBaseUrl,
    zwiftBaseUrl: urls.zwiftBaseUrl,
    fetch: sim.fetch,
    clock: sim.clock,
    onSkip: (record) => skipped.push(record),
  });
  return { sim, urls, client, clock: sim.clock as VirtualClock, skipped };
}

describe('the simulated payloads validate against the zwift-client schemas', () => {
  it('every endpoint the sync uses answers in shapes the client accepts without skipping a record', async () => {
    const { sim, urls, client, clock, skipped } = await connect();
    const events = await clock.run(client.events.upcoming());
    expect(events.events.length).toBeGreaterThan(500);
    expect(events.events.some((e) => e.routeId !== null && Number(e.routeId) > 2 ** 31)).toBe(true);

    const busiest = [...sim.truth.events()].sort(
      (a, b) =>
        Object.values(b.signupCounts).reduce((x, y) => x + y, 0) -
        Object.values(a.signupCounts).reduce((x, y) => x + y, 0),
    )[0]!;
    const signups = await clock.run(client.events.signups(busiest.eventId));
    expect(signups.riders.length).toBe(Object.values(busiest.signupCounts).reduce((x, y) => x + y, 0));

    const club = await clock.run(client.clubs.members(urls.clubId));
    expect(club.riders.map((r) => r.riderId).sort((a, b) => a - b)).toEqual(
      [...urls.teamRiderIds].sort((a, b) => a - b),
    );
    expect(club.riders.some((r) => r.race === null)).toBe(true);

    const bulk = await clock.run(client.riders.getMany([...urls.teamRiderIds, 999_999_999]));
    expect(bulk.riders.size).toBe(urls.teamRiderIds.length);
    expect(bulk.missing).toEqual([999_999_999]);
    for (const [id, rider] of bulk.riders) expect(rider.riderId).toBe(id);

    const one = await clock.run(client.riders.get(urls.teamRiderIds[0]!));
    expect(one.riderId).toBe(urls.teamRiderIds[0]);

    const routes = await clock.run(client.routes.list());
    expect(routes.routes.length).toBeGreaterThan(10);

    const zwift = await clock.run(client.zwift.events.upcoming());
    expect(zwift.events.length).toBeGreaterThan(0);
    expect(zwift.events.length).toBeLessThanOrEqual(200);

    // A race that finished before the start has results, in both the ZR and the ZwiftPower shape.
    const finished = sim.truth.teamRaces.find((r) => r.resultsAt < clock.now())!;
    const results = await clock.run(client.results.forEvent(finished.eventId));
    expect(results.results.length).toBeGreaterThan(0);
    expect(results.results.every((r) => Number.isFinite(r.timeSeconds))).toBe(true);
    const zp = await clock.run(client.results.zwiftPower(finished.eventId));
    expect(zp.results.length).toBe(results.results.length);

    expect(skipped).toEqual([]);
  });

  it('schema drift in one record is skipped and reported, the rest of the list returned', async () => {
    const { client, clock, skipped } = await connect({ faults: { rate: 1, kinds: { drift: 1 } } });
    const listed = await clock.run(client.events.upcoming());
    expect(listed.events.length).toBeGreaterThan(500);
    expect(listed.skipped.length + skipped.length).toBeGreaterThan(0);
  });
});
