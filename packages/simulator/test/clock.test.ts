import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createScaledClock,
  createSimulation,
  createVirtualClock,
  DEFAULT_START,
  type VirtualClock,
  VirtualClockStallError,
} from '../src/index.ts';
import { DAY, HOUR, MIN } from './helpers.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A plain loopback server that answers after a real delay (or never, with delayMs < 0). */
async function slowServer(delayMs: number): Promise<string> {
  const server = createServer((_req, res) => {
    if (delayMs < 0) return;
    setTimeout(() => res.end('ok'), delayMs);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('virtual clock', () => {
  it('starts at 2026-01-01T00:00:00Z, never at the wall clock', () => {
    expect(createVirtualClock().now()).toBe(Date.UTC(2026, 0, 1));
    expect(DEFAULT_START).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(createVirtualClock({ start: '2026-03-01T10:00:00Z' }).now()).toBe(
      Date.parse('2026-03-01T10:00:00Z'),
    );
  });

  it('fires timers in time order (FIFO at equal times), moving now to each timer', async () => {
    const clock = createVirtualClock();
    const t0 = clock.now();
    const seen: [string, number][] = [];
    const at = (label: string, ms: number) =>
      clock.sleep(ms).then(() => seen.push([label, clock.now() - t0]));
    void at('c', 3000);
    void at('a', 1000);
    void at('b1', 2000);
    void at('b2', 2000);
    expect(clock.pendingTimers()).toBe(4);
    expect(clock.nextTimerAt()).toBe(t0 + 1000);
    await clock.runUntil(t0 + 2500);
    expect(seen).toEqual([
      ['a', 1000],
      ['b1', 2000],
      ['b2', 2000],
    ]);
    expect(clock.now()).toBe(t0 + 2500);
    await clock.advanceBy(10_000);
    expect(seen.at(-1)).toEqual(['c', 3000]);
    expect(clock.now()).toBe(t0 + 12_500);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires timers that are scheduled while running, in order', async () => {
    const clock = createVirtualClock();
    const t0 = clock.now();
    const seen: number[] = [];
    const loop = async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(60_000);
        seen.push((clock.now() - t0) / 60_000);
      }
    };
    const done = loop();
    await clock.runUntil(t0 + 10 * MIN);
    await done;
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('runUntil with nothing pending just sets the time', async () => {
    const clock = createVirtualClock();
    await clock.runUntil(clock.now() + DAY);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 2));
    // Never moves backwards.
    await clock.runUntil(Date.UTC(2025, 0, 1));
    expect(clock.now()).toBe(Date.UTC(2026, 0, 2));
  });

  it('sleep(0) resolves without moving time', async () => {
    const clock = createVirtualClock();
    const t0 = clock.now();
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.now()).toBe(t0);
  });

  it('aborting a sleep rejects with signal.reason and removes the timer', async () => {
    const clock = createVirtualClock();
    const ac = new AbortController();
    const p = clock.sleep(5000, ac.signal);
    expect(clock.pendingTimers()).toBe(1);
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerAt()).toBeNull();
    // Already aborted: rejects at once, registers nothing.
    await expect(clock.sleep(1000, ac.signal)).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advanceBy(10_000);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1) + 10_000);
  });

  it('an aborted long sleep releases its signal and reason at once, not at its due time', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const clock = createVirtualClock();
    const keep = clock.sleep(30 * DAY); // a live timer further out than the aborted ones
    const refs: WeakRef<object>[] = [];
    const abortedSleep = async (i: number): Promise<void> => {
      const ac = new AbortController();
      const reason = new Error(`stop ${i}`);
      refs.push(new WeakRef(ac.signal), new WeakRef(reason));
      const p = clock.sleep(DAY + i, ac.signal);
      ac.abort(reason);
      await p.catch(() => {});
    };
    for (let i = 0; i < 200; i++) await abortedSleep(i);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(clock.pendingTimers()).toBe(1);
    // After the heap dropped the cancelled timers, the live ones still fire in order.
    const fired: number[] = [];
    void clock.sleep(2 * HOUR).then(() => fired.push(2));
    void clock.sleep(HOUR).then(() => fired.push(1));
    void keep.then(() => fired.push(30));
    await clock.advanceBy(31 * DAY);
    expect(fired).toEqual([1, 2, 30]);
  });

  it('waits for tracked loopback fetches before firing the next timer', async () => {
    const url = await slowServer(40); // real 40 ms
    const clock = createVirtualClock();
    const fetch = clock.trackFetch();
    const t0 = clock.now();
    const order: string[] = [];
    const client = (async () => {
      const res = await fetch(url);
      order.push(`fetched ${await res.text()} at +${clock.now() - t0}`);
      await clock.sleep(1000);
      order.push(`slept at +${clock.now() - t0}`);
    })();
    void clock.sleep(500).then(() => order.push(`timer at +${clock.now() - t0}`));
    await clock.runUntil(t0 + 5000);
    await client;
    expect(order).toEqual(['fetched ok at +0', 'timer at +500', 'slept at +1000']);
    expect(clock.inFlight()).toBe(0);
  });

  it('the tracked response is fully buffered and keeps status, headers and url', async () => {
    const url = await slowServer(0);
    const clock = createVirtualClock();
    const res = await clock.trackFetch()(url);
    expect(res.status).toBe(200);
    expect(res.url).toBe(url);
    expect(res.headers.get('content-length')).toBe('2');
    expect(await res.text()).toBe('ok');
    expect(clock.inFlight()).toBe(0);
  });

  it('track(promise) counts other I/O as activity', async () => {
    const clock = createVirtualClock();
    const t0 = clock.now();
    const order: string[] = [];
    const io = clock.track(new Promise<void>((r) => setTimeout(r, 30)));
    void io.then(() => order.push(`io at +${clock.now() - t0}`));
    void clock.sleep(100).then(() => order.push(`timer at +${clock.now() - t0}`));
    await clock.runUntil(t0 + 1000);
    expect(order).toEqual(['io at +0', 'timer at +100']);
  });

  it('run(promise) drives timers until the promise settles, and reports a stall', async () => {
    const clock = createVirtualClock();
    const t0 = clock.now();
    const value = await clock.run(
      (async () => {
        await clock.sleep(HOUR);
        await clock.sleep(HOUR);
        return 'done';
      })(),
    );
    expect(value).toBe('done');
    expect(clock.now()).toBe(t0 + 2 * HOUR);
    await expect(clock.run(new Promise(() => undefined))).rejects.toBeInstanceOf(VirtualClockStallError);
    await expect(clock.run(clock.sleep(DAY), { until: t0 + 3 * HOUR })).rejects.toBeInstanceOf(
      VirtualClockStallError,
    );
    expect(clock.now()).toBe(t0 + 3 * HOUR);
  });

  it('names what is still in flight when tracked I/O never finishes', async () => {
    const url = await slowServer(-1); // never answers, and is not parked
    const clock = createVirtualClock({ stallTimeoutMs: 200 });
    const ac = new AbortController();
    const pending = clock
      .trackFetch()(url, { signal: ac.signal })
      .catch(() => 'aborted');
    void clock.sleep(1000);
    await expect(clock.runUntil(clock.now() + 5000)).rejects.toThrow(
      /still in flight.*fetch http:\/\/127\.0\.0\.1/,
    );
    ac.abort();
    expect(await pending).toBe('aborted');
  });

  it('a hung request does not deadlock: the client times out on the same clock', async () => {
    const sim = createSimulation({ seed: 1, days: 1, faults: { rate: 1, kinds: { hang: 1 } } });
    const info = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const t0 = clock.now();
    const outcome = (async () => {
      const ac = new AbortController();
      const timer = new AbortController();
      void clock.sleep(10_000, timer.signal).then(
        () => ac.abort(new Error('timeout')),
        () => undefined,
      );
      try {
        await sim.fetch(`${info.siteBaseUrl}/api/routes`, { signal: ac.signal });
        return 'answered';
      } catch (error) {
        return (error as Error).message;
      } finally {
        timer.abort();
      }
    })();
    await clock.runUntil(t0 + MIN);
    expect(await outcome).toBe('timeout');
    expect(clock.now()).toBe(t0 + MIN);
    expect(sim.stats().faultsInjected.byKind.hang).toBe(1);
    await sim.close();
  });

  it('a hung request without a client timeout is dropped after hangMs of clock time', async () => {
    const sim = createSimulation({
      seed: 1,
      days: 1,
      faults: { rate: 1, kinds: { hang: 1 }, hangMs: 5 * MIN },
    });
    const info = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const t0 = clock.now();
    let failedAt = 0;
    const p = sim.fetch(`${info.siteBaseUrl}/api/routes`).catch(() => {
      failedAt = clock.now();
    });
    await clock.runUntil(t0 + HOUR);
    await p;
    expect(failedAt - t0).toBe(5 * MIN);
    await sim.close();
  });
});

