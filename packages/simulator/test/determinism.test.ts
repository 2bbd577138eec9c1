import { describe, expect, it } from 'vitest';
import { createSimulation, type SimulationOptions, type VirtualClock } from '../src/index.ts';
import { HOUR, MIN } from './helpers.ts';

/**
 * A scripted session over every endpoint, with faults on, moving virtual time: returns every
 * response (status, headers, body bytes) plus the truth at a few instants.
 */
async function session(options: SimulationOptions): Promise<{ responses: string[]; truth: string[] }> {
  const sim = createSimulation({ days: 2, ...options });
  const info = await sim.listen();
  const clock = sim.clock as VirtualClock;
  const responses: string[] = [];
  const auth = { authorization: info.apiKey };
  const get = async (url: string, init: RequestInit = {}) => {
    try {
      const res = await sim.fetch(url, init);
      const body = Buffer.from(await res.arrayBuffer()).toString('base64');
      const headers: [string, string][] = [];
      res.headers.forEach((value, key) => {
        if (key !== 'keep-alive' && key !== 'connection') headers.push([key, value]);
      });
      responses.push(JSON.stringify([url.replace(/:\d+\//, ':PORT/'), res.status, headers, body]));
    } catch (error) {
      responses.push(JSON.stringify([url.replace(/:\d+\//, ':PORT/'), 'error', (error as Error).message]));
    }
  };
  const truth: string[] = [];
  for (let step = 0; step < 8; step++) {
    const events = sim.truth.events();
    await get(`${info.siteBaseUrl}/api/events/upcoming`);
    for (const e of events.slice(0, 3)) await get(`${info.siteBaseUrl}/api/events/${e.eventId}/signups`);
    await get(`${info.zwiftBaseUrl}/api/public/events/upcoming`);
    await get(`${info.baseUrl}/public/riders/${info.teamRiderIds[step]}`, { headers: auth });
    await get(
      `${info.baseUrl}/public/riders/${info.teamRiderIds[step]}/${Math.floor(clock.now() / 1000) - 3600}`,
      {
        headers: auth,
      },
    );
    await get(`${info.baseUrl}/public/riders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(info.teamRiderIds),
    });
    await get(`${info.baseUrl}/public/clubs/${info.clubId}`, { headers: auth });
    const done = sim.truth.teamRaces.filter((r) => r.resultsAt < clock.now()).at(-1);
    if (done) {
      await get(`${info.baseUrl}/public/results/${done.eventId}`, { headers: auth });
      await get(`${info.baseUrl}/public/zp/${done.eventId}/results`, { headers: auth });
    }
    await get(`${info.siteBaseUrl}/api/routes`);
    // Zwift's authenticated API: a login, a search, a pen's entrants (both types).
    const tokenRes = await sim.fetch(
      `${info.zwiftAuthBaseUrl}/auth/realms/zwift/protocol/openid-connect/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'Zwift_Mobile_Link',
          grant_type: 'password',
          username: info.zwiftAccount.username,
          password: info.zwiftAccount.password,
        }),
      },
    );
    const tokenText = await tokenRes.text();
    responses.push(JSON.stringify(['token', tokenRes.status, tokenText]));
    const bearer =
      tokenRes.status === 200 ? (JSON.parse(tokenText) as { access_token: string }).access_token : 'x';
    const now = clock.now();
    await get(`${info.zwiftBaseUrl}/api/events/search?limit=50`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        dateRangeStartISOString: new Date(now).toISOString(),
        dateRangeEndISOString: new Date(now + 4 * HOUR).toISOString(),
      }),
    });
    const first = events[0];
    if (first) {
      const sg = sim.truth.subgroupIds(first.eventId)[first.pens[0] as string];
      for (const type of ['following', 'all'])
        await get(
          `${info.zwiftBaseUrl}/api/events/subgroups/entrants/${sg}?participation=signed_up&type=${type}&start=10&limit=10`,
          {
            headers: { authorization: `Bearer ${bearer}` },
          },
        );
    }
    const t = sim.truth;
    truth.push(
      JSON.stringify({
        at: t.at,
        riders: t.riders(),
        riderChanges: t.riderChanges,
        events: t.events(),
        signups: t.signups(events[0]?.eventId ?? ''),
        teamSignups: t.teamSignups(),
        results: done ? t.results(done.eventId) : null,
        followeeCounts: events.slice(0, 20).map((e) => t.followeeSignupCounts(e.eventId)),
      }),
    );
    await clock.advanceBy(3 * HOUR + 7 * MIN);
  }
  truth.push(
    JSON.stringify([
      sim.truth.teamSignupChanges,
      sim.truth.teamRaces,
      sim.truth.followedRiderIds,
      sim.truth.unfollowedTeamRiderIds,
      sim.stats(),
    ]),
  );
  await sim.close();
  return { responses, truth };
}

describe('determinism', () => {
  const options: SimulationOptions = {
    seed: 1234,
    faults: { rate: 0.25, kinds: { burst429: 1, serverError: 1, truncated: 1, drift: 1 } },
  };

  it('same seed and options → byte-identical responses and identical truth', async () => {
    const a = await session(options);
    const b = await session(options);
    expect(a.responses.length).toBeGreaterThan(80);
    expect(b.responses).toEqual(a.responses);
    expect(b.truth).toEqual(a.truth);
    // Faults were really injected in the scripted session.
    expect(a.responses.some((r) => r.includes(',429,'))).toBe(true);
    // The Zwift account's calls were answered too.
    expect(a.responses.some((r) => r.includes('/api/events/search') && r.includes(',200,'))).toBe(true);
    expect(a.responses.some((r) => r.includes('type=following') && r.includes(',200,'))).toBe(true);
  }, 60_000);

  it('a different seed gives a different world', async () => {
    const a = createSimulation({ seed: 1, days: 1 });
    const b = createSimulation({ seed: 2, days: 1 });
    expect(a.teamRiderIds).not.toEqual(b.teamRiderIds);
    expect(a.truth.events().map((e) => e.eventId)).not.toEqual(b.truth.events().map((e) => e.eventId));
    expect(JSON.stringify(a.truth.riders())).not.toEqual(JSON.stringify(b.truth.riders()));
    expect(a.apiKey).not.toEqual(b.apiKey);
  });

  it('the world does not depend on the wall clock', async () => {
    const a = createSimulation({ seed: 9, days: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const b = createSimulation({ seed: 9, days: 1 });
    expect(a.clock.now()).toBe(Date.UTC(2026, 0, 1));
    expect(JSON.stringify(b.truth.events())).toEqual(JSON.stringify(a.truth.events()));
  });

  it('named sub-streams: the team size does not reshuffle the events or the field', () => {
    const a = createSimulation({ seed: 5, days: 1, teamSize: 20 });
    const b = createSimulation({ seed: 5, days: 1, teamSize: 60 });
    const ids = (s: typeof a) => s.truth.events().map((e) => [e.eventId, e.startsAt, e.raw['title']]);
    expect(ids(b)).toEqual(ids(a));
    // The first 20 team riders are the same riders.
    const firstA = new Set(a.teamRiderIds);
    const shared = b.teamRiderIds.filter((id) => firstA.has(id));
    expect(shared).toHaveLength(20);
  });
});
