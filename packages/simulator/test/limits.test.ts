import { afterEach, describe, expect, it } from 'vitest';
import {
  BUCKETS,
  type BucketName,
  createSimulation,
  type VirtualClock,
  ZWIFT_ACCOUNT_BUCKETS,
  type ZwiftAccountBucket,
} from '../src/index.ts';
import { SlidingWindowLimiter } from '../src/limits.ts';
import { type Harness, harness, MIN } from './helpers.ts';
import { entrantsPage, login, search, tokenRequest } from './zwift-helpers.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type Call = (h: Harness, key?: string) => Promise<{ status: number; headers: Headers; text: string }>;

function withKey(key: string | undefined): RequestInit & { auth?: boolean } {
  return key === undefined ? {} : { auth: false, headers: { authorization: key } };
}

/** One request per bucket (each valid; 404s for unknown results still count, as upstream). */
const calls: Record<BucketName, Call> = {
  riders: (h, key) => h.req(`${h.info.baseUrl}/public/riders/${h.info.teamRiderIds[0]}`, withKey(key)),
  'riders-bulk': (h, key) =>
    h.req(`${h.info.baseUrl}/public/riders`, {
      method: 'POST',
      body: JSON.stringify(h.info.teamRiderIds.slice(0, 3)),
      ...withKey(key),
      headers: { 'content-type': 'application/json', ...(key ? { authorization: key } : {}) },
    }),
  clubs: (h, key) => h.req(`${h.info.baseUrl}/public/clubs/${h.info.clubId}`, withKey(key)),
  results: (h, key) => h.req(`${h.info.baseUrl}/public/results/5300001`, withKey(key)),
  'results-zp': (h, key) => h.req(`${h.info.baseUrl}/public/zp/5300001/results`, withKey(key)),
  site: (h) => h.req(`${h.info.siteBaseUrl}/api/routes`, { auth: false }),
  zwift: (h) => h.req(`${h.info.zwiftBaseUrl}/api/public/events/upcoming`, { auth: false }),
};

const clockOf = (h: Harness) => h.sim.clock as VirtualClock;

