import { defaultMaxListeners, getEventListeners, setMaxListeners } from 'node:events';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { settle, until } from './helpers/clock.ts';
import { SITE, setup } from './helpers/setup.ts';

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
