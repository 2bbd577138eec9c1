import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent, ResponseEvent } from '../src/index.ts';
import { settle } from './helpers/clock.ts';
import { hangingFetch } from './helpers/hanging-fetch.ts';
import { API_KEY, BASE, SITE, setup } from './helpers/setup.ts';

let stops: (() => void)[] = [];
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  nock.cleanAll();
});

/** A client that records its request events. */
function env(...[options = {}, flags]: Parameters<typeof setup>) {
  const requests: RequestEvent[] = [];
  const responses: ResponseEvent[] = [];
  const e = setup(
    { onRequest: (event) => requests.push(event), onResponse: (event) => responses.push(event), ...options },
    flags,
  );
  stops.push(e.stop);
  return { ...e, requests, responses };
}

const row = { riderId: 1, name: 'A', time: 100 };
const generous = { results: { capacity: 100, intervalMs: 60_000 } };
const EVENT_KEYS = ['attempt', 'bucket', 'endpoint', 'method', 'startedAt', 'url'];
const RESPONSE_KEYS = [...EVENT_KEYS, 'durationMs', 'outcome', 'status'].sort();

describe('onRequest / onResponse: one event pair per HTTP attempt', () => {
  it('a successful call: the attempt with endpoint, bucket, method, URL, start and duration on the clock', async () => {
    // a fetch that takes 250 ms of the client's (virtual) clock to answer
    let clockRef: { sleep(ms: number): Promise<void> } | undefined;
    const slowFetch = (async () => {
      await clockRef!.sleep(250);
      return new Response(JSON.stringify({ riderId: 7, name: 'R' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    const { client, clock, requests, responses } = env({ fetch: slowFetch });
    clockRef = clock;
    const t0 = clock.now();
    await client.riders.get(7, { at: Date.UTC(2025, 0, 1) });
    expect(requests).toEqual([
      {
        endpoint: 'riders.get',
        bucket: 'riders',
        method: 'GET',
        url: `${BASE}/api/public/riders/7/1735689600`,
        attempt: 1,
        startedAt: t0,
      },
    ]);
    expect(responses).toEqual([{ ...requests[0], status: 200, outcome: 'response', durationMs: 250 }]);
    expect(Object.keys(requests[0]!).sort()).toEqual(EVENT_KEYS);
    expect(Object.keys(responses[0]!).sort()).toEqual(RESPONSE_KEYS);
    expect(Object.isFrozen(responses[0])).toBe(true);
  });

  it('retries after 5xx and 429 are attempts of their own (status, attempt number, start time)', async () => {
    const { client, clock, requests, responses } = env({ limits: generous });
    const t0 = clock.now();
    nock(BASE)
      .get('/api/public/results/1')
      .reply(503, 'down')
      .get('/api/public/results/1')
      .reply(429, '', { 'Retry-After': '30' })
      .get('/api/public/results/1')
      .reply(200, [row]);
    await client.results.forEvent(1);
    expect(requests.map((r) => [r.attempt, r.startedAt - t0])).toEqual([
      [1, 0],
      [2, 250], // back-off: random 0.5 × 500 ms
      [3, 30_250], // Retry-After: 30 s
    ]);
    expect(responses.map((r) => [r.attempt, r.status, r.outcome])).toEqual([
      [1, 503, 'response'],
      [2, 429, 'response'],
      [3, 200, 'response'],
    ]);
    expect(responses.every((r) => r.endpoint === 'results.forEvent' && r.bucket === 'results')).toBe(true);
  });

  it('a POST carries its method; a 404 ends its attempt with the status', async () => {
    const { client, requests, responses } = env();
    nock(BASE).post('/api/public/riders').reply(200, []);
    nock(SITE).get('/api/events/9/signups').reply(404);
    await client.riders.getMany([1, 2]);
    await expect(client.events.signups(9)).rejects.toMatchObject({ kind: 'not_found' });
    expect(requests.map((r) => [r.endpoint, r.bucket, r.method, r.url])).toEqual([
      ['riders.getMany', 'riders-bulk', 'POST', `${BASE}/api/public/riders`],
      ['events.signups', 'site', 'GET', `${SITE}/api/events/9/signups`],
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 404]);
  });

  it('no response: network error, timeout (duration = timeoutMs on the clock) and abort, status null', async () => {
    const failing = env({ limits: generous, retry: { limit: 1, random: () => 0 } });
    nock(BASE)
      .get('/api/public/results/1')
      .times(2)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(failing.client.results.forEvent(1)).rejects.toMatchObject({ kind: 'transient' });
    expect(failing.responses.map((r) => [r.attempt, r.status, r.outcome])).toEqual([
      [1, null, 'network_error'],
      [2, null, 'network_error'],
    ]);

    const hanging = hangingFetch();
    const slow = env({ fetch: hanging.fetch, timeoutMs: 2_000, retry: { limit: 0 } }, { auto: false });
    const timedOut = slow.client.routes.list().catch((e: unknown) => e);
    await settle();
    await slow.clock.advance(2_000);
    expect(await timedOut).toMatchObject({ kind: 'timeout' });
    expect(slow.responses).toMatchObject([{ status: null, outcome: 'timeout', durationMs: 2_000 }]);

    const controller = new AbortController();
    const aborted = slow.client.routes.list({ signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    expect(hanging.calls()).toBe(2);
    controller.abort('stop'); // a reason that is not an Error: ky runs no beforeError hook for it
    expect(await aborted).toBe('stop'); // at once; the attempt's end is reported as the fetch unwinds
    await settle();
    expect(slow.responses).toHaveLength(2);
    expect(slow.responses[1]).toMatchObject({ status: null, outcome: 'aborted', attempt: 1 });
    expect(slow.requests).toHaveLength(2);
  });

  it('a call that never got a token sends no event', async () => {
    const { client, requests, responses } = env();
    nock(BASE).get('/api/public/results/1').reply(200, [row]);
    await client.results.forEvent(1);
    await expect(client.results.forEvent(2, { maxWaitMs: 0 })).rejects.toMatchObject({
      kind: 'rate_limited',
    });
    expect(requests).toHaveLength(1);
    expect(responses).toHaveLength(1);
  });

  it('events never carry the API key or any header', async () => {
    const { client, requests, responses } = env({ limits: generous });
    nock(BASE)
      .get('/api/public/results/1')
      .reply(401, { message: `bad key ${API_KEY}` })
      .get('/api/public/results/2')
      .reply(200, [row]);
    await expect(client.results.forEvent(1)).rejects.toMatchObject({ kind: 'auth' });
    await client.results.forEvent(2);
    const text = JSON.stringify([requests, responses]);
    expect(text).not.toContain(API_KEY);
    expect(text.toLowerCase()).not.toContain('authorization');
    for (const event of [...requests, ...responses]) {
      expect(Object.keys(event).every((k) => RESPONSE_KEYS.includes(k))).toBe(true);
    }
  });

  it('a throwing or rejecting callback is logged and never breaks the request', async () => {
    const e = setup({
      onRequest: () => {
        throw new Error('observer bug');
      },
      // an async callback (its promise is not awaited; the rejection is still reported)
      onResponse: async () => {
        throw new Error('async observer bug');
      },
    });
    stops.push(e.stop);
    nock(SITE).get('/api/routes').reply(200, []);
    await expect(e.client.routes.list()).resolves.toEqual({ routes: [], skipped: [] });
    await settle();
    const errors = e.logs.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).toEqual(['onRequest threw: observer bug', 'onResponse threw: async observer bug']);
  });
});

describe('debug lines from ky hooks', () => {
  it('one debug line per attempt: endpoint, method, URL, status, attempt, duration', async () => {
    const e = setup({ limits: generous });
    stops.push(e.stop);
    nock(BASE).get('/api/public/results/1').reply(503).get('/api/public/results/1').reply(200, [row]);
    await e.client.results.forEvent(1);
    const debug = e.logs.filter((l) => l.level === 'debug');
    expect(debug.map((l) => l.message)).toEqual([
      `results.forEvent: GET ${BASE}/api/public/results/1 → HTTP 503 (0 ms, attempt 1)`,
      `results.forEvent: GET ${BASE}/api/public/results/1 → HTTP 200 (0 ms, attempt 2)`,
    ]);
    expect(debug[1]!.object).toEqual({
      endpoint: 'results.forEvent',
      bucket: 'results',
      method: 'GET',
      url: `${BASE}/api/public/results/1`,
      attempt: 2,
      status: 200,
      outcome: 'response',
      durationMs: 0,
    });
    expect(JSON.stringify(e.logs)).not.toContain(API_KEY);
  });

  it('no debug method, no listener: no debug line and nothing breaks', async () => {
    const warnings: string[] = [];
    const e = setup({ logger: { warn: (_fields, message) => warnings.push(message) } });
    stops.push(e.stop);
    nock(SITE).get('/api/routes').reply(200, []);
    await expect(e.client.routes.list()).resolves.toEqual({ routes: [], skipped: [] });
    expect(warnings).toEqual([]);
  });
});
