import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.ts';
import { fixture } from '../helpers/fixtures.ts';
import { BASE, SITE, setup } from '../helpers/setup.ts';

// Hostile upstream payloads at the client, the trust boundary: each is a typed error for the whole
// body, or a skipped-and-reported record — never a crash, and never a value that storage cannot
// hold (which would fail a whole batch there, every time: a poisoned batch). Malformed JSON,
// truncation, oversized bodies, wrong types and prototype keys are covered in validation.test.ts.

let stops: (() => void)[] = [];
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  nock.cleanAll();
});
function env() {
  const e = setup();
  stops.push(e.stop);
  return e;
}

const EVENT = {
  eventId: '1',
  time: 1767225600,
  routeId: '3',
  distance: 30_000,
  title: 'Race',
  numLaps: '2',
  categories: 'A,B',
  signups: '10,20',
};

describe('huge, non-finite and fractional numbers', () => {
  it('event list: a start no Date can hold, a fractional or huge lap count → that event skipped and reported', async () => {
    const { client, skips, logs } = env();
    const body = [
      EVENT,
      { ...EVENT, eventId: '2', time: 1e15 }, // year 31 million
      { ...EVENT, eventId: '3', numLaps: '2.5' },
      { ...EVENT, eventId: '4', numLaps: 3_000_000_000 },
      { ...EVENT, eventId: '5', numLaps: '1e999' }, // Infinity
      { ...EVENT, eventId: '6', numLaps: '' }, // absent: fine
    ];
    nock(SITE).get('/api/events/upcoming').reply(200, body);
    const { events, skipped } = await client.events.upcoming();
    expect(events.map((e) => [e.eventId, e.laps])).toEqual([
      ['1', 2],
      ['6', null],
    ]);
    expect(skipped.map((s) => [s.index, s.message])).toEqual([
      [1, 'time: expected epoch seconds a date can hold (got 1000000000000000)'],
      [2, 'numLaps: expected a whole number within 0…2147483647 (got "2.5")'],
      [3, 'numLaps: expected a whole number within 0…2147483647 (got 3000000000)'],
      [4, 'numLaps: expected a whole number within 0…2147483647 (got "1e999")'],
    ]);
    expect(skips).toEqual(skipped);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(4);
  });

  it('numbers beyond double range in the JSON text (1e400 parses as Infinity) → the record is skipped', async () => {
    const { client } = env();
    const [a, b] = fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post');
    const text = JSON.stringify([
      { ...a, weight: 1 },
      { ...b, zpFTP: 2 },
    ])
      .replace('"weight":1,', '"weight":1e400,')
      .replace('"zpFTP":2,', '"zpFTP":-1e400,');
    nock(BASE).post('/api/public/riders').reply(200, text, { 'content-type': 'application/json' });
    const { riders, skipped } = await client.riders.getMany([
      a!['riderId'] as number,
      b!['riderId'] as number,
    ]);
    expect(riders.size).toBe(0);
    expect(skipped.map((s) => s.path)).toEqual(['[0].weight', '[1].zpFTP']);
  });

  it('"NaN" / "Infinity" strings where a number belongs → the record is skipped', async () => {
    const { client } = env();
    const [a, b] = fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post');
    nock(BASE)
      .post('/api/public/riders')
      .reply(200, [
        { ...a, weight: 'NaN' },
        { ...b, height: 'Infinity' },
      ]);
    const { riders, skipped } = await client.riders.getMany([
      a!['riderId'] as number,
      b!['riderId'] as number,
    ]);
    expect(riders.size).toBe(0);
    expect(skipped.map((s) => s.path)).toEqual(['[0].weight', '[1].height']);
  });

  it('rider ids: beyond 2^53 (as digits), 0 or fractional → skipped; a race counter that is not a whole number → skipped', async () => {
    const { client, skips } = env();
    const [rider] = fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post');
    const race = rider!['race'] as Record<string, unknown>;
    nock(BASE)
      .post('/api/public/riders')
      .reply(200, [
        { ...rider, riderId: '99999999999999999999' },
        { ...rider, riderId: 0 },
        { ...rider, riderId: 12.5 },
        { ...rider, riderId: 11, race: { ...race, finishes: 2.5 } },
        { ...rider, riderId: 12, race: { ...race, wins: -1 } },
        { ...rider, riderId: 13, club: { id: '123456789012345678901', name: 'x' } },
        { ...rider, riderId: 14 },
      ]);
    const { riders, skipped, missing } = await client.riders.getMany([11, 12, 13, 14]);
    expect([...riders.keys()]).toEqual([14]);
    expect(missing).toEqual([11, 12, 13]);
    expect(skipped.map((s) => s.path)).toEqual([
      '[0].riderId',
      '[1].riderId',
      '[2].riderId',
      '[3]',
      '[4]',
      '[5].club.id',
    ]);
    expect(skipped[3]!.message).toBe('race.finishes: expected a whole number within 0…2147483647 (got 2.5)');
    expect(skipped[4]!.message).toBe('race.wins: expected a whole number within 0…2147483647 (got -1)');
    expect(skips).toHaveLength(6);
  });

  it('result rows: a position that is huge or fractional, or a rider id 0 → that row skipped', async () => {
    const { client } = env();
    const body = fixture<{ results: Record<string, unknown>[] }>('zwiftracing-public-results-event');
    body.results[0] = { ...body.results[0], position: 3e9 };
    body.results[1] = { ...body.results[1], positionInCategory: 1.5 };
    body.results[2] = { ...body.results[2], riderId: 0 };
    nock(BASE).get('/api/public/results/7').reply(200, body);
    const res = await client.results.forEvent(7);
    expect(res.results).toHaveLength(1);
    expect(res.skipped.map((s) => s.path)).toEqual(['results[0]', 'results[1]', 'results[2].riderId']);
  });

  it('an event time too large for a Date in the results envelope → startsAt null, rows kept', async () => {
    const { client } = env();
    const body = fixture<Record<string, unknown>>('zwiftracing-public-results-event');
    nock(BASE)
      .get('/api/public/results/8')
      .reply(200, { ...body, time: 1e300 });
    const res = await client.results.forEvent(8);
    expect(res.startsAt).toBeNull();
    expect(res.results.length).toBeGreaterThan(0);
  });
});

