import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulation, type Truth } from '../src/index.ts';
import { DAY, fixture, type Harness, HOUR, harness, MIN, shapeDiff } from './helpers.ts';
import { allEntrants, clockOf, entrantsPage, login, search } from './zwift-helpers.ts';

type ZEvent = Record<string, unknown> & {
  id: number;
  eventStart: string;
  followeeEntrantCount: number;
  totalEntrantCount: number;
  eventSubgroups: (Record<string, unknown> & {
    id: number;
    subgroupLabel: string;
    followeeEntrantCount: number;
    totalEntrantCount: number;
  })[];
};

/** No window gets in the way: these tests check answers, not limits (limits.test / below). */
const roomy = {
  'zwift-auth': { capacity: 1000, intervalMs: HOUR },
  'zwift-search': { capacity: 1000, intervalMs: MIN },
  'zwift-entrants': { capacity: 1000, intervalMs: MIN },
};

/** Followed riders of a race's pens, computed from the truth's signup lists and follow graph. */
function followeesFromSignups(truth: Truth, eventId: string): Record<string, number> {
  const followed = new Set(truth.followedRiderIds);
  const out: Record<string, number> = {};
  for (const pen of truth.event(eventId)?.pens ?? []) out[pen] = 0;
  for (const s of truth.signups(eventId)) if (followed.has(s.riderId)) out[s.pen] = (out[s.pen] ?? 0) + 1;
  return out;
}

describe('the follow graph', () => {
  it('follows the team but a documented share of its racing riders, and some riders outside it', () => {
    const sim = createSimulation({ seed: 8, days: 1, eventsPerDay: 10 });
    const t = sim.truth;
    const followed = new Set(t.followedRiderIds);
    const team = new Set(t.teamRiderIds);
    const racing = t
      .riders()
      .filter((r) => r['race'] !== null)
      .map((r) => r['riderId'] as number);
    expect(t.unfollowedTeamRiderIds).toHaveLength(Math.max(1, Math.round(0.05 * racing.length)));
    for (const id of t.unfollowedTeamRiderIds) {
      expect(racing).toContain(id);
      expect(followed.has(id)).toBe(false);
    }
    for (const id of t.teamRiderIds) expect(followed.has(id)).toBe(!t.unfollowedTeamRiderIds.includes(id));
    const outside = t.followedRiderIds.filter((id) => !team.has(id));
    expect(outside).toHaveLength(30);
    for (const id of outside) expect(t.rider(id)).not.toBeNull();
    expect([...t.followedRiderIds]).toEqual([...followed].sort((a, b) => a - b));
  }, 30_000);

  it('follow options: unfollowedShare and extraFollowees', () => {
    const none = createSimulation({
      seed: 8,
      days: 1,
      eventsPerDay: 10,
      follow: { unfollowedShare: 0, extraFollowees: 0 },
    }).truth;
    expect(none.unfollowedTeamRiderIds).toEqual([]);
    expect(none.followedRiderIds).toEqual(none.teamRiderIds);
    const half = createSimulation({
      seed: 8,
      days: 1,
      eventsPerDay: 10,
      follow: { unfollowedShare: 0.5 },
    }).truth;
    const racing = half.riders().filter((r) => r['race'] !== null).length;
    expect(half.unfollowedTeamRiderIds).toHaveLength(Math.round(racing / 2));
    // A small team: at least one unfollowed rider only from 10 racing riders on.
    const small = createSimulation({ seed: 8, days: 1, eventsPerDay: 10, teamSize: 6 }).truth;
    expect(small.unfollowedTeamRiderIds).toEqual([]);
    expect(() => createSimulation({ follow: { unfollowedShare: 1.5 } })).toThrow(/unfollowedShare/);
    expect(() => createSimulation({ follow: { extraFollowees: -1 } })).toThrow(/extraFollowees/);
  }, 30_000);
});

