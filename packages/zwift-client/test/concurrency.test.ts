import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore, createZwiftClient } from '../src/index.ts';
import { ManualClock } from './helpers/clock.ts';
import { trackedFetch } from './helpers/fetch.ts';
import { sendJson, startServer } from './helpers/server.ts';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** Loopback server stamping each arrival with the virtual clock's time. */
async function world(clock: ManualClock) {
  const stamps: { path: string; at: number; auth: string | undefined }[] = [];
  const server = await startServer((req, res) => {
    stamps.push({ path: req.url, at: clock.now(), auth: req.headers.authorization });
    if (req.url.startsWith('/api/public/results/')) {
      sendJson(res, 200, {
        eventId: req.url.split('/').pop(),
        results: [{ riderId: 1, name: 'A', time: 1 }],
      });
    } else sendJson(res, 200, []);
  });
  cleanups.push(server.close);
  return { server, stamps };
}

function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('concurrent callers never exceed a limit (loopback server, virtual clock)', () => {
  it('25 concurrent results.forEvent: never two inside one minute, and no idle minute', async () => {
    const clock = new ManualClock();
    const tracked = trackedFetch();
    cleanups.push(clock.autoAdvance(() => tracked.inflight() > 0));
    const { server, stamps } = await world(clock);
    const client = createZwiftClient({
      apiKey: 'k',
      baseUrl: `${server.url}/api`,
      clock,
      fetch: tracked.fetch,
      concurrency: 4,
    });
    const t0 = clock.now();
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => client.results.forEvent(1000 + i)),
    );
    expect(results.map((r) => r.eventId).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => String(1000 + i)).sort(),
    );
    expect(stamps).toHaveLength(25);
    expect(
      maxInWindow(
        stamps.map((s) => s.at),
        60_000,
      ),
    ).toBe(1);
    const gaps = stamps.slice(1).map((s, i) => s.at - stamps[i]!.at);
    expect(gaps.every((g) => g === 60_000)).toBe(true); // exactly at the limit: precise, never early
    expect(clock.now() - t0).toBe(24 * 60_000);
    expect(stamps.every((s) => s.auth === 'k')).toBe(true);
  });

  it('two clients sharing one store and one key share one budget', async () => {
    const clock = new ManualClock();
    const tracked = trackedFetch();
    cleanups.push(clock.autoAdvance(() => tracked.inflight() > 0));
    const { server, stamps } = await world(clock);
    const rateLimitStore = createMemoryRateLimitStore();
    const make = () =>
      createZwiftClient({
        apiKey: 'shared',
        baseUrl: `${server.url}/api`,
        clock,
        fetch: tracked.fetch,
        rateLimitStore,
      });
    const [a, b] = [make(), make()];
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).results.forEvent(i + 1)));
    expect(
      maxInWindow(
        stamps.map((s) => s.at),
        60_000,
      ),
    ).toBe(1);
  });

  it('different keys have independent budgets; site calls flow while results wait', async () => {
    const clock = new ManualClock();
    const tracked = trackedFetch();
    cleanups.push(clock.autoAdvance(() => tracked.inflight() > 0));
    const { server, stamps } = await world(clock);
    const rateLimitStore = createMemoryRateLimitStore();
    const opts = {
      baseUrl: `${server.url}/api`,
      siteBaseUrl: server.url,
      clock,
      fetch: tracked.fetch,
      rateLimitStore,
    };
    const a = createZwiftClient({ ...opts, apiKey: 'a' });
    const b = createZwiftClient({ ...opts, apiKey: 'b' });
    const t0 = clock.now();
    const pending = [
      a.results.forEvent(1),
      a.results.forEvent(2),
      b.results.forEvent(3),
      b.results.forEvent(4),
    ];
    const site = Array.from({ length: 10 }, () => a.routes.list());
    await Promise.all(site);
    expect(clock.now() - t0).toBe(0); // 10 site calls fit the site budget at once
    await Promise.all(pending);
    expect(clock.now() - t0).toBe(60_000);
    const resultsTimes = stamps.filter((s) => s.path.includes('/results/')).map((s) => s.at - t0);
    expect(resultsTimes.sort((x, y) => x - y)).toEqual([0, 0, 60_000, 60_000]);
  });

  it('the site budget (10/min by default) holds under 35 concurrent site calls', async () => {
    const clock = new ManualClock();
    const tracked = trackedFetch();
    cleanups.push(clock.autoAdvance(() => tracked.inflight() > 0));
    const { server, stamps } = await world(clock);
    const client = createZwiftClient({ siteBaseUrl: server.url, clock, fetch: tracked.fetch });
    await Promise.all(
      Array.from({ length: 35 }, (_, i) =>
        i % 3 === 0
          ? client.routes.list()
          : i % 3 === 1
            ? client.events.upcoming()
            : client.events.signups(i),
      ),
    );
    expect(stamps).toHaveLength(35);
    expect(
      maxInWindow(
        stamps.map((s) => s.at),
        60_000,
      ),
    ).toBe(10);
    expect(stamps.every((s) => s.auth === undefined)).toBe(true);
  });
});

