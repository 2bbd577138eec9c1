import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, RateLimitError, TimeoutError, TransientError } from '../src/index.ts';
import { settle, until } from './helpers/clock.ts';
import { hangingFetch } from './helpers/hanging-fetch.ts';
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
const row = { riderId: 1, name: 'A', time: 100 };
const generous = { results: { capacity: 100, intervalMs: 60_000 } };

describe('429 handling', () => {
  it('Retry-After header (seconds): blocks the bucket, retries after the block, succeeds', async () => {
    const { client, clock } = env({ limits: generous });
    const t0 = clock.now();
    const times: number[] = [];
    nock(BASE)
      .get('/api/public/results/1')
      .reply(() => {
        times.push(clock.now() - t0);
        return [429, { message: 'slow down' }, { 'Retry-After': '30' }];
      })
      .get('/api/public/results/1')
      .reply(() => {
        times.push(clock.now() - t0);
        return [200, [row]];
      });
    const res = await client.results.forEvent(1);
    expect(res.results).toHaveLength(1);
    expect(times).toEqual([0, 30_000]);
  });

  it('body retryAfter (seconds) is read too', async () => {
    const { client, clock } = env({ limits: generous });
    const t0 = clock.now();
    const times: number[] = [];
    nock(BASE)
      .get('/api/public/results/1')
      .reply(() => {
        times.push(clock.now() - t0);
        return [429, { retryAfter: 20 }];
      })
      .get('/api/public/results/1')
      .reply(() => {
        times.push(clock.now() - t0);
        return [200, [row]];
      });
    await client.results.forEvent(1);
    expect(times).toEqual([0, 20_000]);
  });

  it('Retry-After as an HTTP date', async () => {
    const { client, clock } = env({ limits: generous });
    const t0 = clock.now();
    const times: number[] = [];
    nock(BASE)
      .get('/api/public/results/1')
      .reply(() => {
        times.push(clock.now() - t0);
        return [429, '', { 'Retry-After': new Date(t0 + 45_000).toUTCString() }];
      })
      .get('/api/public/results/1')
      .reply(() => {
        times.push(clock.now() - t0);
        return [200, [row]];
      });
    await client.results.forEvent(1);
    expect(times).toEqual([0, 45_000]);
  });

  it('beyond retry.maxRetryAfterMs: rejects with RateLimitError carrying retryAfterMs, bucket stays blocked', async () => {
    const { client, clock, calls } = env({ limits: generous });
    nock(BASE).get('/api/public/results/1').reply(429, { retryAfter: 120 }, { 'Retry-After': '90' });
    const error = await client.results.forEvent(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 120_000,
      status: 429,
      endpoint: 'results.forEvent',
    });
    expect(calls()).toBe(1);
    const state = await client.rateLimits.state('results');
    expect(state).toMatchObject({ bucket: 'results', blockedUntil: clock.now() + 120_000, available: 0 });
    // a scheduler asking "never block" gets the remaining wait at once, without a request
    const fast = await client.results.forEvent(1, { maxWaitMs: 0 }).catch((e: unknown) => e);
    expect(fast).toMatchObject({ kind: 'rate_limited', retryAfterMs: 120_000 });
    expect(calls()).toBe(1);
  });

  it('within maxRetryAfterMs but beyond the call’s maxWaitMs: rejects', async () => {
    const { client, calls } = env({ limits: generous });
    nock(BASE).get('/api/public/results/1').reply(429, '', { 'Retry-After': '30' });
    await expect(client.results.forEvent(1, { maxWaitMs: 10_000 })).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 30_000,
    });
    expect(calls()).toBe(1);
  });

  it('a 429 without any hint blocks for one window of the bucket', async () => {
    const { client, clock, calls } = env();
    nock(BASE).get('/api/public/results/1').reply(429);
    await expect(client.results.forEvent(1, { maxWaitMs: 0 })).rejects.toMatchObject({
      retryAfterMs: 60_000,
    });
    expect((await client.rateLimits.state('results')).blockedUntil).toBe(clock.now() + 60_000);
    expect(calls()).toBe(1);
  });

  it('retries spent on repeated 429s → RateLimitError', async () => {
    const { client, calls } = env({ limits: generous, retry: { limit: 2, random: () => 0.5 } });
    nock(BASE).get('/api/public/results/1').times(3).reply(429, '', { 'Retry-After': '1' });
    await expect(client.results.forEvent(1)).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 1000,
    });
    expect(calls()).toBe(3);
  });
});