describe("Zwift's event search", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await harness({ seed: 7, limits: roomy });
    await clockOf(h).advanceBy(15 * HOUR + 7 * MIN);
    token = (await login(h)).access_token;
  });
  afterAll(() => h.close());

  it('serves the shape of Zwift events, with followee counts', async () => {
    const now = h.sim.clock.now();
    const r = await search(h, token, now, now + 2 * DAY);
    expect(r.status).toBe(200);
    const events = JSON.parse(r.text) as ZEvent[];
    expect(events.length).toBe(200);
    expect(
      shapeDiff(events, fixture('zwift-official-public-events-upcoming'), {
        missingPaths: ['$[].eventSubgroups[].invitedLeaders[]', '$[].eventSubgroups[].invitedSweepers[]'],
        extraTypes: { '$[].eventSeries': ['null'] },
      }),
    ).toEqual([]);
    expect(events.some((e) => e.followeeEntrantCount > 0)).toBe(true);
    expect(events.some((e) => e.eventType === 'GROUP_RIDE')).toBe(true); // group rides, as on Zwift
  });

  it('events in [start, end], sorted, at most limit; the same ids as the site feed and the public feed', async () => {
    const now = h.sim.clock.now();
    const from = now - 30 * MIN;
    const to = now + 3 * HOUR;
    const events = JSON.parse((await search(h, token, from, to)).text) as ZEvent[];
    const starts = events.map((e) => Date.parse(e.eventStart.replace('+0000', 'Z')));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    for (const s of starts) expect(s >= from && s <= to).toBe(true);
    const races = events.filter((e) => e.eventType === 'RACE');
    const truth = h.sim.truth;
    expect(races.map((e) => String(e.id))).toEqual(truth.eventsBetween(from, to + 1).map((e) => e.eventId));
    for (const e of races) {
      expect(truth.subgroupIds(String(e.id))).toEqual(
        Object.fromEntries(e.eventSubgroups.map((g) => [g.subgroupLabel, g.id])),
      );
    }
    // The public feed uses the same event and subgroup ids.
    const pub = (await h.json<ZEvent[]>(`${h.info.zwiftBaseUrl}/api/public/events/upcoming`, { auth: false }))
      .filter((e) => e.eventType === 'RACE')
      .slice(0, 5);
    for (const p of pub) {
      expect(truth.subgroupIds(String(p.id))).toEqual(
        Object.fromEntries(p.eventSubgroups.map((g) => [g.subgroupLabel, g.id])),
      );
    }
    const five = JSON.parse((await search(h, token, from, to, 5)).text) as ZEvent[];
    expect(five.map((e) => e.id)).toEqual(events.slice(0, 5).map((e) => e.id));
    // limit is capped at 200.
    const capped = JSON.parse((await search(h, token, now, now + 3 * DAY, 500)).text) as ZEvent[];
    expect(capped).toHaveLength(200);
  });

  it("group rides: one subgroup, not on the site's list; the account's followees sign up to about a third of them, none on the public feed", async () => {
    const now = h.sim.clock.now();
    const rides = (t: string) => (JSON.parse(t) as ZEvent[]).filter((e) => e.eventType === 'GROUP_RIDE');
    const searched = rides((await search(h, token, now, now + 12 * HOUR)).text);
    expect(searched.length).toBeGreaterThan(10);
    const site = new Set(h.sim.truth.eventsBetween(now, now + 12 * HOUR).map((e) => e.eventId));
    for (const r of searched) {
      expect(r.eventSubgroups).toHaveLength(1);
      expect(site.has(String(r.id))).toBe(false);
      expect(r.followeeEntrantCount).toBe(r.eventSubgroups[0]!.followeeEntrantCount);
      expect(r.followeeEntrantCount).toBeLessThanOrEqual(3);
      expect(r.totalEntrantCount).toBeGreaterThanOrEqual(r.followeeEntrantCount);
    }
    const withFollowees = searched.filter((r) => r.followeeEntrantCount > 0).length;
    expect(withFollowees).toBeGreaterThan(searched.length * 0.1);
    expect(withFollowees).toBeLessThan(searched.length * 0.6);
    const pub = await h.json<ZEvent[]>(`${h.info.zwiftBaseUrl}/api/public/events/upcoming`, { auth: false });
    const publicRides = pub.filter((e) => e.eventType === 'GROUP_RIDE');
    expect(publicRides.length).toBeGreaterThan(0);
    for (const r of publicRides) expect(r.followeeEntrantCount).toBe(0);
  });

  it('validation: 400 for a range starting over 1 h before now, longer than 7 days, inverted, or a bad body', async () => {
    const now = h.sim.clock.now();
    const bad = async (from: number, to: number, limit?: number) => {
      const r = await search(h, token, from, to, limit);
      expect(r.status, r.text).toBe(400);
      return JSON.parse(r.text).message as string;
    };
    expect(await bad(now - HOUR - 1000, now)).toMatch(/1 hour/);
    expect((await search(h, token, now - HOUR, now)).status).toBe(200);
    expect(await bad(now, now + 7 * DAY + 1000)).toMatch(/7 days/);
    expect((await search(h, token, now, now + 7 * DAY)).status).toBe(200);
    expect(await bad(now + HOUR, now)).toMatch(/before/);
    expect(await bad(now, now + HOUR, 0)).toMatch(/limit/);
    for (const body of [
      '[]',
      '{}',
      '{"dateRangeStartISOString":"soon","dateRangeEndISOString":"later"}',
      'nope',
    ]) {
      const r = await h.req(`${h.info.zwiftBaseUrl}/api/events/search`, {
        auth: false,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      expect(r.status, body).toBe(400);
    }
  });
});

