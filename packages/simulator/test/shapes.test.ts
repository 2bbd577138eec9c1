import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type Harness, HOUR, harness, shapeDiff } from './helpers.ts';

/**
 * Every endpoint serves the raw upstream shape of the samples in fixtures/upstream (same keys,
 * same JSON types). Documented differences are listed as allowances.
 */
describe('payload shapes match the upstream samples', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ seed: 7 });
    // Let a day pass so results and rider changes exist.
    await h.sim.clock.sleep(0);
    await (h.sim.clock as import('../src/index.ts').VirtualClock).advanceBy(20 * HOUR);
  });
  afterAll(() => h.close());

  const riderAllow = {
    // Optional upstream fields the sample rider happens not to have.
    extraPaths: ['$.power.powerRating', '$.womens'],
    missingPaths: ['$.race.max30.date', '$.race.max30.mixed', '$.race.max90.date', '$.race.max90.mixed'],
    extraTypes: { '$.race': ['null'], '$.club': ['null'] },
  };

  it('the shape check itself notices missing, extra and mistyped fields', () => {
    const sample = { a: 1, b: { c: 'x' }, d: [{ e: true }] };
    expect(shapeDiff({ a: 2, b: { c: 'y' }, d: [{ e: false }] }, sample)).toEqual([]);
    expect(shapeDiff({ a: '2', b: { c: 'y', z: 1 }, d: [{}] }, sample)).toEqual([
      'type string at $.a (sample: number)',
      'missing $.d[].e',
      'extra $.b.z',
    ]);
  });

  it('GET /public/riders/{id}', async () => {
    const sample = fixture('zwiftracing-public-rider-single');
    for (const id of h.info.teamRiderIds.slice(0, 5)) {
      const rider = await h.json(`${h.info.baseUrl}/public/riders/${id}`);
      expect(shapeDiff(rider, sample, riderAllow)).toEqual([]);
    }
  });

  it('POST /public/riders (every team rider, keyed by riderId)', async () => {
    const riders = await h.json<Record<string, unknown>[]>(`${h.info.baseUrl}/public/riders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(h.info.teamRiderIds),
    });
    expect(riders).toHaveLength(h.info.teamRiderIds.length);
    const sample = fixture('zwiftracing-public-riders-bulk-post');
    const allow = {
      ...riderAllow,
      extraPaths: ['$[].power.powerRating', '$[].womens'],
      missingPaths: [
        '$[].race.max30.date',
        '$[].race.max30.mixed',
        '$[].race.max90.date',
        '$[].race.max90.mixed',
      ],
      extraTypes: { '$[].race': ['null'] },
    };
    expect(shapeDiff(riders, sample, allow)).toEqual([]);
    // Some riders are unrated, some have a women's rating, some lack powerRating and max dates.
    expect(riders.some((r) => r['race'] === null)).toBe(true);
    expect(riders.some((r) => 'womens' in r)).toBe(true);
    expect(riders.some((r) => !('powerRating' in (r['power'] as object)))).toBe(true);
    expect(
      riders.some(
        (r) => r['race'] && !('date' in ((r['race'] as Record<string, object>)['max30'] as object)),
      ),
    ).toBe(true);
    expect(riders.some((r) => Number.isInteger(r['weight']))).toBe(true);
    expect(riders.some((r) => !Number.isInteger(r['weight']))).toBe(true);
  });

  it('GET /public/clubs/{id}', async () => {
    const club = await h.json<{ clubId: number; name: string; riders: unknown[] }>(
      `${h.info.baseUrl}/public/clubs/${h.info.clubId}`,
    );
    expect(club.clubId).toBe(h.info.clubId);
    expect(typeof club.name).toBe('string');
    const sample = { clubId: 1, name: 'x', riders: fixture('zwiftracing-public-riders-bulk-post') };
    const allow = {
      extraPaths: ['$.riders[].power.powerRating', '$.riders[].womens'],
      missingPaths: ['$.riders[].race.max30.date', '$.riders[].race.max30.mixed', '$.riders[].race.max90'],
      extraTypes: { '$.riders[].race': ['null'] },
    };
    expect(shapeDiff(club, sample, allow)).toEqual([]);
  });

  it('GET /public/results/{eventId} and /public/zp/{eventId}/results', async () => {
    const now = h.sim.clock.now();
    const race = h.sim.truth.teamRaces.find((r) => r.resultsAt < now) as { eventId: string };
    const results = await h.json<Record<string, unknown>>(`${h.info.baseUrl}/public/results/${race.eventId}`);
    expect(
      shapeDiff(results, fixture('zwiftracing-public-results-event'), {
        missingPaths: [],
      }),
    ).toEqual([]);
    const zp = await h.json(`${h.info.baseUrl}/public/zp/${race.eventId}/results`);
    expect(shapeDiff(zp, fixture('zwiftracing-public-zp-results'))).toEqual([]);
  });

  it('GET /api/events/upcoming (site)', async () => {
    const events = await h.json<Record<string, unknown>[]>(`${h.info.siteBaseUrl}/api/events/upcoming`, {
      auth: false,
    });
    expect(events.length).toBeGreaterThan(700);
    expect(shapeDiff(events, fixture('zwiftracing-internal-api-events-upcoming'))).toEqual([]);
  });

  it('GET /api/events/{id}/signups (site)', async () => {
    const now = h.sim.clock.now();
    const ev = h.sim.truth.eventsBetween(now + HOUR, now + 2 * HOUR).find((e) => e.pens.length === 5) as {
      eventId: string;
    };
    const pens = await h.json(`${h.info.siteBaseUrl}/api/events/${ev.eventId}/signups`, { auth: false });
    expect(shapeDiff(pens, fixture('zwiftracing-internal-api-event-signups'))).toEqual([]);
  });

  it('GET /api/routes (site)', async () => {
    const routes = await h.json<unknown[]>(`${h.info.siteBaseUrl}/api/routes`, { auth: false });
    expect(routes.length).toBeGreaterThan(200);
    expect(shapeDiff(routes, [fixture('zwiftracing-internal-api-routes-item')])).toEqual([]);
  });

  it('GET /api/public/events/upcoming (Zwift)', async () => {
    const events = await h.json<Record<string, unknown>[]>(
      `${h.info.zwiftBaseUrl}/api/public/events/upcoming`,
      {
        auth: false,
      },
    );
    expect(events.length).toBeGreaterThan(20);
    expect(events.length).toBeLessThanOrEqual(200);
    expect(
      shapeDiff(events, fixture('zwift-official-public-events-upcoming'), {
        // The samples' invited leaders/sweepers lists are empty in simulated races.
        missingPaths: ['$[].eventSubgroups[].invitedLeaders[]', '$[].eventSubgroups[].invitedSweepers[]'],
        extraTypes: { '$[].eventSeries': ['null'] },
      }),
    ).toEqual([]);
  });
});
