import { afterEach, describe, expect, it } from 'vitest';
import { FAULT_KINDS, type FaultKind, type FaultOptions, type VirtualClock } from '../src/index.ts';
import { type Harness, HOUR, harness } from './helpers.ts';
import { entrantsPage, login, search, tokenRequest } from './zwift-helpers.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type Outcome = FaultKind | 'ok';

const TIMEOUT_MS = 5_000;
const SLOW_MS = 3_000;

async function faulty(faults: FaultOptions): Promise<Harness> {
  return harness({
    seed: 21,
    days: 1,
    faults: { slowMs: SLOW_MS, ...faults },
    // No limit gets in the way of measuring fault rates.
    limits: {
      riders: { capacity: 1e9, intervalMs: 60_000 },
      'riders-bulk': { capacity: 1e9, intervalMs: 60_000 },
    },
  });
}

/** One request with a client timeout on the virtual clock; classifies what came back. */
async function probe(h: Harness, url: string): Promise<{ outcome: Outcome; elapsed: number }> {
  const clock = h.sim.clock as VirtualClock;
  const t0 = clock.now();
  const ac = new AbortController();
  const timer = new AbortController();
  void clock.sleep(TIMEOUT_MS, timer.signal).then(
    () => ac.abort(new Error('client timeout')),
    () => undefined,
  );
  const attempt = (async (): Promise<Outcome> => {
    let status: number;
    let text: string;
    try {
      const res = await h.sim.fetch(url, { headers: { authorization: h.info.apiKey }, signal: ac.signal });
      status = res.status;
      text = await res.text();
    } catch (error) {
      return (error as Error).message === 'client timeout' ? 'hang' : 'truncated'; // connection dropped mid-body
    } finally {
      timer.abort();
    }
    if (status === 429) return 'burst429';
    if (status >= 500) return 'serverError';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return 'truncated';
    }
    if ('_simExtra' in body) return 'drift';
    return clock.now() - t0 === SLOW_MS ? 'slow' : 'ok';
  })();
  const outcome = await clock.run(attempt);
  const elapsed = clock.now() - t0;
  // Let any 429 burst (≤ 20 s) pass so the next request is a fresh decision.
  await clock.advanceBy(30_000);
  return { outcome, elapsed };
}

async function measure(h: Harness, n: number): Promise<Record<Outcome, number>> {
  const counts = Object.fromEntries([...FAULT_KINDS, 'ok'].map((k) => [k, 0])) as Record<Outcome, number>;
  const url = `${h.info.baseUrl}/public/riders/${h.info.teamRiderIds[0]}`;
  for (let i = 0; i < n; i++) counts[(await probe(h, url)).outcome]++;
  return counts;
}