describe('concurrency slots', () => {
  /** A fetch that holds every response until `release()`; records the order requests arrive in. */
  function heldFetch() {
    const waiting: (() => void)[] = [];
    const order: string[] = [];
    let inflight = 0;
    let maxInflight = 0;
    const fetchImpl = (async (input: RequestInfo | URL) => {
      const url = input instanceof Request ? input.url : String(input); // ky passes a Request
      order.push(url.replace(/^https?:\/\/[^/]+/, ''));
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      await new Promise<void>((r) => waiting.push(r));
      inflight--;
      const body = url.includes('/public/results/') ? { results: [] } : [];
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch;
    return {
      fetch: fetchImpl,
      order,
      inflight: () => inflight,
      maxInflight: () => maxInflight,
      /** Lets the oldest held request answer. */
      release: () => waiting.shift()?.(),
    };
  }

  const settle = async (turns = 10): Promise<void> => {
    for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
  };

  const generous = {
    results: { capacity: 1000, intervalMs: 1000 },
    site: { capacity: 1000, intervalMs: 1000 },
    zwift: { capacity: 1000, intervalMs: 1000 },
  };

  it('never more than `concurrency` requests in flight, slots refilled as they free', async () => {
    const held = heldFetch();
    const client = createZwiftClient({
      apiKey: 'k',
      clock: new ManualClock(),
      fetch: held.fetch,
      concurrency: 3,
      limits: generous,
    });
    const calls = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? client.results.forEvent(i + 1)
        : i % 3 === 1
          ? client.routes.list()
          : client.zwift.events.upcoming(),
    );
    for (let done = 0; done < 30; done++) {
      await settle();
      expect(held.inflight()).toBe(Math.min(3, 30 - done));
      held.release();
    }
    await Promise.all(calls);
    expect(held.maxInflight()).toBe(3);
    expect(held.order).toHaveLength(30);
  });

  it('when every slot is busy, freed slots go to the highest priority first', async () => {
    const held = heldFetch();
    const client = createZwiftClient({
      apiKey: 'k',
      clock: new ManualClock(),
      fetch: held.fetch,
      concurrency: 2,
      limits: generous,
    });
    const busy = [client.routes.list(), client.routes.list()];
    await settle();
    expect(held.inflight()).toBe(2);
    const waiting = [
      client.events.upcoming({ priority: 1 }),
      client.zwift.events.upcoming({ priority: 5 }),
      client.results.forEvent(7, { priority: 3 }),
    ];
    await settle();
    expect(held.order).toHaveLength(2); // nothing more leaves while both slots are busy
    for (let i = 0; i < 5; i++) {
      held.release();
      await settle();
    }
    await Promise.all([...busy, ...waiting]);
    expect(held.order.slice(2)).toEqual([
      '/api/public/events/upcoming', // zwift, priority 5
      '/api/public/results/7', // priority 3
      '/api/events/upcoming', // site, priority 1
    ]);
    expect(held.maxInflight()).toBe(2);
  });
});