describe('scaled clock', () => {
  it('runs real time × speed from a virtual start', async () => {
    const clock = createScaledClock({ start: '2026-01-01T00:00:00Z', speed: 1000 });
    const t0 = clock.now();
    expect(t0 - Date.UTC(2026, 0, 1)).toBeLessThan(1000);
    const wall0 = performance.now();
    await clock.sleep(20_000); // 20 s virtual = 20 ms real
    const wall = performance.now() - wall0;
    expect(wall).toBeGreaterThanOrEqual(15);
    // Unscaled, the sleep would take 20 s: half of that proves the scaling on any loaded machine.
    expect(wall).toBeLessThan(10_000);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(19_000);
    const ac = new AbortController();
    const p = clock.sleep(60_000, ac.signal);
    ac.abort(new Error('x'));
    await expect(p).rejects.toThrow('x');
  });

  it('clocks given the same start, speed and wall-clock anchor agree (several processes)', async () => {
    const anchor = Date.now() - 5000; // five real seconds ago
    const a = createScaledClock({ start: '2026-01-01T00:00:00Z', speed: 100, anchor });
    await new Promise((r) => setTimeout(r, 20));
    const b = createScaledClock({ start: '2026-01-01T00:00:00Z', speed: 100, anchor });
    expect(a.anchor).toBeCloseTo(anchor, 0);
    expect(Math.abs(a.now() - b.now())).toBeLessThanOrEqual(100); // ≤ 1 real ms apart
    expect(a.now() - Date.UTC(2026, 0, 1)).toBeGreaterThanOrEqual(500_000);
    expect(a.now() - Date.UTC(2026, 0, 1)).toBeLessThan(600_000);
    expect(() => createScaledClock({ anchor: Number.NaN })).toThrow(RangeError);
  });

  it('an infinite sleep never resolves (a hang held for good) until aborted', async () => {
    const clock = createScaledClock({ speed: 1 });
    const ac = new AbortController();
    let resolved = false;
    const p = clock.sleep(Number.POSITIVE_INFINITY, ac.signal).then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(resolved).toBe(false);
    ac.abort(new Error('released'));
    await expect(p).rejects.toThrow('released');
  });
});