describe('followee counts equal the truth at every time', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('per event and per subgroup, at several times of a day', async () => {
    h = await harness({ seed: 12, limits: roomy });
    const clock = clockOf(h);
    let moved = 0;
    let unrelated = 0;
    for (let step = 0; step < 8; step++) {
      await clock.advanceBy(3 * HOUR + 11 * MIN);
      const token = (await login(h)).access_token;
      const now = clock.now();
      const events = JSON.parse((await search(h, token, now - HOUR, now + 8 * HOUR)).text) as ZEvent[];
      const truth = h.sim.truth;
      const teamAt = new Map<string, number>();
      for (const s of truth.teamSignups()) teamAt.set(s.eventId, (teamAt.get(s.eventId) ?? 0) + 1);
      for (const e of events.filter((x) => x.eventType === 'RACE')) {
        const id = String(e.id);
        const expected = truth.followeeSignupCounts(id);
        expect(expected).toEqual(followeesFromSignups(truth, id));
        const got = Object.fromEntries(
          e.eventSubgroups.map((g) => [g.subgroupLabel, g.followeeEntrantCount]),
        );
        expect(got, `event ${id} at ${new Date(now).toISOString()}`).toEqual(expected);
        expect(
          Object.fromEntries(e.eventSubgroups.map((g) => [g.subgroupLabel, g.totalEntrantCount])),
        ).toEqual(truth.signupCounts(id));
        const sum = Object.values(expected).reduce((a, b) => a + b, 0);
        expect(e.followeeEntrantCount).toBe(sum);
        if (sum > 0) moved++;
        if (sum > (teamAt.get(id) ?? 0)) unrelated++;
      }
    }
    expect(moved).toBeGreaterThan(20);
    // Followee counts also move for riders outside the team.
    expect(unrelated).toBeGreaterThan(0);
  }, 60_000);
});

