import { defaultMaxListeners, getEventListeners, setMaxListeners } from 'node:events';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { settle, until } from './helpers/clock.ts';
import { SITE, setup, ZWIFT } from './helpers/setup.ts';
import { accountSetup, hourFrom, TOKEN_PATH, tokenResponse, ZWIFT_AUTH } from './helpers/zwift-account.ts';

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

/** Collects the process warnings named `name` while `run` runs (and one tick after, when Node emits them). */
async function warningsDuring(name: string, run: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === name) seen.push(warning);
  };
  process.on('warning', onWarning);
  try {
    await run();
    await settle();
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

/**
 * A caller's signal that warns past 10 listeners, as every AbortSignal does on Node 20 (Node 24
 * creates them without a limit, so there the warning could never show).
 */
function warningSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(defaultMaxListeners, controller.signal);
  return controller;
}

describe('one caller signal shared by many concurrent calls', () => {
  it('the warning check works: 11 listeners on one such signal do raise MaxListenersExceededWarning', async () => {
    const controller = warningSignal();
    const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
      for (let i = 0; i < 11; i++) controller.signal.addEventListener('abort', () => {});
    });
    expect(warnings).toHaveLength(1);
  });

  it('200 concurrent calls: at most one listener on the signal while they run, none after, no warning', async () => {
    const controller = warningSignal();
    const { signal } = controller;
    let unsettled = 0;
    const samples: { listeners: number; unsettled: number }[] = [];
    const sample = (): void => {
      samples.push({ listeners: listeners(signal), unsettled });
    };
    // site budget 10/min: the calls wait in the bucket's line and sleep for tokens over 20 virtual minutes
    const { client, clock } = env({ onRequest: sample });
    nock(SITE)
      .get('/api/routes')
      .times(200)
      .reply(() => {
        sample();
        return [200, []];
      });
    const t0 = clock.now();
    const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
      const calls = Array.from({ length: 200 }, () => {
        unsettled++;
        return client.routes.list({ signal }).finally(() => {
          unsettled--;
          sample();
        });
      });
      sample();
      const results = await Promise.all(calls);
      expect(results.every((r) => r.routes.length === 0)).toBe(true);
    });
    expect(warnings).toEqual([]);
    expect(clock.now() - t0).toBe(19 * 60_000); // they really waited, on the clock, with the signal attached
    expect(samples.length).toBeGreaterThanOrEqual(600); // a sample per request, per arrival, per settled call
    for (const s of samples) expect(s.listeners).toBeLessThanOrEqual(Math.min(1, s.unsettled));
    expect(samples.some((s) => s.listeners === 1)).toBe(true);
    expect(listeners(signal)).toBe(0);
  });

  it('aborting the shared signal rejects every call with signal.reason at once: in flight, queued for a slot, waiting for a token', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const { client, clock, inflight } = env({ concurrency: 4 }, { auto: false });
    // the requests that get out never get an answer
    nock(SITE)
      .get('/api/routes')
      .times(10)
      .reply(() => new Promise<never>(() => {}));
    let settled = 0;
    const outcomes = Array.from({ length: 200 }, () =>
      client.routes.list({ signal }).then(
        () => 'resolved',
        (error: unknown) => {
          settled++;
          return error;
        },
      ),
    );
    await until(() => inflight() === 4); // 4 in flight, 6 holding a token queued for a slot, 190 in the bucket's line
    await settle();
    expect(inflight()).toBe(4);
    expect(listeners(signal)).toBe(1);
    expect(clock.pending.length).toBeGreaterThan(0); // the head of the line sleeps for the next token
    const t0 = clock.now();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await settle();
    expect(settled).toBe(200); // without the clock moving
    expect(clock.now()).toBe(t0);
    const results = await Promise.all(outcomes);
    expect(results.every((r) => r === reason)).toBe(true);
    expect(listeners(signal)).toBe(0);
    await until(() => inflight() === 0); // the requests in flight were aborted too
    expect(clock.pending).toEqual([]); // no token sleep, back-off or timeout left behind
  });

  it('a signal shared by calls that all succeed quickly: listener added and removed as they come and go', async () => {
    const controller = new AbortController();
    const { client } = env();
    nock(SITE).get('/api/routes').times(3).reply(200, []);
    for (let i = 0; i < 3; i++) {
      const call = client.routes.list({ signal: controller.signal });
      expect(listeners(controller.signal)).toBe(1);
      await call;
      expect(listeners(controller.signal)).toBe(0);
    }
    // a failed call lets go of it too
    nock(SITE).get('/api/routes').reply(404);
    await expect(client.routes.list({ signal: controller.signal })).rejects.toMatchObject({
      kind: 'not_found',
    });
    expect(listeners(controller.signal)).toBe(0);
  });
});

