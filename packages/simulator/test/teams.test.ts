import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulation, type Simulation, teamSizes } from '../src/index.ts';
import { DAY, type Harness, HOUR, harness, MIN } from './helpers.ts';
import { clockOf, search, tokenRequest } from './zwift-helpers.ts';

const T0 = Date.UTC(2026, 0, 1);

/** The team parts of a truth that must not depend on how many teams there are. */
function team0Signature(sim: Simulation): string {
  const t = sim.truthAt(T0);
  return JSON.stringify({
    apiKey: sim.apiKey,
    clubId: t.clubId,
    clubName: t.clubName,
    teamRiderIds: t.teamRiderIds,
    zwiftAccount: sim.zwiftAccount,
    teamSignupChanges: t.teamSignupChanges,
    teamRaces: t.teamRaces.map((r) => [r.eventId, r.riders]),
    // Payloads before the first race of the run (rider changes come from results, which other
    // teams' riders share).
    riders: sim.truthAt(T0 - 2 * DAY).riders(),
    followed: t.followedRiderIds,
  });
}

describe('a world with many teams', () => {
  it('teams: 1 and teams: [{ size }] are exactly the one-team world', () => {
    const base = createSimulation({ seed: 31, days: 1 });
    const one = createSimulation({ seed: 31, days: 1, teams: 1 });
    const list = createSimulation({ seed: 31, days: 1, teams: [{ size: 80 }] });
    const sig = (s: Simulation) =>
      JSON.stringify([
        team0Signature(s),
        s.truthAt(T0 + 12 * HOUR).riderChanges,
        s.truthAt(T0 + 12 * HOUR).events(),
      ]);
    expect(sig(one)).toBe(sig(base));
    expect(sig(list)).toBe(sig(base));
    expect(base.teams).toHaveLength(1);
    expect(base.teams[0]).toMatchObject({ teamId: 0, clubId: base.clubId, apiKey: base.apiKey });
  }, 30_000);

  it("team 0 of a 12-team world has the one-team world's riders, club, key, account and signups", () => {
    const base = createSimulation({ seed: 31, days: 1 });
    const many = createSimulation({ seed: 31, days: 1, teams: 12 });
    expect(team0Signature(many)).toBe(team0Signature(base));
    // The race calendar is shared: the same races, now with more riders in them.
    const ids = (s: Simulation) =>
      s
        .truthAt(T0)
        .events()
        .map((e) => e.eventId);
    expect(ids(many)).toEqual(ids(base));
  }, 30_000);

  describe('12 teams of 10–80 riders', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness({
        seed: 9,
        teams: teamSizes(12),
        limits: { clubs: { capacity: 100, intervalMs: HOUR } },
      });
      await clockOf(h).advanceBy(20 * HOUR);
    }, 30_000);
    afterAll(() => h.close());

    it('listen() and sim.teams: a club, a key, riders and a Zwift account per team, all distinct', () => {
      const teams = h.info.teams;
      expect(teams).toHaveLength(12);
      expect(teams.map((t) => t.teamId)).toEqual([...Array(12).keys()]);
      expect(teams.map((t) => t.riderIds.length)).toEqual(teamSizes(12).map((t) => t.size));
      expect(h.sim.options.teams.map((t) => t.size)).toEqual(teamSizes(12).map((t) => t.size));
      expect(new Set(teams.map((t) => t.clubId)).size).toBe(12);
      expect(new Set(teams.map((t) => t.apiKey)).size).toBe(12);
      expect(new Set(teams.map((t) => t.zwiftAccount.username)).size).toBe(12);
      expect(new Set(teams.map((t) => t.clubName)).size).toBe(12);
      const all = teams.flatMap((t) => t.riderIds);
      expect(new Set(all).size).toBe(all.length);
      // Today's single-team fields are team 0's.
      expect(h.info.apiKey).toBe(teams[0]?.apiKey);
      expect(h.info.clubId).toBe(teams[0]?.clubId);
      expect(h.info.teamRiderIds).toEqual(teams[0]?.riderIds);
      expect(h.sim.teams).toEqual(teams);
    });

    it("each club endpoint serves its team's riders, with each team's key", async () => {
      for (const team of h.info.teams.slice(0, 4)) {
        const r = await h.req(`${h.info.baseUrl}/public/clubs/${team.clubId}`, {
          auth: false,
          headers: { authorization: team.apiKey },
        });
        expect(r.status).toBe(200);
        const club = JSON.parse(r.text) as {
          clubId: number;
          name: string;
          riders: { riderId: number; club: { id: number } }[];
        };
        expect(club.clubId).toBe(team.clubId);
        expect(club.name).toBe(team.clubName);
        expect(club.riders.map((x) => x.riderId)).toEqual(team.riderIds);
        expect(club.riders.every((x) => x.club.id === team.clubId)).toBe(true);
      }
    });

    it('every key has its own public-API windows', async () => {
      const url = `${h.info.baseUrl}/public/results/1`;
      for (const team of h.info.teams) {
        const init = { auth: false, headers: { authorization: team.apiKey } };
        expect((await h.req(url, init)).status).toBe(404);
        expect((await h.req(url, init)).status).toBe(429);
      }
    });

    it('the truth per team: its riders, signup changes, races and rider changes only', () => {
      const truth = h.sim.truth;
      expect(truth.teams()).toHaveLength(12);
      for (const team of h.info.teams) {
        const t = truth.team(team.teamId);
        const mine = new Set(team.riderIds);
        expect(t.teamId).toBe(team.teamId);
        expect(t.clubId).toBe(team.clubId);
        expect(t.teamRiderIds).toEqual(team.riderIds);
        expect(t.riders().map((r) => r['riderId'])).toEqual(team.riderIds);
        expect(t.teamSignupChanges.length).toBeGreaterThan(0);
        expect(t.teamSignupChanges.every((c) => mine.has(c.riderId))).toBe(true);
        expect(t.teamRaces.every((r) => r.riders.every((x) => mine.has(x.riderId)))).toBe(true);
        expect(t.riderChanges.every((c) => mine.has(c.riderId))).toBe(true);
        expect(t.teamSignups().every((s) => mine.has(s.riderId))).toBe(true);
        for (const id of team.riderIds.slice(0, 3)) expect(truth.teamOf(id)).toBe(team.teamId);
      }
      expect(truth.team(0).teamSignupChanges).toEqual(truth.teamSignupChanges);
      expect(() => truth.team(12)).toThrow(RangeError);
      expect(truth.teamOf(1)).toBeNull();
    });

    it('teams share the race calendar: races with riders of several teams, each in its club', async () => {
      const truth = h.sim.truth;
      const now = h.sim.clock.now();
      const events = truth.eventsBetween(now, now + 6 * HOUR);
      let several = 0;
      for (const e of events) {
        const teams = new Set(
          truth
            .signups(e.eventId)
            .filter((s) => s.team)
            .map((s) => truth.teamOf(s.riderId)),
        );
        if (teams.size >= 2) several++;
      }
      expect(several).toBeGreaterThan(events.length / 4);
      // A signup list shows each team rider with their own club.
      const busy = events.find((e) => truth.signups(e.eventId).filter((s) => s.team).length >= 3) as {
        eventId: string;
      };
      const pens = JSON.parse(
        (await h.req(`${h.info.siteBaseUrl}/api/events/${busy.eventId}/signups`, { auth: false })).text,
      ) as {
        riders: { riderId: number; club: { clubId: number } | null }[];
      }[];
      const clubOf = new Map(h.info.teams.map((t) => [t.teamId, t.clubId]));
      for (const r of pens.flatMap((p) => p.riders)) {
        const team = truth.teamOf(r.riderId);
        if (team !== null) expect(r.club?.clubId).toBe(clubOf.get(team));
      }
    });

    it("each team's Zwift account follows its own team; followee counts and windows are per account", async () => {
      const truth = h.sim.truth;
      const now = h.sim.clock.now();
      for (const team of h.info.teams.slice(1, 4)) {
        const t = truth.team(team.teamId);
        const mine = new Set(team.riderIds);
        const followedTeam = t.followedRiderIds.filter((id) => mine.has(id));
        expect(followedTeam.length + t.unfollowedTeamRiderIds.length).toBe(team.riderIds.length);
        const login = await tokenRequest(h, {
          grant_type: 'password',
          username: team.zwiftAccount.username,
          password: team.zwiftAccount.password,
        });
        const token = (JSON.parse(login.text) as { access_token: string }).access_token;
        const r = await search(h, token, now, now + 6 * HOUR);
        expect(r.status).toBe(200);
        const events = JSON.parse(r.text) as {
          id: number;
          eventType: string;
          eventSubgroups: { subgroupLabel: string; followeeEntrantCount: number }[];
        }[];
        for (const e of events.filter((x) => x.eventType === 'RACE')) {
          const got = Object.fromEntries(
            e.eventSubgroups.map((g) => [g.subgroupLabel, g.followeeEntrantCount]),
          );
          expect(got).toEqual(t.followeeSignupCounts(String(e.id)));
        }
        // The search bucket (2 / 60 s) is per account: each account's first searches pass.
        expect((await search(h, token, now, now + HOUR)).status).toBe(200);
        expect((await search(h, token, now, now + HOUR)).status).toBe(429);
      }
      // Auth faults target one team's account.
      h.sim.lockZwiftAccount(undefined, { teamId: 2 });
      const two = h.info.teams[2]?.zwiftAccount as { username: string; password: string };
      expect((await tokenRequest(h, { grant_type: 'password', ...two })).status).toBe(403);
      const one = h.info.teams[1]?.zwiftAccount as { username: string; password: string };
      await clockOf(h).advanceBy(MIN);
      expect((await tokenRequest(h, { grant_type: 'password', ...one })).status).toBe(200);
      h.sim.unlockZwiftAccount({ teamId: 2 });
    });
  });

  it('deterministic: the same seed and teams give the same teams, a new seed other ones', () => {
    const sig = (seed: number) => {
      const sim = createSimulation({ seed, days: 1, eventsPerDay: 30, teams: teamSizes(6) });
      const t = sim.truthAt(T0 + 20 * HOUR).team(4);
      return JSON.stringify([sim.teams, t.teamSignupChanges, t.riderChanges, t.riders(), t.followedRiderIds]);
    };
    expect(sig(3)).toBe(sig(3));
    expect(sig(4)).not.toBe(sig(3));
  }, 60_000);

  it('teamSizes: seeded sizes in [min, max]; options are checked', () => {
    const a = teamSizes(200);
    expect(a).toHaveLength(200);
    expect(a.every((t) => t.size >= 10 && t.size <= 80)).toBe(true);
    expect(teamSizes(200)).toEqual(a);
    expect(teamSizes(200, { seed: 2 })).not.toEqual(a);
    expect(teamSizes(5, { min: 3, max: 3 })).toEqual(Array(5).fill({ size: 3 }));
    expect(() => teamSizes(0)).toThrow(RangeError);
    expect(() => teamSizes(3, { min: 5, max: 4 })).toThrow(RangeError);
    expect(() => createSimulation({ teams: 0 })).toThrow(/teams/);
    expect(() => createSimulation({ teams: [] })).toThrow(/teams/);
    expect(() => createSimulation({ teams: [{ size: 0 }] })).toThrow(/teams\[0\]\.size/);
    expect(() => createSimulation({ teamSize: 30, teams: [{ size: 20 }] })).toThrow(/teamSize/);
    expect(() =>
      createSimulation({
        teams: [
          { size: 5, clubId: 7 },
          { size: 5, clubId: 7 },
        ],
      }),
    ).toThrow(/clubId/);
    expect(() =>
      createSimulation({
        teams: [
          { size: 5, apiKey: 'k' },
          { size: 5, apiKey: 'k' },
        ],
      }),
    ).toThrow(/apiKey/);
  });

  it('clubId and apiKey per team; teams: n takes teamSize', () => {
    const sim = createSimulation({
      seed: 4,
      days: 1,
      eventsPerDay: 20,
      apiKeys: ['first', 'spare'],
      teams: [{ size: 6 }, { size: 7, clubId: 123_456, apiKey: 'second' }],
    });
    expect(sim.teams.map((t) => [t.riderIds.length, t.apiKey])).toEqual([
      [6, 'first'],
      [7, 'second'],
    ]);
    expect(sim.teams[1]?.clubId).toBe(123_456);
    expect(sim.options.apiKeys).toEqual(['first', 'spare', 'second']);
    const three = createSimulation({ seed: 4, days: 1, eventsPerDay: 20, teams: 3, teamSize: 9 });
    expect(three.teams.map((t) => t.riderIds.length)).toEqual([9, 9, 9]);
  }, 30_000);

  it('200 teams of 10–80 riders: ~9,000 team riders, ~4,500 team signups a day, most races shared', () => {
    const sim = createSimulation({ seed: 42, days: 2, teams: teamSizes(200) });
    const riders = sim.teams.reduce((a, t) => a + t.riderIds.length, 0);
    expect(riders).toBeGreaterThan(8000);
    expect(riders).toBeLessThan(10_000);
    const truth = sim.truthAt(T0 + DAY);
    let signups = 0;
    for (const t of truth.teams())
      signups += t.teamSignupChangesBetween(T0, T0 + DAY).filter((c) => c.kind === 'signup').length;
    expect(signups).toBeGreaterThan(4000);
    expect(signups).toBeLessThan(5500);
    const events = truth.eventsBetween(T0, T0 + DAY);
    const shared = events.filter((e) => {
      const teams = new Set<number | null>();
      for (const s of sim.truthAt(e.startsAt).signups(e.eventId))
        if (s.team) teams.add(truth.teamOf(s.riderId));
      return teams.size >= 2;
    });
    expect(shared.length).toBeGreaterThan(events.length * 0.9);
  }, 120_000);
});

