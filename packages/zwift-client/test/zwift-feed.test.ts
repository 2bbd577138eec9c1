import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RateLimitError, ValidationError } from '../src/index.ts';
import { fixture } from './helpers/fixtures.ts';
import { ZWIFT } from './helpers/setup.ts';
import { accountSetup, TOKEN_PATH, tokenResponse, ZWIFT_AUTH } from './helpers/zwift-account.ts';

let stops: (() => void)[] = [];
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  nock.cleanAll();
});

type Raw = Record<string, unknown>;

/** A client logged in (one token answer queued) — the feed's own limits unless `options.limits` says. */
function env(...args: Parameters<typeof accountSetup>) {
  const e = accountSetup(...args);
  stops.push(e.stop);
  const token = tokenResponse();
  nock(ZWIFT_AUTH).post(TOKEN_PATH).reply(200, token);
  return { ...e, token };
}

/** Zwift's event shape (the public feed's fixture) as the event search sends it, with followee counts. */
function searchAnswer(): Raw[] {
  const [ride, race] = fixture<Raw[]>('zwift-official-public-events-upcoming');
  // the group ride: no followee counts at all (no signal)
  delete ride!['followeeEntrantCount'];
  for (const sg of ride!['eventSubgroups'] as Raw[]) delete sg['followeeEntrantCount'];
  // the race: two followed riders in B, none in A
  Object.assign(race!, { followeeEntrantCount: 2, totalEntrantCount: 57, name: 'Crit &amp; Coffee' });
  const [a, b] = race!['eventSubgroups'] as Raw[];
  Object.assign(a!, { followeeEntrantCount: 0, totalEntrantCount: 20 });
  Object.assign(b!, { followeeEntrantCount: '2', totalEntrantCount: 37 });
  return [ride!, race!];
}

/** `n` profiles with ids `from`, `from + 1`, … */
const profiles = (from: number, n: number): Raw[] =>
  Array.from({ length: n }, (_, i) => ({
    id: from + i,
    firstName: `First${from + i}`,
    lastName: `Last${from + i} `,
    publicId: 'x',
    playerType: 'NORMAL',
  }));

const from = Date.UTC(2025, 5, 1, 12, 0, 0);
const range = { from, to: from + 12 * 3_600_000 };

