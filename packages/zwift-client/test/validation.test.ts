import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonSafe } from '../src/http/json.ts';
import { ValidationError } from '../src/index.ts';
import { fixture } from './helpers/fixtures.ts';
import { BASE, SITE, setup } from './helpers/setup.ts';

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

describe('whole-body failures → ValidationError (endpoint, path, excerpt), not retried', () => {
  it('malformed JSON', async () => {
    const { client, calls } = env();
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    const error = await client.events.upcoming().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ kind: 'validation', endpoint: 'events.upcoming', path: '', status: 200 });
    expect((error as ValidationError).excerpt).toContain('<html>Bad Gateway');
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect(calls()).toBe(1);
  });

  it('truncated JSON', async () => {
    const { client } = env();
    const text = JSON.stringify(fixture('zwiftracing-internal-api-events-upcoming'));
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, text.slice(0, text.length - 40));
    const error = (await client.events.upcoming().catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.excerpt.length).toBeLessThanOrEqual(200);
    expect(error.excerpt.startsWith('[{"eventId":"5230192"')).toBe(true);
  });

  it('an object where a list is required names the root', async () => {
    const { client } = env();
    nock(SITE).get('/api/routes').reply(200, { routes: [] });
    await expect(client.routes.list()).rejects.toMatchObject({
      kind: 'validation',
      endpoint: 'routes.list',
      path: '',
    });
  });

  it('a club page without riders names the path', async () => {
    const { client } = env();
    nock(BASE).get('/api/public/clubs/5').reply(200, { clubId: 5, name: 'x', riders: 'nope' });
    await expect(client.clubs.members(5)).rejects.toMatchObject({ kind: 'validation', path: 'riders' });
  });

  it('a single rider with a bad id names the field', async () => {
    const { client } = env();
    nock(BASE).get('/api/public/riders/5').reply(200, { riderId: 'five', name: 'x' });
    const error = (await client.riders.get(5).catch((e: unknown) => e)) as ValidationError;
    expect(error).toMatchObject({ kind: 'validation', path: 'riderId', endpoint: 'riders.get' });
    expect(error.message).toContain('riderId');
    expect(error.excerpt).toContain('"five"');
  });

  it('oversized body (streamed, no content-length) → ValidationError', async () => {
    const { client } = env({ maxBodyBytes: 1000 });
    const big = JSON.stringify(
      Array.from({ length: 200 }, (_, i) => ({ routeId: String(i), name: 'x'.repeat(20) })),
    );
    nock(SITE).get('/api/routes').reply(200, big);
    await expect(client.routes.list()).rejects.toMatchObject({
      kind: 'validation',
      message: expect.stringMatching(/maxBodyBytes/),
    });
  });

  it('oversized body announced by content-length → ValidationError', async () => {
    const { client } = env({ maxBodyBytes: 10 });
    nock(SITE).get('/api/routes').reply(200, '[]                 ', { 'Content-Length': '19' });
    await expect(client.routes.list()).rejects.toMatchObject({ kind: 'validation' });
  });

  it('an unexpected 4xx → ValidationError with the status, not retried', async () => {
    const { client, calls } = env();
    nock(BASE).post('/api/public/riders').reply(400, { message: 'too many ids' });
    await expect(client.riders.getMany([1])).rejects.toMatchObject({ kind: 'validation', status: 400 });
    expect(calls()).toBe(1);
  });
});