describe("Zwift's subgroup entrants", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await harness({ seed: 5, limits: roomy });
    await clockOf(h).advanceBy(17 * HOUR);
    token = (await login(h)).access_token;
  });
  afterAll(() => h.close());

  /** The busiest pen of a race starting within the hour, and the truth at now. */
  function busiestPen(): { eventId: string; pen: string; subgroupId: number; count: number } {
    const now = h.sim.clock.now();
    const truth = h.sim.truth;
    let best = { eventId: '', pen: '', subgroupId: 0, count: -1 };
    for (const e of truth.eventsBetween(now, now + HOUR)) {
      for (const [pen, count] of Object.entries(e.signupCounts)) {
        if (count > best.count)
          best = { eventId: e.eventId, pen, subgroupId: truth.subgroupIds(e.eventId)[pen] as number, count };
      }
    }
    return best;
  }

  it('type=all pages overlap deterministically; deduped, they are exactly the pen signup list', async () => {
    const pen = busiestPen();
    expect(pen.count).toBeGreaterThan(40);
    const { pages, ids } = await allEntrants(h, token, pen.subgroupId, 'all', 20);
    expect(pages.length).toBeGreaterThan(2);
    const unique = new Set(ids);
    expect(ids.length).toBeGreaterThan(unique.size); // some riders came twice
    // Every page after the first repeats the last few riders of the page before.
    for (let k = 1; k < pages.length; k++) {
      const prev = (pages[k - 1] as Record<string, unknown>[]).map((p) => p['id']);
      const head = (pages[k] as Record<string, unknown>[])[0]?.['id'];
      if (head !== undefined) expect(prev.slice(-3)).toContain(head);
    }
    const truthIds = h.sim.truth
      .signups(pen.eventId)
      .filter((s) => s.pen === pen.pen)
      .map((s) => s.riderId);
    expect([...unique].sort((a, b) => a - b)).toEqual([...truthIds].sort((a, b) => a - b));
    // The same request gets the same bytes.
    const a = await entrantsPage(h, token, pen.subgroupId, { type: 'all', start: 40, limit: 20 });
    const b = await entrantsPage(h, token, pen.subgroupId, { type: 'all', start: 40, limit: 20 });
    expect(b.text).toBe(a.text);
  });

  it('type=following lists the followed riders of the pen, with Zwift profile fields', async () => {
    const now = h.sim.clock.now();
    const truth = h.sim.truth;
    const followed = new Set(truth.followedRiderIds);
    let checked = 0;
    for (const e of truth.eventsBetween(now, now + 3 * HOUR)) {
      const counts = truth.followeeSignupCounts(e.eventId);
      for (const [pen, n] of Object.entries(counts)) {
        if (n === 0) continue;
        const sg = truth.subgroupIds(e.eventId)[pen] as number;
        const { ids, pages } = await allEntrants(h, token, sg, 'following');
        const expected = truth
          .signups(e.eventId)
          .filter((s) => s.pen === pen && followed.has(s.riderId))
          .map((s) => s.riderId);
        expect([...new Set(ids)].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
        for (const p of pages.flat()) {
          expect(p).toMatchObject({
            id: expect.any(Number),
            firstName: expect.any(String),
            lastName: expect.any(String),
            male: expect.any(Boolean),
            countryAlpha3: expect.stringMatching(/^[a-z]{3}$/),
            socialFacts: { followerStatusOfLoggedInPlayer: 'IS_FOLLOWING' },
          });
          const rider = truth.rider(p['id'] as number) as Record<string, unknown>;
          expect(`${p['firstName']} ${p['lastName']}`.trim()).toBe(
            String(rider['name']).trim().replace(/\s+/g, ' '),
          );
        }
        checked++;
      }
      if (checked >= 6) break;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('404 for an unknown subgroup; 400 for a bad id, type or participation; limit capped at 100', async () => {
    const pen = busiestPen();
    expect((await entrantsPage(h, token, 1)).status).toBe(404);
    expect((await entrantsPage(h, token, 'abc')).status).toBe(400);
    expect((await entrantsPage(h, token, pen.subgroupId, { type: 'leader' })).status).toBe(400);
    expect((await entrantsPage(h, token, pen.subgroupId, { participation: 'registered' })).status).toBe(400);
    expect((await entrantsPage(h, token, pen.subgroupId, { limit: 0 })).status).toBe(400);
    const big = await entrantsPage(h, token, pen.subgroupId, { type: 'all', limit: 1000 });
    expect(big.status).toBe(200);
    expect(JSON.parse(big.text).length).toBe(Math.min(100, pen.count));
    const post = await h.req(`${h.info.zwiftBaseUrl}/api/events/subgroups/entrants/${pen.subgroupId}`, {
      auth: false,
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(post.status).toBe(405);
  });
});
