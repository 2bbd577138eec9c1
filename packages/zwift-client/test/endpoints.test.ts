import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/index.ts';
import { fixture } from './helpers/fixtures.ts';
import { API_KEY, BASE, SITE, setup, ZWIFT } from './helpers/setup.ts';

/** Headers of a request as nock 15 hands it to a reply callback (a fetch `Request`). */
type HeaderMap = Record<string, string>;
const headersOf = (request: Request): HeaderMap => Object.fromEntries(request.headers);
let stops: (() => void)[] = [];

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  nock.cleanAll();
});

function env(...args: Parameters<typeof setup>) {
  const e = setup(...args);
  stops.push(e.stop);
  return e;
}

describe('public API: request shape', () => {
  it('riders.get: GET /public/riders/{id}, raw Authorization key (no Bearer), normalised rider', async () => {
    const { client } = env();
    let headers: HeaderMap = {};
    const scope = nock(BASE)
      .get('/api/public/riders/4598636')
      .reply((request: Request) => {
        headers = headersOf(request);
        return [200, fixture('zwiftracing-public-rider-single')];
      });
    const rider = await client.riders.get(4598636);
    expect(scope.isDone()).toBe(true);
    expect(headers['authorization']).toBe(API_KEY);
    expect(String(headers['authorization'])).not.toMatch(/bearer/i);
    expect(rider).toEqual({
      riderId: 4598636,
      name: 'Rob Griffin [T&S]',
      gender: 'M',
      country: 'se',
      age: 'Mas',
      height: 185,
      weight: 77,
      zpCategory: 'B',
      zpFTP: 304,
      power: expect.objectContaining({
        wkg5: 11.9481,
        w1200: 334,
        CP: 319.5566286801363,
        compoundScore: 1678.2526115859448,
      }),
      race: {
        last: {
          rating: 1803.825984748603,
          date: 1764788400000,
          expires: null,
          mixed: { category: 'Emerald', number: 3 },
        },
        current: {
          rating: 1803.825984748603,
          date: 1764788400000,
          expires: null,
          mixed: { category: 'Emerald', number: 3 },
        },
        max30: {
          rating: 1811.9235613738188,
          date: 1763492640000,
          expires: 1767380400000,
          mixed: { category: 'Emerald', number: 3 },
        },
        max90: {
          rating: 1811.9235613738188,
          date: 1763492640000,
          expires: 1772564400000,
          mixed: { category: 'Emerald', number: 3 },
        },
        finishes: 9,
        dnfs: 0,
        wins: 1,
        podiums: 2,
      },
      handicaps: {
        flat: 0.5873884140551162,
        rolling: -58.31927825261149,
        hilly: -68.38879392212718,
        mountainous: -23.847969610636326,
      },
      phenotype: {
        value: 'All-Rounder',
        bias: 2.5,
        scores: { sprinter: 95.9, puncheur: 97.4, pursuiter: 92.2, climber: 94.1, tt: 96.2 },
      },
      club: { id: 20650, name: 'Tea & Scone' },
    });
    expect(Object.keys(rider.power)).toHaveLength(17);
    expect(JSON.parse(JSON.stringify(rider))).toEqual(rider); // plain JSON
  });

  it('riders.get with at: /public/riders/{id}/{epochSec}', async () => {
    const { client } = env();
    const scope = nock(BASE)
      .get('/api/public/riders/5574/1764788400')
      .reply(200, fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post')[1]);
    const rider = await client.riders.get(5574, { at: new Date(1764788400_123) });
    expect(scope.isDone()).toBe(true);
    expect(rider.riderId).toBe(5574);
  });

  it('riders.get: race null, missing optional fields → null, never 0', async () => {
    const { client } = env();
    nock(BASE)
      .get('/api/public/riders/7')
      .reply(200, { riderId: 7, name: 'Nobody', race: null, power: { wkg5: 0 }, womens: { x: 1 } });
    const rider = await client.riders.get(7);
    expect(rider).toMatchObject({
      riderId: 7,
      race: null,
      gender: null,
      height: null,
      weight: null,
      zpFTP: null,
      handicaps: null,
      phenotype: null,
      club: null,
      power: { wkg5: 0 },
    });
  });

  it('riders.get: max30/max90 without date/mixed; powerRating optional', async () => {
    const { client } = env();
    type Raw = { race: { max30: unknown; max90: { mixed?: unknown } }; power: Record<string, number> };
    const raw = fixture<Raw>('zwiftracing-public-rider-single');
    raw.race.max30 = { rating: 1800 };
    delete raw.race.max90.mixed;
    raw.power['powerRating'] = 1234.5;
    nock(BASE).get('/api/public/riders/4598636').reply(200, raw);
    const rider = await client.riders.get(4598636);
    expect(rider.race?.max30).toEqual({ rating: 1800, date: null, expires: null, mixed: null });
    expect(rider.race?.max90?.mixed).toBeNull();
    expect(rider.power['powerRating']).toBe(1234.5);
  });

  it('riders.get: 404 → NotFoundError, not retried', async () => {
    const { client, calls } = env();
    nock(BASE).get('/api/public/riders/1').reply(404, { message: 'not found' });
    await expect(client.riders.get(1)).rejects.toBeInstanceOf(NotFoundError);
    expect(calls()).toBe(1);
  });

  it('riders.getMany: POST JSON array of deduped ids, keyed by riderId in each record (not position), missing ids', async () => {
    const { client } = env();
    const [griffin, hanson] = fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post');
    let body: unknown;
    let headers: HeaderMap = {};
    const scope = nock(BASE)
      .post('/api/public/riders')
      .reply(async (request: Request) => {
        body = await request.json();
        headers = headersOf(request);
        // answer in a different order than requested, without 999
        return [200, [hanson, griffin]];
      });
    const result = await client.riders.getMany([4598636, 999, 5574, 4598636]);
    expect(scope.isDone()).toBe(true);
    expect(body).toEqual([4598636, 999, 5574]);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['authorization']).toBe(API_KEY);
    expect(result.riders.get(4598636)?.name).toBe('Rob Griffin [T&S]');
    expect(result.riders.get(5574)?.name).toBe('Tim Hanson | ZwiftRacing.app');
    expect(result.riders.get(5574)?.zpFTP).toBe(230);
    expect(result.missing).toEqual([999]);
    expect(result.skipped).toEqual([]);
  });

  it('riders.getMany: > 1000 ids go in chunks of ≤ 1000, each taking a riders-bulk token', async () => {
    const { client, clock } = env();
    const ids = Array.from({ length: 2500 }, (_, i) => i + 1);
    const bodies: number[][] = [];
    const times: number[] = [];
    nock(BASE)
      .post('/api/public/riders')
      .times(3)
      .reply(async (request: Request) => {
        const chunk = (await request.json()) as number[];
        bodies.push(chunk);
        times.push(clock.now());
        return [
          200,
          chunk
            .filter((id) => id % 2 === 0)
            .map((riderId) => ({ riderId, name: `R${riderId}` }))
            .reverse(),
        ];
      });
    const t0 = clock.now();
    const result = await client.riders.getMany(ids);
    expect(bodies.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(bodies.flat()).toEqual(ids);
    expect(result.riders.size).toBe(1250);
    expect(result.missing).toHaveLength(1250);
    expect(result.riders.get(2000)?.name).toBe('R2000');
    // standard tier: 1 per 15 min
    expect(times.map((t) => t - t0)).toEqual([0, 15 * 60_000, 30 * 60_000]);
  });

  it('riders.getMany: no ids → no request', async () => {
    const { client, calls } = env();
    expect(await client.riders.getMany([])).toEqual({ riders: new Map(), missing: [], skipped: [] });
    expect(calls()).toBe(0);
  });

  it('clubs.members: pages from the last riderId while a page is full, deduped (pages overlap)', async () => {
    const { client } = env({ clubPageSize: 3, tier: 'premium' });
    const r = (riderId: number) => ({ riderId, name: `Rider ${riderId}` });
    const scope = nock(BASE)
      .get('/api/public/clubs/20650')
      .reply(200, { clubId: 20650, name: 'Tea &amp; Scone', riders: [r(1), r(2), r(3)] })
      .get('/api/public/clubs/20650/3')
      .reply(200, { clubId: 20650, name: 'Tea &amp; Scone', riders: [r(3), r(4), r(5)] })
      .get('/api/public/clubs/20650/5')
      .reply(200, { clubId: 20650, name: 'Tea &amp; Scone', riders: [r(5), r(6)] });
    const result = await client.clubs.members(20650);
    expect(scope.isDone()).toBe(true);
    expect(result.clubId).toBe(20650);
    expect(result.name).toBe('Tea & Scone');
    expect(result.riders.map((x) => x.riderId)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('clubs.membersPage: one page per call, one clubs token each; next is the last riderId of a full page, null after a short one', async () => {
    const { client, calls } = env({ clubPageSize: 3 });
    const r = (riderId: number) => ({ riderId, name: `Rider ${riderId}` });
    const scope = nock(BASE)
      .get('/api/public/clubs/20650')
      .reply(200, { clubId: 20650, name: 'Tea &amp; Scone', riders: [r(2), r(1), r(3)] })
      .get('/api/public/clubs/20650/3')
      .reply(200, { clubId: 20650, name: 'Tea &amp; Scone', riders: [r(3), r(4)] });
    const first = await client.clubs.membersPage(20650, null);
    expect(first).toMatchObject({ clubId: 20650, name: 'Tea & Scone', next: 3, skipped: [] });
    expect(first.riders.map((x) => x.riderId)).toEqual([2, 1, 3]);
    // The standard tier's bucket (1 an hour) is spent: the next page is refused before anything is sent.
    await expect(client.clubs.membersPage(20650, first.next, { maxWaitMs: 0 })).rejects.toMatchObject({
      kind: 'rate_limited',
    });
    expect(calls()).toBe(1);
    const second = await client.clubs.membersPage(20650, first.next, { maxWaitMs: Number.POSITIVE_INFINITY });
    expect(second.next).toBeNull();
    expect(second.riders.map((x) => x.riderId)).toEqual([3, 4]);
    expect(scope.isDone()).toBe(true);
    await expect(client.clubs.membersPage(20650, -1)).rejects.toMatchObject({ kind: 'config' });
  });

  it('clubs.members: a page that makes no progress ends paging', async () => {
    const { client, calls } = env({ clubPageSize: 2, tier: 'premium' });
    nock(BASE)
      .get('/api/public/clubs/1')
      .reply(200, {
        clubId: 1,
        name: 'x',
        riders: [
          { riderId: 5, name: 'a' },
          { riderId: 6, name: 'b' },
        ],
      })
      .get('/api/public/clubs/1/6')
      .reply(200, {
        clubId: 1,
        name: 'x',
        riders: [
          { riderId: 6, name: 'b' },
          { riderId: 6, name: 'b' },
        ],
      });
    const result = await client.clubs.members(1);
    expect(result.riders).toHaveLength(2);
    expect(calls()).toBe(2);
  });

  it('results.forEvent: object form → metres, epoch ms, rows', async () => {
    const { client } = env();
    nock(BASE).get('/api/public/results/5188741').reply(200, fixture('zwiftracing-public-results-event'));
    const res = await client.results.forEvent('5188741');
    expect(res).toMatchObject({
      eventId: '5188741',
      startsAt: 1762974000000,
      routeId: '2128890027',
      distanceMeters: 19586.8,
      elevationMeters: 32,
      title: 'CTT Winter Series on Zwift',
      type: 'Race',
      subType: 'Time Trial',
      skipped: [],
    });
    expect(res.results).toHaveLength(4);
    expect(res.results[0]).toEqual({
      riderId: 4204538,
      name: '.  Ceri Pritchard (ZSUNR)',
      category: 'A',
      timeSeconds: 1506.486,
      gap: 0,
      position: null,
      positionInCategory: 1,
      rating: 2891.373189723009,
      ratingBefore: 2864.6798523146344,
      ratingDelta: 26.693337408374713,
      ratingMax30: 2891.373189723009,
      ratingMax90: 2891.373189723009,
    });
    expect(res.results[3]).toMatchObject({ gap: null, position: 478, rating: 0, ratingDelta: null });
  });

  it('results.forEvent: older bare-array form', async () => {
    const { client } = env();
    const rows = fixture<{ results: unknown[] }>('zwiftracing-public-results-event').results;
    nock(BASE).get('/api/public/results/42').reply(200, rows);
    const res = await client.results.forEvent(42);
    expect(res.eventId).toBe('42');
    expect(res.startsAt).toBeNull();
    expect(res.distanceMeters).toBeNull();
    expect(res.results.map((r) => r.riderId)).toEqual([4204538, 3563125, 2634903, 4467058]);
  });

  it('results.forEvent: 404 (not published yet) → NotFoundError kind not_found', async () => {
    const { client } = env();
    nock(BASE).get('/api/public/results/77').reply(404);
    await expect(client.results.forEvent('77')).rejects.toMatchObject({
      kind: 'not_found',
      status: 404,
      endpoint: 'results.forEvent',
    });
  });

  it('results.zwiftPower: [value, flag] pairs and numeric strings → numbers', async () => {
    const { client } = env();
    nock(BASE).get('/api/public/zp/5188741/results').reply(200, fixture('zwiftracing-public-zp-results'));
    const res = await client.results.zwiftPower('5188741');
    expect(res.eventId).toBe('5188741');
    expect(res.results).toHaveLength(2);
    expect(res.results[0]).toEqual({
      riderId: 4204538,
      name: 'Ceri Pritchard (Zsunr)',
      category: 'A',
      position: 1,
      positionInCategory: 1,
      timeSeconds: 1506.486,
      gap: 0,
      avgPower: 419,
      avgWkg: 6,
      normalizedPower: 418,
      wattsFtp: 396,
      ftp: 407,
      weight: 70.1,
      height: 179,
      avgHr: 169,
      maxHr: 175,
      wkg5: 7.5,
      wkg15: 7,
      wkg30: 6.7,
      wkg60: 6.4,
      wkg120: 6.2,
      wkg300: 6,
      wkg1200: 5.9,
      w5: 527,
      w15: 488,
      w30: 470,
      w60: 446,
      w120: 434,
      w300: 423,
      w1200: 417,
      teamName: 'ZSUNR',
      country: 'gb-wls',
      ageCategory: 'Vet',
    });
    expect(res.results[1]).toMatchObject({ riderId: 3563125, weight: 68.9, teamName: null });
  });

  it('results.zwiftPower: accepts ZwiftPower { data: [...] } wrapper; missing values → null', async () => {
    const { client } = env();
    nock(BASE)
      .get('/api/public/zp/9/results')
      .reply(200, { data: [{ zwid: '12', name: 'X', avg_power: ['', 0], weight: null }] });
    const res = await client.results.zwiftPower(9);
    expect(res.results[0]).toMatchObject({
      riderId: 12,
      avgPower: null,
      weight: null,
      wkg5: null,
      timeSeconds: null,
    });
  });
});

describe('site API (no Authorization)', () => {
  it('events.upcoming: GET {site}/api/events/upcoming, seconds → ms, metres kept, laps number, signup counts', async () => {
    const { client } = env();
    let headers: HeaderMap = {};
    nock(SITE)
      .get('/api/events/upcoming')
      .reply((request: Request) => {
        headers = headersOf(request);
        return [200, fixture('zwiftracing-internal-api-events-upcoming')];
      });
    const { events, skipped } = await client.events.upcoming();
    expect(headers['authorization']).toBeUndefined();
    expect(skipped).toEqual([]);
    expect(events[0]).toEqual({
      eventId: '5230192',
      startsAt: 1765195800000,
      routeId: '22757204',
      distanceMeters: 21784,
      laps: 4,
      title: "Stage 1: Fresh Outta '25: Prospect Park Loop",
      type: 'Race',
      subType: 'Scratch',
      staggeredStart: true,
      categories: ['A', 'B', 'C', 'D', 'E'],
      signupCounts: { A: 20, B: 29, C: 36, D: 52, E: 39 },
    });
    expect(events[1]?.signupCounts).toEqual({ A: 15 });
    expect(events[2]).toMatchObject({
      routeId: '1919980508',
      distanceMeters: 9600,
      laps: 1,
      staggeredStart: false,
    });
  });

  it('events.upcoming: route ids beyond 2^31 stay exact strings', async () => {
    const { client } = env();
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, [
        { eventId: 1, time: 1, routeId: '3765339356', categories: '', signups: '' },
        { eventId: '2', time: 2, routeId: 4294967297 },
      ]);
    const { events } = await client.events.upcoming();
    expect(events.map((e) => e.routeId)).toEqual(['3765339356', '4294967297']);
    expect(events[0]).toMatchObject({
      eventId: '1',
      categories: [],
      signupCounts: {},
      title: '',
      laps: null,
      distanceMeters: null,
    });
  });

  it('events.signups: pens, riders with decoded names, flattened & deduped', async () => {
    const { client } = env();
    let headers: HeaderMap = {};
    const pens = fixture<{ riders: unknown[] }[]>('zwiftracing-internal-api-event-signups');
    pens[1]!.riders.push(pens[0]!.riders[0]); // same rider in two pens
    nock(SITE)
      .get('/api/events/5230192/signups')
      .reply((request: Request) => {
        headers = headersOf(request);
        return [200, pens];
      });
    const res = await client.events.signups('5230192');
    expect(headers['authorization']).toBeUndefined();
    expect(res.eventId).toBe('5230192');
    expect(res.pens.map((p) => p.label)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(res.pens[0]).toMatchObject({ avgRating: 1701.0939912864055, ratedRiders: 19 });
    expect(res.pens[0]!.riders[0]).toEqual({
      riderId: 6785641,
      name: 'Magnus Skjøth #HAC# ',
      pen: 'A',
      rating: 1944.2371736018263,
      weight: 68,
      height: 175,
      clubId: 5469,
      clubName: '[HAC]',
    });
    expect(res.pens[1]!.riders[0]).toMatchObject({
      riderId: 5263634,
      clubId: null,
      clubName: null,
      weight: 73.75,
    });
    expect(res.pens[4]!.riders[1]!.name).toBe('M elanie ⚡️pacemaker Implanted 11/25❤️ ZLDR');
    expect(res.riders).toHaveLength(10);
    expect(res.riders.filter((r) => r.riderId === 6785641)).toHaveLength(1);
    expect(res.riders[0]!.pen).toBe('A');
  });

  it('routes.list: km → metres, ids as text', async () => {
    const { client } = env();
    let headers: HeaderMap = {};
    nock(SITE)
      .get('/api/routes')
      .reply((request: Request) => {
        headers = headersOf(request);
        return [200, [fixture('zwiftracing-internal-api-routes-item')]];
      });
    const { routes } = await client.routes.list();
    expect(headers['authorization']).toBeUndefined();
    expect(routes).toEqual([
      {
        routeId: '2843604888',
        name: 'Bologna Time Trial',
        distanceMeters: 8049.819,
        elevationMeters: 236.39133,
        world: 'Bologna',
        profile: 'Hilly',
        eventOnly: false,
        url: 'https://zwiftinsider.com/route/bologna-time-trial/',
        difficulty: 2.5,
      },
    ]);
  });

  it('site endpoints work without an apiKey', async () => {
    const { client } = env({ apiKey: undefined });
    nock(SITE).get('/api/routes').reply(200, []);
    expect(await client.routes.list()).toEqual({ routes: [], skipped: [] });
  });
});

describe('Zwift API (no Authorization)', () => {
  it('zwift.events.upcoming: eventStart +0000 → ms, subgroups, counts', async () => {
    const { client } = env({ apiKey: undefined });
    let headers: HeaderMap = {};
    nock(ZWIFT)
      .get('/api/public/events/upcoming')
      .reply((request: Request) => {
        headers = headersOf(request);
        return [200, fixture('zwift-official-public-events-upcoming')];
      });
    const { events, skipped } = await client.zwift.events.upcoming();
    expect(headers['authorization']).toBeUndefined();
    expect(skipped).toEqual([]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      eventId: '5001445',
      startsAt: Date.UTC(2025, 5, 1, 22, 30),
      title: 'EZR Weekend Wind Down',
      routeId: '2143464829',
      durationSeconds: 3600,
      laps: 0,
      type: 'GROUP_RIDE',
      sport: 'CYCLING',
      categories: ['D'],
      signupCounts: { D: 0 },
    });
    expect(events[0]!.subgroups[0]).toEqual({
      subgroupId: 6350840,
      label: 'D',
      startsAt: Date.UTC(2025, 5, 1, 22, 30),
      routeId: '2143464829',
      laps: 0,
      distanceMeters: 0,
      durationSeconds: 3600,
      entrantCount: 0,
      signedUpCount: 0,
    });
    expect(events[1]).toMatchObject({ eventId: '4963366', routeId: '3765339356', laps: 6 });
    expect(events[1]!.categories.length).toBeGreaterThan(1);
  });
});