describe('maxWaitMs', () => {
  it('maxWaitMs: 0 fails fast with retryAfterMs when the bucket is spent — nothing is sent', async () => {
    const { client, calls } = env();
    nock(BASE).get('/api/public/results/1').reply(200, [row]);
    await client.results.forEvent(1);
    const error = await client.results.forEvent(2, { maxWaitMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 60_000, endpoint: 'results.forEvent' });
    expect(calls()).toBe(1);
  });

  it('a wait within maxWaitMs is waited out', async () => {
    const { client, clock } = env();
    nock(BASE).get('/api/public/results/1').times(2).reply(200, [row]);
    const t0 = clock.now();
    await client.results.forEvent(1);
    await client.results.forEvent(1, { maxWaitMs: 60_000 });
    expect(clock.now() - t0).toBe(60_000);
  });

  it('waiters behind others in the same bucket fail fast when the estimate exceeds maxWaitMs', async () => {
    const { client } = env({}, { auto: false });
    nock(BASE).get('/api/public/results/1').reply(200, [row]);
    await client.results.forEvent(1);
    const waiting = client.results.forEvent(1); // head of the line, sleeping for the next token
    await settle();
    await expect(client.results.forEvent(1, { maxWaitMs: 5_000 })).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 60_000,
    });
    waiting.catch(() => {});
  });
});

describe('5xx, network errors, timeouts', () => {
  it('5xx: capped exponential back-off with (injected) jitter, then success', async () => {
    const { client, clock } = env({ limits: generous });
    const t0 = clock.now();
    const times: number[] = [];
    const reply = (status: number) => () => {
      times.push(clock.now() - t0);
      return [status, status === 200 ? [row] : 'oops'] as [number, unknown];
    };
    nock(BASE)
      .get('/api/public/results/1')
      .reply(reply(503))
      .get('/api/public/results/1')
      .reply(reply(502))
      .get('/api/public/results/1')
      .reply(reply(200));
    await client.results.forEvent(1);
    // random 0.5 → 0.5 × 500 · 2^0 = 250, then 0.5 × 500 · 2^1 = 500
    expect(times).toEqual([0, 250, 750]);
  });

  it('back-off is capped', async () => {
    const { client, clock } = env({
      limits: generous,
      retry: { limit: 3, backoffBaseMs: 1000, backoffCapMs: 1500, random: () => 0.999 },
    });
    const t0 = clock.now();
    const times: number[] = [];
    nock(BASE)
      .get('/api/public/results/1')
      .times(4)
      .reply(() => {
        times.push(clock.now() - t0);
        return [500, ''];
      });
    await expect(client.results.forEvent(1)).rejects.toBeInstanceOf(TransientError);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([999, 1498, 1498]);
  });

  it('retry limit exhausted → TransientError with the status', async () => {
    const { client, calls } = env({ limits: generous });
    nock(BASE).get('/api/public/results/1').times(4).reply(503, 'down');
    const error = await client.results.forEvent(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ kind: 'transient', status: 503, endpoint: 'results.forEvent' });
    expect(calls()).toBe(4); // 1 + retry.limit (3)
  });

  it('network errors are retried, then TransientError with a sanitised cause', async () => {
    const { client, calls } = env({ limits: generous });
    nock(BASE)
      .get('/api/public/results/1')
      .times(4)
      // nock 15 needs an Error here: with a plain object the fetch never settles
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const error = await client.results.forEvent(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).status).toBeUndefined();
    expect((error as Error).message).toContain('socket hang up');
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect((error as Error).cause).toMatchObject({ code: 'ECONNRESET' });
    // a plain error: no ky error, request or headers hanging off it
    expect(Object.keys((error as Error).cause as Error).sort()).toEqual(['code', 'name']);
    expect((error as Error).cause).toMatchObject({ name: 'TypeError' }); // fetch's error, not ky's wrapper
    expect(((error as Error).cause as Error).cause).toBeUndefined();
    expect(calls()).toBe(4);
  });

  it('401 → AuthError, never retried; 403 too', async () => {
    const { client, calls } = env({ limits: generous });
    nock(BASE).get('/api/public/results/1').reply(401, { message: 'bad key' });
    await expect(client.results.forEvent(1)).rejects.toBeInstanceOf(AuthError);
    nock(BASE).get('/api/public/results/2').reply(403);
    await expect(client.results.forEvent(2)).rejects.toMatchObject({ kind: 'auth', status: 403 });
    expect(calls()).toBe(2);
  });

  it('timeout measured on the injected clock → TimeoutError (retried first)', async () => {
    const hanging = hangingFetch();
    const { client, clock } = env(
      { fetch: hanging.fetch, timeoutMs: 5_000, limits: generous, retry: { limit: 1, random: () => 0 } },
      { auto: false },
    );
    const t0 = clock.now();
    const call = client.results.forEvent(1);
    const outcome = call.catch((e: unknown) => e);
    await settle();
    expect(hanging.calls()).toBe(1);
    expect(clock.pending).toContain(5_000);
    await clock.advance(5_000); // first attempt times out, back-off 0, second attempt
    await settle();
    expect(hanging.calls()).toBe(2);
    await clock.advance(5_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ kind: 'timeout', timeoutMs: 5_000, endpoint: 'results.forEvent' });
    expect(clock.now() - t0).toBe(10_000);
  });

  it('default timeout is 15 s', async () => {
    const hanging = hangingFetch();
    const { client, clock } = env({ fetch: hanging.fetch, retry: { limit: 0 } }, { auto: false });
    const outcome = client.routes.list().catch((e: unknown) => e);
    await settle();
    await clock.advance(14_999);
    expect(hanging.calls()).toBe(1);
    await clock.advance(1);
    expect(await outcome).toBeInstanceOf(TimeoutError);
  });
});