describe('teamRaceTimes: a team that races at set times (opt-in)', () => {
  it('team riders sign up only to races starting in the given UTC hours and weekdays', () => {
    const evening = createSimulation({
      seed: 31,
      days: 7,
      teamRaceTimes: { hoursUtc: [17, 18, 19, 20, 21] },
    });
    const truth = evening.truthAt(T0 + 9 * DAY);
    const signups = truth.teamSignupChanges.filter((c) => c.kind === 'signup');
    expect(signups.length).toBeGreaterThan(100);
    for (const c of signups) expect(new Date(c.eventStart).getUTCHours()).toBeGreaterThanOrEqual(17);
    for (const c of signups) expect(new Date(c.eventStart).getUTCHours()).toBeLessThanOrEqual(21);
    // The field still races at every hour.
    const hours = new Set(truth.allEvents().map((e) => new Date(e.startsAt).getUTCHours()));
    expect(hours.size).toBe(24);

    const weekend = createSimulation({ seed: 31, days: 7, teamRaceTimes: { weekdaysUtc: [0, 6] } });
    const days = new Set(
      weekend.truthAt(T0 + 9 * DAY).teamSignupChanges.map((c) => new Date(c.eventStart).getUTCDay()),
    );
    expect([...days].sort()).toEqual([0, 6]);
  });

  it('without it the world is unchanged, and a bad value is named', () => {
    const base = createSimulation({ seed: 31, days: 1 });
    const any = createSimulation({ seed: 31, days: 1, teamRaceTimes: {} });
    expect(team0Signature(any)).toBe(team0Signature(base));
    expect(() => createSimulation({ teamRaceTimes: { hoursUtc: [24] } })).toThrow(
      /teamRaceTimes\.hoursUtc: 24/,
    );
    expect(() => createSimulation({ teamRaceTimes: { weekdaysUtc: [] } })).toThrow(
      /teamRaceTimes\.weekdaysUtc/,
    );
  });
});