describe('sliding-window limiter (unit)', () => {
  it('allows exactly capacity per window, frees a slot exactly at the window edge', () => {
    const l = new SlidingWindowLimiter();
    const spec = { capacity: 3, intervalMs: 1000 };
    for (const t of [0, 100, 200]) {
      expect(l.check('k', spec, t).ok).toBe(true);
      l.commit('k', t);
    }
    expect(l.check('k', spec, 999)).toEqual({ ok: false, retryAfterMs: 1 });
    expect(l.check('k', spec, 500)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(l.check('k', spec, 1000).ok).toBe(true);
    expect(l.used('k', spec, 1000)).toBe(2);
    expect(l.check('other', spec, 999).ok).toBe(true);
  });
});

describe('limits enforced exactly at the boundaries (standard tier)', () => {
  for (const bucket of Object.keys(calls) as BucketName[]) {
    const spec = BUCKETS.standard[bucket];
    it(`${bucket}: ${spec.capacity} per ${spec.intervalMs / 1000} s`, async () => {
      h = await harness({ seed: 11, days: 1 });
      const clock = clockOf(h);
      const t0 = clock.now();
      for (let i = 0; i < spec.capacity; i++) {
        const r = await calls[bucket](h);
        expect(r.status, `request ${i + 1}`).not.toBe(429);
      }
      // N+1 inside the window: 429, Retry-After (whole seconds, rounded up) and a retryAfter body.
      const over = await calls[bucket](h);
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe(String(spec.intervalMs / 1000));
      expect(JSON.parse(over.text)).toEqual({
        message: expect.any(String),
        retryAfter: spec.intervalMs / 1000,
      });
      // 1 ms before the edge: still limited, Retry-After rounds up to 1 s.
      await clock.runUntil(t0 + spec.intervalMs - 1);
      const almost = await calls[bucket](h);
      expect(almost.status).toBe(429);
      expect(almost.headers.get('retry-after')).toBe('1');
      let stats = h.sim.stats();
      expect(stats.violations.byBucket[bucket]).toBe(2);
      expect(stats.violations.total).toBe(2);
      expect(stats.served429).toBe(2);
      // Exactly at the window edge: passes, and rejected requests did not consume the window.
      await clock.runUntil(t0 + spec.intervalMs);
      for (let i = 0; i < spec.capacity; i++) {
        expect((await calls[bucket](h)).status, `after the edge, request ${i + 1}`).not.toBe(429);
      }
      expect((await calls[bucket](h)).status).toBe(429);
      stats = h.sim.stats();
      expect(stats.violations.total).toBe(3);
    });
  }

  it('is a sliding window, not a fixed one', async () => {
    h = await harness({ seed: 11, days: 1 });
    const clock = clockOf(h);
    const t0 = clock.now();
    for (let i = 0; i < 3; i++) expect((await calls.riders(h)).status).toBe(200);
    await clock.runUntil(t0 + 30_000);
    for (let i = 0; i < 2; i++) expect((await calls.riders(h)).status).toBe(200);
    await clock.runUntil(t0 + 59_999);
    expect((await calls.riders(h)).status).toBe(429);
    await clock.runUntil(t0 + 60_000);
    for (let i = 0; i < 3; i++) expect((await calls.riders(h)).status).toBe(200);
    const over = await calls.riders(h);
    expect(over.status).toBe(429);
    expect(JSON.parse(over.text).retryAfter).toBe(30);
  });

  it('the premium tier has its own table', async () => {
    h = await harness({ seed: 11, days: 1, tier: 'premium' });
    for (let i = 0; i < 10; i++) expect((await calls.riders(h)).status).toBe(200);
    expect((await calls.riders(h)).status).toBe(429);
    for (let i = 0; i < 10; i++) expect((await calls['riders-bulk'](h)).status).toBe(200);
    expect((await calls['riders-bulk'](h)).status).toBe(429);
    expect((await calls.results(h)).status).toBe(404);
    expect((await calls.results(h)).status).toBe(429);
  });

  it('windows are per API key on the public API, global for site and zwift', async () => {
    h = await harness({ seed: 11, days: 1, apiKeys: ['key-one', 'key-two'], siteBudget: 3 });
    expect(h.info.apiKey).toBe('key-one');
    expect((await calls.results(h, 'key-one')).status).toBe(404);
    expect((await calls.results(h, 'key-one')).status).toBe(429);
    expect((await calls.results(h, 'key-two')).status).toBe(404);
    expect((await calls.results(h, 'key-two')).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await calls.site(h)).status).toBe(200);
    const over = await h.req(`${h.info.siteBaseUrl}/api/events/upcoming`, {
      headers: { authorization: 'key-two' },
    });
    expect(over.status).toBe(429);
    expect(h.sim.stats().violations.byBucket).toEqual({ results: 2, site: 1 });
  });

  it('siteBudget and zwiftBudget accept a full spec', async () => {
    h = await harness({ seed: 11, days: 1, siteBudget: { capacity: 2, intervalMs: 10_000 }, zwiftBudget: 1 });
    const clock = clockOf(h);
    expect((await calls.site(h)).status).toBe(200);
    expect((await calls.site(h)).status).toBe(200);
    const over = await calls.site(h);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('10');
    await clock.advanceBy(10_000);
    expect((await calls.site(h)).status).toBe(200);
    expect((await calls.zwift(h)).status).toBe(200);
    expect((await calls.zwift(h)).status).toBe(429);
    expect(h.sim.options.limits.zwift).toEqual({ capacity: 1, intervalMs: MIN });
  });
});