describe('schema drift', () => {
  it('missing optional fields and extra fields pass', async () => {
    const { client } = env();
    nock(SITE)
      .get('/api/events/upcoming')
      .reply(200, [{ eventId: '1', time: 1765195800, brandNewField: { nested: true }, title: 'T' }]);
    const { events, skipped } = await client.events.upcoming();
    expect(skipped).toEqual([]);
    expect(events[0]).toEqual({
      eventId: '1',
      startsAt: 1765195800000,
      routeId: null,
      distanceMeters: null,
      laps: null,
      title: 'T',
      type: null,
      subType: null,
      staggeredStart: false,
      categories: [],
      signupCounts: {},
    });
  });

  it('a wrong type in one record → that record skipped and reported (onSkip + logger.warn), the others returned', async () => {
    const { client, skips, logs } = env();
    const riders = fixture<Record<string, unknown>[]>('zwiftracing-public-riders-bulk-post');
    const bad = { ...riders[1], riderId: 5574, weight: 'heavy' };
    nock(BASE)
      .post('/api/public/riders')
      .reply(200, [riders[0], bad, { name: 'no id' }]);
    const result = await client.riders.getMany([4598636, 5574]);
    expect([...result.riders.keys()]).toEqual([4598636]);
    expect(result.missing).toEqual([5574]);
    expect(result.skipped).toHaveLength(2);
    expect(result.skipped[0]).toMatchObject({ endpoint: 'riders.getMany', index: 1, path: '[1].weight' });
    expect(result.skipped[0]!.excerpt.length).toBeLessThanOrEqual(200);
    expect(result.skipped[0]!.excerpt).toContain('"riderId":5574');
    expect(result.skipped[1]).toMatchObject({ index: 2, path: '[2].riderId' });
    expect(skips).toEqual(result.skipped);
    expect(logs.filter((l) => l.level === 'warn' && l.message.includes('skipped'))).toHaveLength(2);
  });

  it('a malformed signup rider is skipped with its nested path', async () => {
    const { client } = env();
    const pens = fixture<{ riders: Record<string, unknown>[] }[]>('zwiftracing-internal-api-event-signups');
    pens[2]!.riders[1] = { ...pens[2]!.riders[1], riderId: null };
    nock(SITE).get('/api/events/9/signups').reply(200, pens);
    const res = await client.events.signups(9);
    expect(res.skipped).toHaveLength(1);
    expect(res.skipped[0]).toMatchObject({ index: 1, path: '[2].riders[1].riderId' });
    expect(res.pens[2]!.riders).toHaveLength(1);
    expect(res.riders).toHaveLength(9);
  });

  it('results rows: a bad row skipped under results[i]', async () => {
    const { client } = env();
    const body = fixture<{ results: Record<string, unknown>[] }>('zwiftracing-public-results-event');
    body.results[2] = { ...body.results[2], time: 'DNF' };
    nock(BASE).get('/api/public/results/5188741').reply(200, body);
    const res = await client.results.forEvent(5188741);
    expect(res.results).toHaveLength(3);
    expect(res.skipped[0]).toMatchObject({ path: 'results[2].time', endpoint: 'results.forEvent' });
  });

  it('zwift events: an unreadable eventStart skips that event', async () => {
    const { client } = env();
    const events = fixture<Record<string, unknown>[]>('zwift-official-public-events-upcoming');
    events[0] = { ...events[0], eventStart: 'soon' };
    nock('https://zwift.test').get('/api/public/events/upcoming').reply(200, events);
    const res = await client.zwift.events.upcoming();
    expect(res.events.map((e) => e.eventId)).toEqual(['4963366']);
    expect(res.skipped[0]).toMatchObject({ path: '[0].eventStart' });
  });
});

describe('prototype pollution', () => {
  it('parseJsonSafe drops __proto__ / constructor / prototype keys at any depth', () => {
    const parsed = parseJsonSafe(
      '{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"prototype":{"x":1}},"__proto__":{"y":2}}}',
    ) as Record<string, unknown>;
    expect(parsed).toEqual({ a: 1, b: {} });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
  });

  it('parseJsonSafe also drops those keys when written with \\u escapes', () => {
    const parsed = parseJsonSafe(
      '{"a":1,"\\u005f_proto__":{"polluted":true},"b":{"\\u0063onstructor":{"x":1}},"c":"\\u00e9"}',
    ) as Record<string, unknown>;
    expect(parsed).toEqual({ a: 1, b: {}, c: 'é' });
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
  });

  it('payloads with __proto__ keys do not pollute and records still parse', async () => {
    const { client } = env();
    const text =
      '[{"riderId":1,"name":"A","__proto__":{"polluted":"yes"},"power":{"wkg5":5,"__proto__":{"polluted":"yes"}},' +
      '"club":{"id":2,"name":"C","constructor":{"prototype":{"polluted":"yes"}}}}]';
    nock(BASE).post('/api/public/riders').reply(200, text, { 'content-type': 'application/json' });
    const { riders } = await client.riders.getMany([1]);
    const rider = riders.get(1)!;
    expect(rider.power).toEqual({ wkg5: 5 });
    expect(rider.club).toEqual({ id: 2, name: 'C' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(rider)).toBe(Object.prototype);
    expect((rider as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