describe('teamSignupLead: how long before the start a team signs up (opt-in)', () => {
  /** Lead (ms before the start) of every team signup of `sim`'s team 0. */
  const leads = (sim: Simulation): number[] =>
    sim
      .truthAt(T0)
      .teamSignupChanges.filter((c) => c.kind === 'signup')
      .map((c) => c.eventStart - c.at);
  const shareOf = (values: number[], test: (v: number) => boolean) =>
    values.filter(test).length / values.length;

  it('without it the world is unchanged: half the signups within 6 h of the start', () => {
    const base = createSimulation({ seed: 31, days: 1 });
    const empty = createSimulation({ seed: 31, days: 1, teamSignupLead: {} });
    const explicit = createSimulation({
      seed: 31,
      days: 1,
      teamSignupLead: { lateShare: 0.5, lateWindowMs: 6 * HOUR },
    });
    expect(team0Signature(empty)).toBe(team0Signature(base));
    expect(team0Signature(explicit)).toBe(team0Signature(base));
    const week = leads(createSimulation({ seed: 31, days: 7 }));
    expect(week.length).toBeGreaterThan(300);
    expect(shareOf(week, (l) => l <= 6 * HOUR)).toBeGreaterThan(0.42);
    expect(shareOf(week, (l) => l <= 6 * HOUR)).toBeLessThan(0.58);
  });

  it('a late window of 1 h: half the signups within 1 h of the start, the others 1–48 h before', () => {
    const sim = createSimulation({
      seed: 31,
      days: 7,
      teamSignupLead: { lateShare: 0.5, lateWindowMs: HOUR },
    });
    const week = leads(sim);
    expect(week.length).toBeGreaterThan(300);
    for (const l of week) expect(l).toBeGreaterThanOrEqual(5 * MIN - 1000);
    for (const l of week) expect(l).toBeLessThanOrEqual(48 * HOUR);
    expect(shareOf(week, (l) => l <= HOUR)).toBeGreaterThan(0.42);
    expect(shareOf(week, (l) => l <= HOUR)).toBeLessThan(0.58);
    // The others are uniform over 1–48 h: ~5 % of all within 1–6 h (the default puts ~50 % there).
    expect(shareOf(week, (l) => l > HOUR && l <= 6 * HOUR)).toBeLessThan(0.1);

    const allLate = leads(
      createSimulation({ seed: 31, days: 1, teamSignupLead: { lateShare: 1, lateWindowMs: 2 * HOUR } }),
    );
    expect(allLate.length).toBeGreaterThan(10);
    for (const l of allLate) expect(l).toBeLessThanOrEqual(2 * HOUR);
  });

  it('a bad value is named', () => {
    const bad = (teamSignupLead: object) => () => createSimulation({ teamSignupLead });
    expect(bad({ lateShare: 1.5 })).toThrow(RangeError);
    expect(bad({ lateShare: 1.5 })).toThrow(/teamSignupLead\.lateShare: 1\.5/);
    expect(bad({ lateShare: -0.1 })).toThrow(/teamSignupLead\.lateShare/);
    expect(bad({ lateShare: Number.NaN })).toThrow(/teamSignupLead\.lateShare/);
    expect(bad({ lateWindowMs: 5 * MIN })).toThrow(RangeError);
    expect(bad({ lateWindowMs: 5 * MIN })).toThrow(/teamSignupLead\.lateWindowMs: 300000/);
    expect(bad({ lateWindowMs: 48 * HOUR })).toThrow(/teamSignupLead\.lateWindowMs/);
    expect(bad({ lateWindowMs: HOUR + 0.5 })).toThrow(/teamSignupLead\.lateWindowMs/);
  });
});