describe('auth', () => {
  it('401 without Authorization, with an unknown key or a Bearer prefix; no limit consumed', async () => {
    h = await harness({ seed: 11, days: 1 });
    const url = `${h.info.baseUrl}/public/riders/${h.info.teamRiderIds[0]}`;
    for (const init of [
      { auth: false },
      { auth: false, headers: { authorization: 'nope' } },
      { auth: false, headers: { authorization: `Bearer ${h.info.apiKey}` } },
    ]) {
      const r = await h.req(url, init);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.text).message).toMatch(/API key/);
    }
    for (let i = 0; i < 5; i++) expect((await h.req(url)).status).toBe(200);
    expect(h.sim.stats().violations.total).toBe(0);
    // The site and Zwift APIs need no key.
    expect((await calls.site(h)).status).toBe(200);
    expect((await calls.zwift(h)).status).toBe(200);
  });
});

describe("Zwift's authenticated API: buckets per account", () => {
  type ZCall = (h: Harness, token: string) => Promise<{ status: number; headers: Headers; text: string }>;
  const zcalls: Record<ZwiftAccountBucket, ZCall> = {
    'zwift-auth': (h) =>
      tokenRequest(h, {
        grant_type: 'password',
        username: h.sim.zwiftAccount.username,
        password: h.sim.zwiftAccount.password,
      }),
    'zwift-search': (h, token) => search(h, token, h.sim.clock.now(), h.sim.clock.now() + 60 * MIN),
    'zwift-entrants': (h, token) => {
      const ev = h.sim.truth.events()[0] as { eventId: string; pens: string[] };
      return entrantsPage(h, token, h.sim.truth.subgroupIds(ev.eventId)[ev.pens[0] as string] as number);
    },
  };

  for (const bucket of Object.keys(zcalls) as ZwiftAccountBucket[]) {
    const spec = ZWIFT_ACCOUNT_BUCKETS[bucket];
    it(`${bucket}: ${spec.capacity} per ${spec.intervalMs / 1000} s, 429 + Retry-After, counted`, async () => {
      h = await harness({ seed: 11, days: 1 });
      const clock = clockOf(h);
      const token = bucket === 'zwift-auth' ? '' : (await login(h)).access_token;
      const t0 = clock.now();
      for (let i = 0; i < spec.capacity; i++) expect((await zcalls[bucket](h, token)).status).toBe(200);
      const over = await zcalls[bucket](h, token);
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe(String(spec.intervalMs / 1000));
      expect(JSON.parse(over.text)).toEqual({
        message: expect.any(String),
        retryAfter: spec.intervalMs / 1000,
      });
      expect(h.sim.stats().violations.byBucket).toEqual({ [bucket]: 1 });
      await clock.runUntil(t0 + spec.intervalMs);
      const fresh = bucket === 'zwift-auth' ? '' : token;
      expect((await zcalls[bucket](h, fresh)).status).toBe(200);
    });
  }

  it('401s (no or a bad token) consume nothing; failed logins do; limits overrides apply', async () => {
    h = await harness({ seed: 11, days: 1, limits: { 'zwift-search': { capacity: 1, intervalMs: 10_000 } } });
    expect(h.sim.options.zwiftLimits['zwift-search']).toEqual({ capacity: 1, intervalMs: 10_000 });
    const token = (await login(h)).access_token;
    for (let i = 0; i < 5; i++) expect((await zcalls['zwift-search'](h, 'bad-token')).status).toBe(401);
    expect((await zcalls['zwift-search'](h, token)).status).toBe(200);
    const over = await zcalls['zwift-search'](h, token);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('10');
    // Two wrong passwords and one login already spent the auth bucket (3 / 60 min).
    const wrong = (): Promise<{ status: number }> =>
      tokenRequest(h as Harness, {
        grant_type: 'password',
        username: h?.sim.zwiftAccount.username ?? '',
        password: 'x',
      });
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(429);
    expect(h.sim.stats().violations.byBucket).toEqual({ 'zwift-search': 1, 'zwift-auth': 1 });
    expect(() => createSimulation({ limits: { bogus: { capacity: 1, intervalMs: 1 } } as never })).toThrow(
      /limits\.bogus/,
    );
  });
});