describe('zwift.events.search', () => {
  it('POST /api/events/search?limit=N with the date range as JSON, Bearer token; normalised events', async () => {
    const { client, token } = env();
    let seen: { url: string; headers: Record<string, string>; body: unknown } | null = null;
    nock(ZWIFT)
      .post('/api/events/search')
      .query({ limit: '50' })
      .reply(async (request: Request) => {
        seen = { url: request.url, headers: Object.fromEntries(request.headers), body: await request.json() };
        return [200, searchAnswer()];
      });
    const result = await client.zwift.events.search({ ...range, limit: 50 });
    expect(seen!.url).toBe(`${ZWIFT}/api/events/search?limit=50`);
    expect(seen!.body).toEqual({
      dateRangeStartISOString: '2025-06-01T12:00:00.000Z',
      dateRangeEndISOString: '2025-06-02T00:00:00.000Z',
    });
    expect(seen!.headers['accept']).toBe('application/json');
    expect(seen!.headers['content-type']).toMatch(/^application\/json/);
    expect(seen!.headers['authorization']).toBe(`Bearer ${token.access_token}`);
    expect(result.skipped).toEqual([]);
    expect(result.truncated).toBe(false);
    expect(result.events).toEqual([
      {
        eventId: '5001445',
        title: 'EZR Weekend Wind Down',
        startsAt: Date.UTC(2025, 5, 1, 22, 30),
        type: 'GROUP_RIDE',
        followeeEntrantCount: null, // missing = no signal, never 0
        totalEntrantCount: 0,
        subgroups: [
          {
            subgroupId: '6350840',
            label: 'D',
            startsAt: Date.UTC(2025, 5, 1, 22, 30),
            followeeEntrantCount: null,
            totalEntrantCount: 0,
          },
        ],
      },
      {
        eventId: '4963366',
        title: 'Crit & Coffee',
        startsAt: Date.UTC(2025, 5, 1, 22, 40),
        type: 'RACE',
        followeeEntrantCount: 2,
        totalEntrantCount: 57,
        subgroups: [
          {
            subgroupId: '6289913',
            label: 'A',
            startsAt: Date.UTC(2025, 5, 1, 22, 40),
            followeeEntrantCount: 0, // a real 0 stays 0
            totalEntrantCount: 20,
          },
          {
            subgroupId: '6289914',
            label: 'B',
            startsAt: Date.UTC(2025, 5, 1, 22, 41),
            followeeEntrantCount: 2,
            totalEntrantCount: 37,
          },
        ],
      },
    ]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // plain JSON
  });

  it('limit defaults to 200; an answer holding `limit` events is truncated', async () => {
    const { client } = env();
    const [, race] = searchAnswer();
    const many = Array.from({ length: 3 }, (_, i) => ({ ...race, id: 100 + i }));
    nock(ZWIFT).post('/api/events/search').query({ limit: '200' }).reply(200, many);
    nock(ZWIFT).post('/api/events/search').query({ limit: '3' }).reply(200, many);
    await expect(client.zwift.events.search(range)).resolves.toMatchObject({ truncated: false });
    const full = await client.zwift.events.search({ ...range, limit: 3 });
    expect(full.truncated).toBe(true);
    expect(full.events.map((e) => e.eventId)).toEqual(['100', '101', '102']);
  });

  it('Dates accepted; bad ranges and limits → ConfigError naming the argument, no request', async () => {
    const { client, calls } = env();
    nock(ZWIFT)
      .post('/api/events/search')
      .query(true)
      .reply(async (request: Request) => [200, [], { 'x-body': JSON.stringify(await request.json()) }]);
    await client.zwift.events.search({ from: new Date(range.from), to: new Date(range.to) });
    const before = calls();
    const bad: [unknown, string][] = [
      [undefined, 'range'],
      [{ from: range.to, to: range.from }, 'to'],
      [{ from: range.from, to: range.from + 7 * 86_400_000 + 1 }, 'to'],
      [{ from: 'today', to: range.to }, 'from'],
      [{ ...range, limit: 0 }, 'limit'],
      [{ ...range, limit: 201 }, 'limit'],
      [{ ...range, limit: 2.5 }, 'limit'],
    ];
    for (const [arg, option] of bad) {
      await expect(client.zwift.events.search(arg as never), option).rejects.toMatchObject({
        kind: 'config',
        option,
      });
    }
    await expect(client.zwift.events.search(range, { maxWaitMs: -1 })).rejects.toMatchObject({
      option: 'maxWaitMs',
    });
    expect(calls()).toBe(before);
  });

  it('429 with Retry-After: the zwift-search bucket is blocked, the call retried after the block', async () => {
    const { client, clock } = env({ limits: { 'zwift-search': { capacity: 2, intervalMs: 60_000 } } });
    const times: number[] = [];
    let t0 = 0;
    let blockedUntil: number | null = null;
    nock(ZWIFT)
      .post('/api/events/search')
      .query(true)
      .reply(() => {
        times.push(clock.now() - t0);
        return [429, { message: 'Too many requests' }, { 'Retry-After': '30' }];
      })
      .post('/api/events/search')
      .query(true)
      .reply(async () => {
        times.push(clock.now() - t0);
        blockedUntil = (await client.rateLimits.state('zwift-search')).blockedUntil;
        return [200, []];
      });
    t0 = clock.now();
    await client.zwift.events.search(range);
    expect(times).toEqual([0, 30_000]);
    expect(blockedUntil).toBeNull(); // the block had passed when the retry left
    // a Retry-After beyond maxWaitMs: RateLimitError with retryAfterMs, the bucket stays blocked
    let t1 = 0;
    nock(ZWIFT)
      .post('/api/events/search')
      .query(true)
      .reply(() => {
        t1 = clock.now(); // t0 + 60 s: the bucket's third token
        return [429, {}, { 'Retry-After': '600' }];
      });
    const error = await client.zwift.events.search(range, { maxWaitMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 600_000, endpoint: 'zwift.events.search', status: 429 });
    expect(t1 - t0).toBe(60_000);
    expect((await client.rateLimits.state('zwift-search')).blockedUntil).toBe(t1 + 600_000);
  });

  it('the zwift-search bucket (2 / 60 s by default) paces the calls', async () => {
    const { client, clock } = env({ limits: { 'zwift-search': { capacity: 2, intervalMs: 60_000 } } });
    const times: number[] = [];
    const t0 = clock.now();
    nock(ZWIFT)
      .post('/api/events/search')
      .query(true)
      .times(5)
      .reply(() => {
        times.push(clock.now() - t0);
        return [200, []];
      });
    await Promise.all(Array.from({ length: 5 }, () => client.zwift.events.search(range)));
    expect(times).toEqual([0, 0, 60_000, 60_000, 120_000]);
  });

  it('schema drift: unknown fields pass, one malformed event or pen is skipped and reported, not fatal', async () => {
    const { client, skips, logs } = env();
    const [ride, race] = searchAnswer();
    const answer = [
      { ...ride, brandNewField: { nested: true } },
      { ...race, id: undefined }, // no id: skipped
      { ...race, id: 7, eventStart: 'tomorrow' }, // unreadable start: skipped
      { ...race, id: 8, followeeEntrantCount: 2.5 }, // not a count: skipped
      { ...race, id: 9, followeeEntrantCount: '', totalEntrantCount: null, eventSubgroups: null },
      {
        ...race,
        id: 10,
        eventSubgroups: [{ subgroupLabel: 'A' }, { id: 11, subgroupLabel: 'B', followeeEntrantCount: 1 }],
      },
    ];
    nock(ZWIFT).post('/api/events/search').query(true).reply(200, answer);
    const result = await client.zwift.events.search(range);
    expect(result.events.map((e) => e.eventId)).toEqual(['5001445', '9', '10']);
    expect(result.events[1]).toMatchObject({
      followeeEntrantCount: null,
      totalEntrantCount: null,
      subgroups: [],
    });
    expect(result.events[2]!.subgroups).toEqual([
      { subgroupId: '11', label: 'B', startsAt: null, followeeEntrantCount: 1, totalEntrantCount: null },
    ]);
    expect(result.skipped.map((s) => s.path)).toEqual([
      '[1].id',
      '[2].eventStart',
      '[3]',
      '[5].eventSubgroups[0].id',
    ]);
    expect(result.skipped[2]!.message).toMatch(/followeeEntrantCount/);
    expect(result.skipped.every((s) => s.endpoint === 'zwift.events.search')).toBe(true);
    expect(skips).toEqual(result.skipped);
    expect(logs.filter((l) => l.level === 'warn' && /skipped malformed record/.test(l.message))).toHaveLength(
      4,
    );
  });

  it('a body that is not a list → ValidationError; a 400 (range refused upstream) → ValidationError', async () => {
    const { client } = env();
    nock(ZWIFT).post('/api/events/search').query(true).reply(200, { events: [] });
    await expect(client.zwift.events.search(range)).rejects.toBeInstanceOf(ValidationError);
    nock(ZWIFT).post('/api/events/search').query(true).reply(400, { message: 'date range too long' });
    await expect(client.zwift.events.search(range)).rejects.toMatchObject({
      kind: 'validation',
      status: 400,
    });
  });
});

describe('zwift.subgroups.entrants', () => {
  const path = '/api/events/subgroups/entrants/6289914';

  it('GET …/entrants/{id}?participation=signed_up&type=following&start=S&limit=100, Bearer; overlapping pages deduped; stops at a short page', async () => {
    const { client, token } = env();
    const urls: string[] = [];
    const bearers: (string | null)[] = [];
    const page = (body: Raw[]) => (request: Request) => {
      urls.push(request.url);
      bearers.push(request.headers.get('authorization'));
      return [200, body] as [number, Raw[]];
    };
    nock(ZWIFT)
      .get(path)
      .query(true)
      .reply(page(profiles(1, 100)))
      .get(path)
      .query(true)
      .reply(page(profiles(91, 100))) // repeats 91…100 of the first page
      .get(path)
      .query(true)
      .reply(page(profiles(181, 50))); // repeats 181…190; 50 < 100: the last page
    const result = await client.zwift.subgroups.entrants('6289914', { type: 'following' });
    expect(urls).toEqual([
      `${ZWIFT}${path}?participation=signed_up&type=following&start=0&limit=100`,
      `${ZWIFT}${path}?participation=signed_up&type=following&start=100&limit=100`,
      `${ZWIFT}${path}?participation=signed_up&type=following&start=200&limit=100`,
    ]);
    expect(new Set(bearers)).toEqual(new Set([`Bearer ${token.access_token}`]));
    expect(result.subgroupId).toBe('6289914');
    expect(result.pages).toBe(3);
    expect(result.skipped).toEqual([]);
    expect(result.riders.map((r) => r.riderId)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    expect(result.riders[0]).toEqual({ riderId: 1, name: 'First1 Last1' });
    expect(nock.isDone()).toBe(true);
  });

  it('stop rule: a full last page is followed by one more request, which comes back empty', async () => {
    const { client } = env();
    nock(ZWIFT)
      .get(path)
      .query({ participation: 'signed_up', type: 'all', start: '0', limit: '100' })
      .reply(200, profiles(1, 100))
      .get(path)
      .query({ participation: 'signed_up', type: 'all', start: '100', limit: '100' })
      .reply(200, []);
    const result = await client.zwift.subgroups.entrants(6289914, { type: 'all' });
    expect(result.pages).toBe(2);
    expect(result.riders).toHaveLength(100);
    expect(nock.isDone()).toBe(true);
  });

  it('a full page with no new rider (upstream paging stuck) stops the paging with a warning instead of looping', async () => {
    const { client, logs } = env();
    nock(ZWIFT).get(path).query(true).times(2).reply(200, profiles(1, 100));
    const result = await client.zwift.subgroups.entrants(6289914, { type: 'following' });
    expect(result.pages).toBe(2);
    expect(result.riders).toHaveLength(100);
    expect(logs.some((l) => l.level === 'warn' && /no new rider/.test(l.message))).toBe(true);
  });

  it('names: first + last, trimmed; a malformed profile is skipped and reported; each page takes a zwift-entrants token', async () => {
    const { client } = env({ limits: { 'zwift-entrants': { capacity: 10, intervalMs: 60_000 } } });
    nock(ZWIFT)
      .get(path)
      .query(true)
      .reply(200, [
        { id: 5, firstName: ' Ann ', lastName: null },
        { id: 6 },
        { id: 'x7', firstName: 'Bad' },
        { id: 8, firstName: 'Bo', lastName: 'Ek', extra: [1, 2] },
        { id: 5, firstName: 'Ann', lastName: 'Again' },
      ]);
    const result = await client.zwift.subgroups.entrants(6289914, { type: 'following' });
    expect(result.riders).toEqual([
      { riderId: 5, name: 'Ann' },
      { riderId: 6, name: '' },
      { riderId: 8, name: 'Bo Ek' },
    ]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({
      endpoint: 'zwift.subgroups.entrants',
      index: 2,
      path: '[2].id',
    });
    await expect(client.rateLimits.state('zwift-entrants')).resolves.toMatchObject({ available: 9 });
  });

  it('unknown pen → NotFoundError; bad arguments → ConfigError naming them', async () => {
    const { client } = env();
    nock(ZWIFT).get('/api/events/subgroups/entrants/404').query(true).reply(404, { message: 'not found' });
    await expect(client.zwift.subgroups.entrants(404, { type: 'following' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(client.zwift.subgroups.entrants('', { type: 'following' })).rejects.toMatchObject({
      option: 'subgroupId',
    });
    await expect(client.zwift.subgroups.entrants(1, { type: 'friends' as never })).rejects.toMatchObject({
      option: 'type',
    });
    await expect(client.zwift.subgroups.entrants(1, undefined as never)).rejects.toMatchObject({
      option: 'type',
    });
  });
});