describe('ids, empty lists and duplicates', () => {
  it('a blank event id (it would be empty once trimmed) → that event skipped', async () => {
    const { client } = env();
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, [EVENT, { ...EVENT, eventId: '   ' }]);
    const { events, skipped } = await client.events.upcoming();
    expect(events.map((e) => e.eventId)).toEqual(['1']);
    expect(skipped.map((s) => s.path)).toEqual(['[1].eventId']);
  });

  it('empty lists are valid answers: no events, no signups, no results yet, no riders', async () => {
    const { client } = env();
    nock(SITE).get('/api/events/upcoming').reply(200, []);
    nock(SITE).get('/api/events/9/signups').reply(200, []);
    nock(BASE)
      .get('/api/public/results/9')
      .reply(200, { ...fixture<Record<string, unknown>>('zwiftracing-public-results-event'), results: [] });
    nock(BASE).post('/api/public/riders').reply(200, []);
    expect(await client.events.upcoming()).toEqual({ events: [], skipped: [] });
    expect(await client.events.signups(9)).toMatchObject({ pens: [], riders: [], skipped: [] });
    expect((await client.results.forEvent(9)).results).toEqual([]);
    expect(await client.riders.getMany([1, 2])).toMatchObject({ missing: [1, 2], skipped: [] });
  });

  it('duplicate ids in one answer: bulk riders keep the first record; a rider listed in two pens appears once', async () => {
    const { client } = env();
    const [rider] = fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post');
    const id = rider!['riderId'] as number;
    nock(BASE)
      .post('/api/public/riders')
      .reply(200, [
        { ...rider, name: 'first' },
        { ...rider, name: 'second' },
      ]);
    const { riders } = await client.riders.getMany([id]);
    expect(riders.size).toBe(1);
    expect(riders.get(id)?.name).toBe('first');

    const pens = fixture<{ name: string; riders: Record<string, unknown>[] }[]>(
      'zwiftracing-internal-api-event-signups',
    );
    pens[1]!.riders.push({ ...pens[0]!.riders[0]! });
    nock(SITE).get('/api/events/9/signups').reply(200, pens);
    const signups = await client.events.signups(9);
    const ids = signups.riders.map((r) => r.riderId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('hostile structure', () => {
  it('a body nested 200,000 levels deep → a typed ValidationError or a skipped record, never a RangeError', async () => {
    const { client } = env();
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    nock(SITE).get('/api/events/upcoming').reply(200, deep, { 'content-type': 'application/json' });
    const res = await client.events.upcoming().catch((e: unknown) => e);
    if (res instanceof Error) expect(res).toBeInstanceOf(ValidationError);
    else expect(res).toMatchObject({ events: [], skipped: [{ index: 0, path: '[0]' }] });

    // Same depth with a prototype key in the text (the reviver path).
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, `[{"constructor":1,"x":${deep}}]`, { 'content-type': 'application/json' });
    const error = await client.events.upcoming().catch((e: unknown) => e);
    if (error instanceof Error) expect(error).toBeInstanceOf(ValidationError);
    else expect(error).toMatchObject({ events: [] });
  });

  it('a 1 MB title and a 100,000-entry signup count string are bounded in excerpts and logs', async () => {
    const { client, logs } = env();
    const title = 'x'.repeat(1_000_000);
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, [
        { ...EVENT, title },
        { ...EVENT, eventId: '2', time: 'soon', title },
      ]);
    const { events, skipped } = await client.events.upcoming();
    expect(events[0]!.title).toHaveLength(1_000_000); // data is data: stored as given
    expect(skipped[0]!.excerpt.length).toBeLessThanOrEqual(200);
    for (const log of logs) expect(JSON.stringify(log).length).toBeLessThan(2000);
  });
});
