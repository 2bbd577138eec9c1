import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { VirtualClock } from '../src/index.ts';
import { DAY, type Harness, HOUR, harness, MIN } from './helpers.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const unlimited = {
  riders: { capacity: 1e6, intervalMs: 60_000 },
  'riders-bulk': { capacity: 1e6, intervalMs: 60_000 },
  clubs: { capacity: 1e6, intervalMs: 60_000 },
  results: { capacity: 1e6, intervalMs: 60_000 },
  'results-zp': { capacity: 1e6, intervalMs: 60_000 },
  site: { capacity: 1e6, intervalMs: 60_000 },
  zwift: { capacity: 1e6, intervalMs: 60_000 },
};

const clockOf = (x: Harness) => x.sim.clock as VirtualClock;

describe('routing and bad requests', () => {
  it('404 JSON for unknown paths and ids, 405 for a wrong method, 400 for bad ids and bodies', async () => {
    h = await harness({ seed: 31, days: 1, limits: unlimited });
    const { baseUrl, siteBaseUrl } = h.info;
    for (const url of [
      `${baseUrl}/public/nothing`,
      `${baseUrl}/../x`,
      `${siteBaseUrl}/api/other`,
      `${baseUrl}`,
    ]) {
      const r = await h.req(url);
      expect(r.status, url).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(JSON.parse(r.text).message).toBeTypeOf('string');
    }
    expect((await h.req(`${baseUrl}/public/riders/1`)).status).toBe(404);
    expect((await h.req(`${baseUrl}/public/clubs/1`)).status).toBe(404);
    expect((await h.req(`${siteBaseUrl}/api/events/1/signups`, { auth: false })).status).toBe(404);
    expect((await h.req(`${baseUrl}/public/results/123`)).status).toBe(404);
    const wrongMethod = await h.req(`${baseUrl}/public/clubs/${h.info.clubId}`, {
      method: 'POST',
      body: '[]',
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect((await h.req(`${baseUrl}/public/riders/abc`)).status).toBe(400);
    expect((await h.req(`${baseUrl}/public/riders/1/yesterday`)).status).toBe(400);
    const post = (body: string) =>
      h?.req(`${baseUrl}/public/riders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect((await post('{not json'))?.status).toBe(400);
    expect((await post('{"ids":[1]}'))?.status).toBe(400);
    expect((await post('[1.5]'))?.status).toBe(400);
    expect((await post(JSON.stringify(Array.from({ length: 1001 }, (_, i) => i))))?.status).toBe(400);
    expect((await post(JSON.stringify(Array.from({ length: 1000 }, (_, i) => i))))?.status).toBe(200);
    expect(h.sim.stats().requests.byEndpoint['not-found']).toBeGreaterThan(3);
  });

  it('responses carry the virtual time in Date', async () => {
    h = await harness({ seed: 31, days: 1 });
    const r = await h.req(`${h.info.siteBaseUrl}/api/routes`, { auth: false });
    expect(r.headers.get('date')).toBe('Thu, 01 Jan 2026 00:00:00 GMT');
  });
});

describe('public API semantics', () => {
  it('bulk riders: keyed by riderId, not in request order, unknown ids absent, duplicates once', async () => {
    h = await harness({ seed: 31, days: 1, limits: unlimited });
    const ids = h.info.teamRiderIds.slice(0, 40);
    const body = [...ids, 999, 1001, ids[0]];
    const res = await h.json<{ riderId: number }[]>(`${h.info.baseUrl}/public/riders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.map((r) => r.riderId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(res.map((r) => r.riderId)).not.toEqual(ids);
    // Each record is the same payload as the single-rider endpoint.
    const one = await h.json<{ riderId: number }>(`${h.info.baseUrl}/public/riders/${ids[3]}`);
    expect(res.find((r) => r.riderId === ids[3])).toEqual(one);
  });

  it('club pages are sorted by riderId and the next page includes fromRiderId', async () => {
    h = await harness({ seed: 31, days: 1, limits: unlimited, clubPageSize: 30 });
    const url = `${h.info.baseUrl}/public/clubs/${h.info.clubId}`;
    const seen: number[] = [];
    let page = await h.json<{ riders: { riderId: number }[] }>(url);
    expect(page.riders).toHaveLength(30);
    for (;;) {
      const ids = page.riders.map((r) => r.riderId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      seen.push(...ids);
      if (ids.length < 30) break;
      const last = ids.at(-1) as number;
      page = await h.json(`${url}/${last}`);
      expect(page.riders[0]?.riderId).toBe(last);
    }
    expect([...new Set(seen)]).toEqual(h.info.teamRiderIds);
  });

  it('results: 404 until available, then the object form; the correction shows later', async () => {
    h = await harness({ seed: 31, days: 2, limits: unlimited });
    const clock = clockOf(h);
    const race = h.sim.truth.teamRaces.find((r) => r.startsAt > clock.now() && r.correctedAt !== null);
    if (!race) throw new Error('no corrected team race in the window');
    const url = `${h.info.baseUrl}/public/results/${race.eventId}`;
    await clock.runUntil(race.resultsAt - 1);
    expect((await h.req(url)).status).toBe(404);
    expect((await h.req(`${h.info.baseUrl}/public/zp/${race.eventId}/results`)).status).toBe(404);
    await clock.runUntil(race.resultsAt);
    const first = await h.json<{ eventId: string; results: { riderId: number }[] }>(url);
    expect(first.eventId).toBe(race.eventId);
    expect(first.results).toEqual(h.sim.truth.results(race.eventId)?.rows);
    const zp = await h.json<{ zwid: number }[]>(`${h.info.baseUrl}/public/zp/${race.eventId}/results`);
    expect(zp.map((r) => r.zwid).sort()).toEqual(first.results.map((r) => r.riderId).sort());
    await clock.runUntil(race.correctedAt as number);
    const corrected = await h.json<{ results: unknown[] }>(url);
    expect(corrected.results).not.toEqual(first.results);
    expect(h.sim.truth.results(race.eventId)?.corrected).toBe(true);
    expect(corrected.results).toEqual(h.sim.truth.results(race.eventId)?.rows);
  });

  it('riders/{id}/{epochSec} serves the payload as it was; the future is clamped to now', async () => {
    h = await harness({ seed: 31, days: 3, limits: unlimited });
    const clock = clockOf(h);
    const change = h.sim.truthAt(clock.now() + 3 * DAY).riderChanges.find((c) => c.at > clock.now() + HOUR);
    if (!change) throw new Error('no rider change');
    await clock.runUntil(change.at + HOUR);
    const url = `${h.info.baseUrl}/public/riders/${change.riderId}`;
    const now = await h.json(url);
    const before = await h.json(`${url}/${Math.floor((change.at - 1000) / 1000)}`);
    const after = await h.json(`${url}/${Math.ceil(change.at / 1000)}`);
    expect(after).toEqual(now);
    expect(before).not.toEqual(now);
    expect(before).toEqual(h.sim.truthAt(change.at - 1000).rider(change.riderId));
    expect(await h.json(`${url}/${Math.floor((clock.now() + 30 * DAY) / 1000)}`)).toEqual(now);
  });
});

describe('site and Zwift feeds agree with the truth', () => {
  it('event list, signup lists and counts match the truth at the same instant', async () => {
    h = await harness({ seed: 31, days: 2, limits: unlimited });
    const clock = clockOf(h);
    await clock.runUntil(clock.now() + 13 * HOUR + 35 * MIN);
    const feed = await h.json<{ eventId: string; time: number; signups: string; categories: string }[]>(
      `${h.info.siteBaseUrl}/api/events/upcoming`,
      { auth: false },
    );
    const truth = h.sim.truth;
    expect(feed.map((e) => e.eventId)).toEqual(truth.events().map((e) => e.eventId));
    expect(feed.every((e) => e.time * 1000 > clock.now())).toBe(true);
    const soon = truth.events().slice(0, 10);
    for (const e of soon) {
      const pens = await h.json<
        { name: string; ratedRiders: number; riders: { riderId: number; name: string }[] }[]
      >(`${h.info.siteBaseUrl}/api/events/${e.eventId}/signups`, { auth: false });
      expect(pens.map((p) => p.name)).toEqual(e.pens);
      const listed = pens.flatMap((p) => p.riders.map((r) => `${p.name}:${r.riderId}`)).sort();
      expect(listed).toEqual(
        truth
          .signups(e.eventId)
          .map((s) => `${s.pen}:${s.riderId}`)
          .sort(),
      );
      expect(pens.map((p) => p.riders.length).join(',')).toBe(
        feed.find((f) => f.eventId === e.eventId)?.signups,
      );
      // Names use HTML entities, as the site does.
      for (const p of pens) for (const r of p.riders) expect(r.name).toMatch(/^[\x20-\x7e]*$/);
    }
    const zwift = await h.json<
      { id: number; eventStart: string; eventSubgroups: { totalEntrantCount: number }[]; type: string }[]
    >(`${h.info.zwiftBaseUrl}/api/public/events/upcoming`, { auth: false });
    expect(zwift.length).toBeLessThanOrEqual(200);
    const last = Date.parse((zwift.at(-1) as { eventStart: string }).eventStart.replace('+0000', 'Z'));
    expect(last - clock.now()).toBeGreaterThan(11 * HOUR);
    expect(last - clock.now()).toBeLessThanOrEqual(18 * HOUR);
    expect(zwift.some((e) => e.type === 'EVENT_TYPE_GROUP_RIDE')).toBe(true);
    const race = zwift.find((e) => e.type === 'EVENT_TYPE_RACE') as (typeof zwift)[0];
    const counts = truth.signupCounts(String(race.id));
    expect(race.eventSubgroups.map((s) => s.totalEntrantCount)).toEqual(Object.values(counts));
  });

  it('some signup names carry HTML entities', async () => {
    h = await harness({ seed: 31, days: 1, limits: unlimited });
    let entities = 0;
    for (const e of h.sim.truth.events().slice(0, 30)) {
      const text = (await h.req(`${h.info.siteBaseUrl}/api/events/${e.eventId}/signups`, { auth: false }))
        .text;
      entities += (text.match(/"name":"[^"]*&[a-z#0-9]+;/g) ?? []).length;
    }
    expect(entities).toBeGreaterThan(5);
  });
});

describe('robustness', () => {
  it('survives clients that disconnect mid-response and mid-request', async () => {
    h = await harness({ seed: 31, days: 1, limits: unlimited });
    const { port } = h.info;
    const path = '/site/api/routes';
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
        });
        socket.once('data', () => {
          socket.destroy();
          resolve();
        });
        socket.on('error', () => resolve());
      });
    }
    // Half a request body, then gone.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /zr/api/public/riders HTTP/1.1\r\nHost: x\r\nAuthorization: ${h?.info.apiKey}\r\nContent-Length: 100\r\n\r\n[1,2`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 20);
      });
    });
    // Garbage instead of HTTP.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('HELLO\r\n\r\n'));
      socket.on('data', () => socket.destroy());
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    const r = await h.req(`${h.info.siteBaseUrl}/api/routes`, { auth: false });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).length).toBeGreaterThan(200);
  });

  it('close() closes keep-alive sockets and hung requests', async () => {
    h = await harness({ seed: 31, days: 1, faults: { rate: 1, kinds: { hang: 1 } } });
    const hung = h.sim.fetch(`${h.info.siteBaseUrl}/api/routes`).then(
      () => 'answered',
      () => 'closed',
    );
    await clockOf(h).whenIdle();
    await h.close();
    h = null;
    expect(await hung).toBe('closed');
  });
});