describe('one caller signal shared by many follower-feed calls (Zwift account)', () => {
  const feedLimits = {
    'zwift-search': { capacity: 2, intervalMs: 60_000 },
    'zwift-entrants': { capacity: 10, intervalMs: 60_000 },
  };
  function account(...args: Parameters<typeof accountSetup>) {
    const e = accountSetup(...args);
    stops.push(e.stop);
    return e;
  }
  const entrantsPath = /\/api\/events\/subgroups\/entrants\/\d+/;

  it('120 calls (search and entrants) through the token request and the buckets: ≤ 1 listener, none after, no warning', async () => {
    const controller = warningSignal();
    const { signal } = controller;
    let unsettled = 0;
    const samples: { listeners: number; unsettled: number }[] = [];
    const sample = (): void => {
      samples.push({ listeners: listeners(signal), unsettled });
    };
    const { client, clock } = account({ onRequest: sample, limits: feedLimits });
    nock(ZWIFT_AUTH)
      .post(TOKEN_PATH)
      .reply(() => {
        sample();
        return [200, tokenResponse()];
      });
    nock(ZWIFT)
      .post('/api/events/search')
      .query(true)
      .times(20)
      .reply(() => {
        sample();
        return [200, []];
      })
      .get(entrantsPath)
      .query(true)
      .times(100)
      .reply(() => {
        sample();
        return [200, [{ id: 1, firstName: 'A', lastName: 'B' }]];
      });
    const t0 = clock.now();
    const warnings = await warningsDuring('MaxListenersExceededWarning', async () => {
      const track = <T>(p: Promise<T>): Promise<T> => {
        unsettled++;
        return p.finally(() => {
          unsettled--;
          sample();
        });
      };
      const calls = [
        ...Array.from({ length: 20 }, () => track(client.zwift.events.search(hourFrom(t0), { signal }))),
        ...Array.from({ length: 100 }, (_, i) =>
          track(client.zwift.subgroups.entrants(i + 1, { type: 'following' }, { signal })),
        ),
      ];
      sample();
      await Promise.all(calls);
    });
    expect(warnings).toEqual([]);
    // 20 searches at 2 per minute and 100 entrants pages at 10 per minute: both lines take 9 minutes
    expect(clock.now() - t0).toBe(9 * 60_000);
    for (const s of samples) expect(s.listeners).toBeLessThanOrEqual(Math.min(1, s.unsettled));
    expect(samples.some((s) => s.listeners === 1)).toBe(true);
    expect(listeners(signal)).toBe(0);
  });

  it('aborting the shared signal while every call waits for the one token request: all reject at once, the request is abandoned', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const { client, clock, inflight, calls } = account({ limits: feedLimits }, { auto: false });
    nock(ZWIFT_AUTH)
      .post(TOKEN_PATH)
      .reply(() => new Promise<never>(() => {}));
    const outcomes = [
      ...Array.from({ length: 50 }, () => client.zwift.events.search(hourFrom(clock.now()), { signal })),
      ...Array.from({ length: 50 }, (_, i) =>
        client.zwift.subgroups.entrants(i + 1, { type: 'all' }, { signal }),
      ),
    ].map((p) =>
      p.then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    await until(() => inflight() === 1);
    await settle();
    expect(calls()).toBe(1); // ONE token request for the hundred calls
    expect(listeners(signal)).toBe(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    const results = await Promise.all(outcomes);
    expect(results.every((r) => r === reason)).toBe(true);
    expect(listeners(signal)).toBe(0);
    await until(() => inflight() === 0); // nobody waits for the token any more: the request was aborted
    await until(() => clock.pending.length === 0); // its timeout disarmed as it settled
  });

  it('a call aborted while waiting for the shared token request rejects alone; the others get the token', async () => {
    const { client, clock, inflight } = account({ limits: feedLimits }, { auto: false });
    let answer!: (value: [number, unknown]) => void;
    nock(ZWIFT_AUTH)
      .post(TOKEN_PATH)
      .reply(() => new Promise<[number, unknown]>((resolve) => (answer = resolve)));
    nock(ZWIFT).post('/api/events/search').query(true).reply(200, []);
    const leaving = new AbortController();
    const left = client.zwift.events
      .search(hourFrom(clock.now()), { signal: leaving.signal })
      .catch((e: unknown) => e);
    const staying = client.zwift.events.search(hourFrom(clock.now()), {
      signal: new AbortController().signal,
    });
    await until(() => inflight() === 1);
    leaving.abort('bye');
    expect(await left).toBe('bye');
    answer([200, tokenResponse()]);
    await expect(staying).resolves.toMatchObject({ events: [] });
  });
});
