import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Timeouts } from '../src/http/timeouts.ts';
import { systemClock } from '../src/index.ts';
import { ManualClock, settle } from './helpers/clock.ts';
import { hangingFetch } from './helpers/hanging-fetch.ts';
import { BASE, setup } from './helpers/setup.ts';

let stops: (() => void)[] = [];
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  for (const s of stops) s();
  stops = [];
  nock.cleanAll();
});

describe('Timeouts (one sleep for all requests in flight)', () => {
  it('fires each handle at its own deadline, skips disarmed ones, holds no sleep when idle', async () => {
    const clock = new ManualClock(0);
    const timeouts = new Timeouts(clock, 1000);
    const fired: string[] = [];
    const a = timeouts.arm(() => fired.push('a'));
    await clock.advance(100);
    const b = timeouts.arm(() => fired.push('b'));
    await clock.advance(100);
    timeouts.arm(() => fired.push('c'));
    expect(clock.pending).toHaveLength(1); // one sleep, not three
    timeouts.disarm(a);
    await clock.advance(799); // t = 999
    expect(fired).toEqual([]);
    await clock.advance(101); // t = 1100: b's deadline
    expect(fired).toEqual(['b']);
    timeouts.disarm(b); // already fired: no-op
    await clock.advance(100); // t = 1200: c's deadline
    expect(fired).toEqual(['b', 'c']);
    expect(clock.pending).toHaveLength(0);
    const d = timeouts.arm(() => fired.push('d'));
    expect(clock.pending).toHaveLength(1);
    timeouts.disarm(d);
    await settle();
    expect(clock.pending).toHaveLength(0); // idle: the sleep is cancelled
  });
});

describe('timeouts of requests started together', () => {
  it('the one still in flight at the deadline times out, the answered one is unaffected', async () => {
    const held: { signal: AbortSignal; answer: () => void }[] = [];
    const fetchImpl = ((input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        // ky hands fetch a Request that carries the signal
        const signal = input instanceof Request ? input.signal : init!.signal!;
        held.push({ signal, answer: () => resolve(new Response('[]', { status: 200 })) });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      })) as typeof fetch;
    const e = setup({ fetch: fetchImpl, retry: { limit: 0 }, timeoutMs: 1000 }, { auto: false });
    stops.push(e.stop);
    const routes = e.client.routes.list();
    const zwift = e.client.zwift.events.upcoming().catch((err: unknown) => err);
    await settle();
    expect(held).toHaveLength(2);
    expect(e.clock.pending).toEqual([1000]); // one sleep serves both timeouts
    held[0]!.answer();
    await expect(routes).resolves.toMatchObject({ routes: [] });
    expect(held[1]!.signal.aborted).toBe(false);
    await e.clock.advance(999);
    expect(held[1]!.signal.aborted).toBe(false);
    await e.clock.advance(1);
    expect(held[1]!.signal.aborted).toBe(true);
    expect(await zwift).toMatchObject({ kind: 'timeout', endpoint: 'zwift.events.upcoming' });
    expect(held[0]!.signal.aborted).toBe(false);
    expect(e.clock.pending).toEqual([]); // idle client: no sleep left
  });
});

describe('systemClock', () => {
  it('sleeps and aborts with the signal reason', async () => {
    const start = Date.now();
    await systemClock.sleep(20);
    expect(Date.now() - start).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort('stop');
    await expect(sleeping).rejects.toBe('stop');
    await expect(systemClock.sleep(1, AbortSignal.abort('already'))).rejects.toBe('already');
  });
});

describe('scheduling details', () => {
  it('abort while queued for a concurrency slot (behind a request in flight)', async () => {
    const hanging = hangingFetch();
    const e = setup({ fetch: hanging.fetch, concurrency: 1 }, { auto: false });
    stops.push(e.stop);
    const first = e.client.routes.list().catch((err: unknown) => err);
    await settle();
    const controller = new AbortController();
    const second = e.client.zwift.events.upcoming({ signal: controller.signal }).catch((err: unknown) => err);
    await settle();
    expect(hanging.calls()).toBe(1);
    controller.abort('not now');
    expect(await second).toBe('not now');
    expect(hanging.calls()).toBe(1);
    void first;
  });

  it('rateLimits.state reflects grants (a scheduler can plan with it)', async () => {
    const e = setup();
    stops.push(e.stop);
    nock(BASE).get('/api/public/riders/1').times(3).reply(200, { riderId: 1, name: 'A' });
    const t0 = e.clock.now();
    for (let i = 0; i < 3; i++) await e.client.riders.get(1);
    expect(await e.client.rateLimits.state('riders')).toEqual({
      bucket: 'riders',
      capacity: 5,
      intervalMs: 60_000,
      available: 2,
      nextAvailableAt: t0,
      blockedUntil: null,
    });
  });

  it('retry.maxRetryAfterMs is configurable', async () => {
    const e = setup({
      retry: { maxRetryAfterMs: 5_000, random: () => 0 },
      limits: { results: { capacity: 9, intervalMs: 1 } },
    });
    stops.push(e.stop);
    nock(BASE).get('/api/public/results/1').reply(429, '', { 'Retry-After': '6' });
    await expect(e.client.results.forEvent(1)).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 6_000,
    });
    nock(BASE)
      .get('/api/public/results/2')
      .reply(429, '', { 'Retry-After': '5' })
      .get('/api/public/results/2')
      .reply(200, []);
    await expect(e.client.results.forEvent(2)).resolves.toMatchObject({ results: [] });
  });
});