describe('abort', () => {
  it('while waiting for a token: rejects promptly with the abort reason, nothing sent', async () => {
    const { client, calls } = env({}, { auto: false });
    nock(BASE).get('/api/public/results/1').reply(200, [row]);
    await client.results.forEvent(1);
    const controller = new AbortController();
    const call = client.results.forEvent(1, { signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await call).toBe(reason);
    expect(calls()).toBe(1);
  });

  it('while queued behind another waiter of the same bucket', async () => {
    const { client } = env({}, { auto: false });
    nock(BASE).get('/api/public/results/1').reply(200, [row]);
    await client.results.forEvent(1);
    const head = client.results.forEvent(1).catch((e: unknown) => e);
    const controller = new AbortController();
    const second = client.results.forEvent(1, { signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    controller.abort('bye');
    expect(await second).toBe('bye');
    void head;
  });

  it('in flight: rejects with the abort reason', async () => {
    const hanging = hangingFetch();
    const { client } = env({ fetch: hanging.fetch }, { auto: false });
    const controller = new AbortController();
    const call = client.routes.list({ signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    expect(hanging.calls()).toBe(1);
    const reason = new DOMException('user gave up', 'AbortError');
    controller.abort(reason);
    expect(await call).toBe(reason);
  });

  it('during back-off', async () => {
    const { client, clock, calls } = env({ limits: generous }, { auto: false });
    nock(BASE).get('/api/public/results/1').reply(503);
    const controller = new AbortController();
    const call = client.results.forEvent(1, { signal: controller.signal }).catch((e: unknown) => e);
    await until(() => clock.pending.includes(250));
    expect(clock.pending).toContain(250);
    controller.abort('later');
    expect(await call).toBe('later');
    expect(calls()).toBe(1);
  });

  it('an already-aborted signal rejects before anything happens', async () => {
    const { client, calls } = env();
    await expect(client.routes.list({ signal: AbortSignal.abort('nope') })).rejects.toBe('nope');
    expect(calls()).toBe(0);
  });
});

describe('scheduling', () => {
  it('a saturated results bucket does not stall site calls (even with concurrency 1)', async () => {
    const { client, calls } = env({ concurrency: 1 }, { auto: false });
    nock(BASE).get('/api/public/results/1').reply(200, [row]);
    await client.results.forEvent(1);
    const waiting = Array.from({ length: 5 }, () => client.results.forEvent(1).catch(() => undefined));
    await settle();
    nock(SITE).get('/api/routes').reply(200, []);
    await expect(client.routes.list()).resolves.toEqual({ routes: [], skipped: [] });
    expect(calls()).toBe(2);
    void waiting;
  });

  it('within a bucket, tokens go out by priority, then arrival', async () => {
    const { client } = env();
    const order: string[] = [];
    nock(BASE)
      .get(/\/api\/public\/results\/\w+/)
      .times(4)
      .reply((request: Request) => {
        order.push(new URL(request.url).pathname.split('/').pop()!);
        return [200, [row]];
      });
    await client.results.forEvent('first');
    const calls = [
      client.results.forEvent('low1'),
      client.results.forEvent('low2'),
      client.results.forEvent('high', { priority: 10 }),
    ];
    await Promise.all(calls);
    // low1 was already at the head of the line (sleeping for the token) when high arrived
    expect(order).toEqual(['first', 'low1', 'high', 'low2']);
  });
});