describe('fault injection', () => {
  it('produces every kind at its configured rate (rate 0.3, equal weights)', async () => {
    h = await faulty({ rate: 0.3 });
    const n = 1200;
    const counts = await measure(h, n);
    const stats = h.sim.stats();
    // Observed outcomes match what the simulator says it injected.
    for (const kind of FAULT_KINDS) expect(counts[kind], kind).toBe(stats.faultsInjected.byKind[kind]);
    expect(stats.faultsInjected.total / n).toBeGreaterThan(0.26);
    expect(stats.faultsInjected.total / n).toBeLessThan(0.34);
    for (const kind of FAULT_KINDS) {
      expect(counts[kind], kind).toBeGreaterThan(n * 0.05 * 0.6);
      expect(counts[kind], kind).toBeLessThan(n * 0.05 * 1.4);
    }
    // Injected 429s are not violations.
    expect(stats.violations.total).toBe(0);
    expect(stats.served429).toBe(counts.burst429);
  }, 60_000);

  for (const kind of FAULT_KINDS) {
    it(`${kind} alone at rate 0.2`, async () => {
      h = await faulty({ rate: 0.2, kinds: { [kind]: 1 } });
      const n = 300;
      const counts = await measure(h, n);
      expect(counts[kind] / n).toBeGreaterThan(0.13);
      expect(counts[kind] / n).toBeLessThan(0.27);
      expect(counts[kind] + counts.ok).toBe(n);
    }, 30_000);
  }

  it('weights choose the kinds', async () => {
    h = await faulty({ rate: 0.5, kinds: { serverError: 3, drift: 1 } });
    const counts = await measure(h, 400);
    expect(counts.serverError + counts.drift + counts.ok).toBe(400);
    expect(counts.serverError / counts.drift).toBeGreaterThan(2);
    expect(counts.serverError / counts.drift).toBeLessThan(4.5);
  }, 30_000);

  it('a burst429 refuses the bucket for its Retry-After, then serves again', async () => {
    h = await faulty({ rate: 1, kinds: { burst429: 1 }, burstSeconds: [5, 5] });
    const clock = h.sim.clock as VirtualClock;
    const url = `${h.info.siteBaseUrl}/api/routes`;
    const first = await h.req(url, { auth: false });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(first.text)).toEqual({ message: expect.any(String), retryAfter: 5 });
    await clock.advanceBy(2000);
    const during = await h.req(url, { auth: false });
    expect(during.status).toBe(429);
    expect(during.headers.get('retry-after')).toBe('3');
    h.sim.setFaults(null);
    await clock.advanceBy(3000);
    expect((await h.req(url, { auth: false })).status).toBe(200);
    const stats = h.sim.stats();
    expect(stats.faultsInjected.byKind.burst429).toBe(1);
    expect(stats.served429).toBe(2);
    expect(stats.violations.total).toBe(0);
  });

  it('slow responses arrive after slowMs of clock time', async () => {
    h = await faulty({ rate: 1, kinds: { slow: 1 } });
    const r = await probe(h, `${h.info.baseUrl}/public/riders/${h.info.teamRiderIds[0]}`);
    expect(r).toEqual({ outcome: 'slow', elapsed: SLOW_MS });
  });

  it('drift: unknown fields everywhere, optional fields missing, one record with a wrong type', async () => {
    h = await faulty({ rate: 1, kinds: { drift: 1 } });
    const riders = JSON.parse(
      (
        await h.req(`${h.info.baseUrl}/public/riders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(h.info.teamRiderIds),
        })
      ).text,
    ) as Record<string, unknown>[];
    expect(riders).toHaveLength(h.info.teamRiderIds.length);
    expect(riders.every((r) => '_simExtra' in r)).toBe(true);
    expect(riders.filter((r) => typeof r['riderId'] !== 'number')).toEqual([
      expect.objectContaining({ riderId: 'abc' }),
    ]);
    expect(
      riders.some(
        (r) => r['race'] && !('date' in ((r['race'] as Record<string, object>)['max30'] as object)),
      ),
    ).toBe(true);
    const pens = JSON.parse(
      (
        await h.req(`${h.info.siteBaseUrl}/api/events/${h.sim.truth.events()[5]?.eventId}/signups`, {
          auth: false,
        })
      ).text,
    ) as { riders: Record<string, unknown>[] }[];
    const all = pens.flatMap((p) => p.riders);
    expect(all.filter((r) => typeof r['riderId'] !== 'number')).toHaveLength(1);
  });

  it('truncated bodies are cut mid-way (malformed JSON or a dropped connection)', async () => {
    h = await faulty({ rate: 1, kinds: { truncated: 1 } });
    let malformed = 0;
    let dropped = 0;
    for (let i = 0; i < 30; i++) {
      try {
        const res = await h.sim.fetch(`${h.info.siteBaseUrl}/api/routes`);
        const text = await res.text();
        expect(() => JSON.parse(text)).toThrow();
        expect(text.length).toBeGreaterThan(0);
        malformed++;
      } catch {
        dropped++;
      }
      await (h.sim.clock as VirtualClock).advanceBy(10_000);
    }
    expect(malformed).toBeGreaterThan(10);
    expect(dropped).toBeGreaterThan(3);
  });

  it('setFaults turns faults off after a soak', async () => {
    h = await faulty({ rate: 1, kinds: { serverError: 1 } });
    const url = `${h.info.baseUrl}/public/riders/${h.info.teamRiderIds[0]}`;
    expect([500, 502, 503]).toContain((await h.req(url)).status);
    h.sim.setFaults({ rate: 0 });
    for (let i = 0; i < 20; i++) expect((await h.req(url)).status).toBe(200);
    expect(() => h?.sim.setFaults({ rate: 2 })).toThrow(RangeError);
    // A typed error naming the option; an unknown kind is named, not taken for weight 0.
    expect(() => h?.sim.setFaults({ rate: 2 })).toThrow(
      expect.objectContaining({ kind: 'config', name: 'SimulatorConfigError' }),
    );
    expect(() => h?.sim.setFaults({ rate: 1, kinds: { http500: 1 } as never })).toThrow(
      /faults\.kinds: unknown kind http500 \(kinds: burst429, serverError/,
    );
  });

  it("covers Zwift's authenticated API: the token endpoint, the search (drift drops followee counts), entrants", async () => {
    h = await harness({
      seed: 21,
      days: 1,
      faults: { rate: 1, kinds: { serverError: 1 } },
      limits: {
        'zwift-auth': { capacity: 1e6, intervalMs: HOUR },
        'zwift-search': { capacity: 1e6, intervalMs: HOUR },
        'zwift-entrants': { capacity: 1e6, intervalMs: HOUR },
      },
    });
    const { username, password } = h.sim.zwiftAccount;
    expect([500, 502, 503]).toContain(
      (await tokenRequest(h, { grant_type: 'password', username, password })).status,
    );
    h.sim.setFaults(null);
    const token = (await login(h)).access_token;
    const now = h.sim.clock.now();
    h.sim.setFaults({ rate: 1, kinds: { serverError: 1 } });
    expect([500, 502, 503]).toContain((await search(h, token, now, now + HOUR)).status);
    const ev = h.sim.truth.events()[0] as { eventId: string; pens: string[] };
    const sg = h.sim.truth.subgroupIds(ev.eventId)[ev.pens[0] as string] as number;
    expect([500, 502, 503]).toContain((await entrantsPage(h, token, sg)).status);
    // Auth failures are answered before any fault is drawn.
    expect((await search(h, 'bad', now, now + HOUR)).status).toBe(401);
    h.sim.setFaults({ rate: 1, kinds: { drift: 1 } });
    let missing = 0;
    for (let i = 0; i < 6; i++) {
      const events = JSON.parse((await search(h, token, now, now + 6 * HOUR)).text) as Record<
        string,
        unknown
      >[];
      expect(events.every((e) => '_simExtra' in e)).toBe(true);
      missing += events.filter((e) => !('followeeEntrantCount' in e)).length;
    }
    expect(missing).toBeGreaterThan(0);
    expect(h.sim.stats().faultsInjected.byKind).toMatchObject({ serverError: 3, drift: 6 });
  });
});