describe('a client with token waits, retries and timeouts runs a simulated day in seconds', () => {
  it('against the simulator with faults, without deadlock, real sleeps or violations', async () => {
    const sim = createSimulation({
      seed: 3,
      days: 1,
      faults: { rate: 0.1, slowMs: 15_000 },
    });
    const info = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const start = clock.now();
    const end = start + DAY;
    const sent: number[] = [];
    const take = async () => {
      // Own sliding window for the site budget (10 / 60 s).
      for (;;) {
        while (sent.length > 0 && (sent[0] as number) + MIN <= clock.now()) sent.shift();
        if (sent.length < 10) {
          sent.push(clock.now());
          return;
        }
        await clock.sleep((sent[0] as number) + MIN - clock.now());
      }
    };
    const stats = { ok: 0, retries: 0, timeouts: 0 };
    const call = async (url: string): Promise<unknown> => {
      for (let attempt = 0; ; attempt++) {
        await take();
        const ac = new AbortController();
        const timer = new AbortController();
        void clock.sleep(10_000, timer.signal).then(
          () => ac.abort(new Error('timeout')),
          () => undefined,
        );
        try {
          const res = await sim.fetch(url, { signal: ac.signal });
          const text = await res.text();
          if (res.status === 429) {
            stats.retries++;
            await clock.sleep(Number(res.headers.get('retry-after')) * 1000);
            continue;
          }
          if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
          const body = JSON.parse(text);
          stats.ok++;
          return body;
        } catch (error) {
          if ((error as Error).message === 'timeout') stats.timeouts++;
          stats.retries++;
          await clock.sleep(Math.min(60_000, 1000 * 2 ** attempt));
        } finally {
          timer.abort();
        }
      }
    };
    const client = (async () => {
      while (clock.now() < end) {
        const events = (await call(`${info.siteBaseUrl}/api/events/upcoming`)) as {
          eventId: string;
          time: number;
        }[];
        const soon = events.filter((e) => e.time * 1000 < clock.now() + HOUR).slice(0, 3);
        for (const e of soon) await call(`${info.siteBaseUrl}/api/events/${e.eventId}/signups`);
        await clock.sleep(5 * MIN);
      }
    })();
    await clock.run(client);
    const s = sim.stats();
    expect(s.violations.total).toBe(0);
    expect(s.faultsInjected.total).toBeGreaterThan(20);
    expect(s.faultsInjected.byKind.hang).toBeGreaterThan(0);
    expect(stats.timeouts).toBeGreaterThan(0);
    expect(stats.ok).toBeGreaterThan(250);
    await sim.close();
  }, 30_000);
});
