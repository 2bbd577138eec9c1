import { beforeAll, describe, expect, it } from 'vitest';
import { routes as zwiftRoutes } from 'zwift-data';
import { createSimulation, type Simulation, type Truth, type TruthEvent, WORLD_MODEL } from '../src/index.ts';
import { DAY, HOUR, MIN } from './helpers.ts';

/**
 * The world's distributions are fixed defaults; these tests pin them within tolerances on a
 * default-sized world (80 riders, one simulated week).
 */
describe('world model distributions', () => {
  let sim: Simulation;
  let start: number;
  let end: number;
  let week: TruthEvent[];
  let truth: Truth;
  const finalSignups = new Map<string, ReturnType<Truth['signups']>>();

  beforeAll(() => {
    sim = createSimulation({ seed: 2024, days: 7 });
    start = sim.clock.now();
    end = start + 7 * DAY;
    truth = sim.truthAt(end + 8 * DAY);
    week = truth.allEvents().filter((e) => e.startsAt >= start && e.startsAt < end);
    for (const e of week) finalSignups.set(e.eventId, sim.truthAt(e.startsAt - 1).signups(e.eventId));
  });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

  it('~120 races a day, on 5-minute marks, covering 2 days before start to start + days + 7 days', () => {
    const perDay = Array.from(
      { length: 7 },
      (_, d) =>
        week.filter((e) => e.startsAt >= start + d * DAY && e.startsAt < start + (d + 1) * DAY).length,
    );
    for (const n of perDay) {
      expect(n).toBeGreaterThan(105);
      expect(n).toBeLessThan(135);
    }
    expect(week.every((e) => e.startsAt % (5 * MIN) === 0)).toBe(true);
    const all = truth.allEvents();
    expect(all[0]?.startsAt).toBeGreaterThanOrEqual(start - 2 * DAY);
    expect(all[0]?.startsAt).toBeLessThan(start - 2 * DAY + 6 * HOUR);
    expect(all.at(-1)?.startsAt).toBeGreaterThan(end + 7 * DAY - 6 * HOUR);
  });

  it('the feed lists the next 7 days (past races are not listed)', () => {
    const now = sim.truthAt(start + 3 * DAY + 17 * MIN);
    const listed = now.events();
    expect(listed.length).toBeGreaterThan(780);
    expect(listed.every((e) => e.startsAt > now.at && e.startsAt <= now.at + 7 * DAY)).toBe(true);
    expect(listed.every((e) => e.listed)).toBe(true);
  });

  it('raw feed entries: string ids, epoch seconds, metres, route ids as strings (some above 2^31)', () => {
    const raw = week.map((e) => e.raw);
    expect(raw.every((r) => typeof r['eventId'] === 'string' && typeof r['routeId'] === 'string')).toBe(true);
    expect(raw.every((r) => (r['time'] as number) * 1000 === week[raw.indexOf(r)]?.startsAt)).toBe(true);
    const big = raw.filter((r) => Number(r['routeId']) > 2 ** 31).length / raw.length;
    expect(big).toBeGreaterThan(0.15);
    expect(big).toBeLessThan(0.85);
    // Distance in metres: laps × route length (km) × 1000 + lead-in.
    const byId = new Map(zwiftRoutes.filter((r) => r.id !== undefined).map((r) => [String(r.id), r]));
    for (const r of raw.slice(0, 200)) {
      const route = byId.get(r['routeId'] as string);
      expect(route).toBeDefined();
      const metres = ((route?.distance ?? 0) * Number(r['numLaps']) + (route?.leadInDistance ?? 0)) * 1000;
      expect(Math.abs((r['distance'] as number) - metres)).toBeLessThan(2);
      expect(r['distance']).toBeGreaterThan(2000);
    }
  });

  it('pens: mostly A–E, some A–D or single-pen races, rarely other labels', () => {
    const cats = week.map((e) => e.raw['categories'] as string);
    const share = (c: string) => cats.filter((x) => x === c).length / cats.length;
    expect(share('A,B,C,D,E')).toBeGreaterThan(0.4);
    expect(cats.some((c) => c === 'A,B,C,D')).toBe(true);
    expect(cats.some((c) => !c.includes(','))).toBe(true);
    const unusual = cats.filter((c) => /[^A-E,]/.test(c)).length / cats.length;
    expect(unusual).toBeGreaterThan(0);
    expect(unusual).toBeLessThan(0.06);
    // The feed's per-pen counts line up with the categories.
    for (const e of week) expect((e.raw['signups'] as string).split(',')).toHaveLength(e.pens.length);
  });

  it('signups per race: 20–400, median ~150', () => {
    const totals = week.map((e) => finalSignups.get(e.eventId)?.length ?? 0);
    const m = median(totals);
    expect(m).toBeGreaterThan(125);
    expect(m).toBeLessThan(180);
    const team = (id: string) => finalSignups.get(id)?.filter((s) => s.team).length ?? 0;
    const field = week.map((e) => (finalSignups.get(e.eventId)?.length ?? 0) - team(e.eventId));
    // Field signups are drawn in [20, 400]; a few withdraw before the start.
    expect(Math.min(...field)).toBeGreaterThanOrEqual(17);
    expect(Math.max(...field)).toBeLessThanOrEqual(400);
    expect(field.filter((n) => n >= 20 && n <= 400).length / field.length).toBeGreaterThan(0.97);
    expect(totals.filter((n) => n > 250).length).toBeGreaterThan(10);
  });

  it('~70 % of signups arrive in the last 6 h, weighted to the last hour', () => {
    let late = 0;
    let lastHour = 0;
    let all = 0;
    for (const e of week) {
      for (const s of finalSignups.get(e.eventId) ?? []) {
        all++;
        if (e.startsAt - s.signedUpAt <= 6 * HOUR) late++;
        if (e.startsAt - s.signedUpAt <= HOUR) lastHour++;
      }
    }
    expect(late / all).toBeGreaterThan(0.65);
    expect(late / all).toBeLessThan(0.75);
    // The last hour gets far more than 1/6 of the last 6 h.
    expect(lastHour / late).toBeGreaterThan(0.3);
  });

  it('feed counts move every few minutes near a start', () => {
    const busy = week.filter((e) => (finalSignups.get(e.eventId)?.length ?? 0) >= 100).slice(0, 20);
    const changes = busy.map((e) => {
      let n = 0;
      let prev = '';
      for (let t = e.startsAt - HOUR; t < e.startsAt; t += MIN) {
        const c = JSON.stringify(sim.truthAt(t).signupCounts(e.eventId));
        if (c !== prev) n++;
        prev = c;
      }
      return n;
    });
    expect(median(changes)).toBeGreaterThan(12);
  });

  it('team riders race ~0.5 times a day each, in their own category', () => {
    const span = (truth.allEvents().at(-1)?.startsAt ?? 0) - (truth.allEvents()[0]?.startsAt ?? 0);
    const ridden = truth.teamRaces.reduce((a, r) => a + r.riders.length, 0);
    const perRiderDay = ridden / sim.teamRiderIds.length / (span / DAY);
    expect(perRiderDay).toBeGreaterThan(0.4);
    expect(perRiderDay).toBeLessThan(0.6);
    const zpCategory = new Map(truth.riders().map((r) => [r['riderId'] as number, r]));
    // Every team signup is in a pen the race offers (own category, or W for women).
    for (const c of truth.teamSignupChanges) {
      const ev = truth.event(c.eventId) as TruthEvent;
      expect(ev.pens).toContain(c.pen);
      expect(zpCategory.has(c.riderId)).toBe(true);
    }
    // Riders with race: null (club members who do not race) never sign up.
    const unrated = new Set(
      truth
        .riders()
        .filter((r) => r['race'] === null)
        .map((r) => r['riderId']),
    );
    expect(unrated.size).toBeGreaterThan(0);
    expect(truth.teamSignupChanges.some((c) => unrated.has(c.riderId))).toBe(false);
  });

  it('~70 % of team signups go to the favourite series (~20 % of the series)', () => {
    const signups = truth.teamSignupChanges.filter((c) => c.kind === 'signup');
    const fav = signups.filter((c) => truth.event(c.eventId)?.favouriteSeries).length / signups.length;
    expect(fav).toBeGreaterThan(0.62);
    expect(fav).toBeLessThan(0.78);
    const series = new Set(truth.allEvents().map((e) => e.seriesName));
    const favSeries = new Set(
      truth
        .allEvents()
        .filter((e) => e.favouriteSeries)
        .map((e) => e.seriesName),
    );
    expect(favSeries.size / series.size).toBeCloseTo(WORLD_MODEL.team.favouriteSeriesShare, 1);
  });

  it('team signups 48 h … 5 min before the start, about half within 6 h; ~10 % withdraw, never later than 5 min before', () => {
    const signups = truth.teamSignupChanges.filter((c) => c.kind === 'signup');
    const leads = signups.map((c) => c.eventStart - c.at);
    expect(Math.min(...leads)).toBeGreaterThanOrEqual(5 * MIN);
    expect(Math.max(...leads)).toBeLessThanOrEqual(48 * HOUR);
    const late = leads.filter((l) => l <= 6 * HOUR).length / leads.length;
    expect(late).toBeGreaterThan(0.4);
    expect(late).toBeLessThan(0.6);
    const withdrawals = truth.teamSignupChanges.filter((c) => c.kind === 'withdraw');
    expect(withdrawals.length / signups.length).toBeGreaterThan(0.06);
    expect(withdrawals.length / signups.length).toBeLessThan(0.14);
    const signedAt = new Map(signups.map((c) => [`${c.eventId}:${c.riderId}`, c.at]));
    for (const w of withdrawals) {
      expect(w.at).toBeLessThanOrEqual(w.eventStart - 5 * MIN);
      expect(w.at).toBeGreaterThan(signedAt.get(`${w.eventId}:${w.riderId}`) as number);
    }
    // Changes are in time order and include future ones.
    const ats = truth.teamSignupChanges.map((c) => c.at);
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(sim.truthAt(start).teamSignupChanges.some((c) => c.at > start)).toBe(true);
  });

  it('results appear 5–20 min after the end; ~15 % are corrected once, 30–180 min later', () => {
    const delays = week.map((e) => e.resultsAt - e.endsAt);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(5 * MIN);
    expect(Math.max(...delays)).toBeLessThanOrEqual(20 * MIN);
    const corrected = week.filter((e) => e.correctedAt !== null);
    expect(corrected.length / week.length).toBeGreaterThan(0.1);
    expect(corrected.length / week.length).toBeLessThan(0.2);
    for (const e of corrected) {
      const gap = (e.correctedAt as number) - e.resultsAt;
      expect(gap).toBeGreaterThanOrEqual(30 * MIN);
      expect(gap).toBeLessThanOrEqual(180 * MIN);
    }
    // Durations follow distance / the slowest pen's speed: 10 min … 4 h.
    for (const e of week) {
      expect(e.endsAt - e.startsAt).toBeGreaterThan(10 * MIN);
      expect(e.endsAt - e.startsAt).toBeLessThan(4 * HOUR);
    }
  });

  it('results: all finishers but a few DNFs, team riders who did not withdraw included', () => {
    const race = truth.teamRaces.find(
      (r) => r.startsAt >= start && r.riders.some((x) => !x.dnf),
    ) as (typeof truth.teamRaces)[0];
    const before = sim.truthAt(race.resultsAt - 1).results(race.eventId);
    expect(before?.available).toBe(false);
    expect(before?.rows).toBeNull();
    const after = sim.truthAt(race.resultsAt).results(race.eventId);
    const rows = after?.rows ?? [];
    const starters = sim.truthAt(race.startsAt - 1).signups(race.eventId);
    expect(rows.length).toBeLessThanOrEqual(starters.length);
    expect(rows.length).toBeGreaterThan(starters.length * 0.9);
    for (const r of race.riders.filter((x) => !x.dnf))
      expect(rows.some((row) => row.riderId === r.riderId)).toBe(true);
    // Positions per pen are 1…n in time order, gaps from the pen winner.
    for (const pen of new Set(rows.map((r) => r.category))) {
      const list = rows.filter((r) => r.category === pen);
      expect(list.map((r) => r.positionInCategory)).toEqual(list.map((_, i) => i + 1));
      const times = list.map((r) => r.time);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it("riders' ratings, finishes and power move when their results appear; a few change weight", () => {
    const changes = truth.riderChanges;
    const byRace = changes.filter((c) => c.cause === 'race');
    expect(byRace.length).toBeGreaterThan(100);
    const races = new Map(truth.teamRaces.map((r) => [r.eventId, r]));
    for (const c of byRace) {
      expect(c.at).toBe(races.get(c.eventId as string)?.resultsAt);
      expect(c.fields).toContain('race');
    }
    expect(byRace.some((c) => c.fields.includes('power'))).toBe(true);
    const weight = changes.filter((c) => c.cause === 'weight');
    expect(weight.length).toBeGreaterThan(3);
    expect(weight.every((c) => c.fields.includes('weight'))).toBe(true);
    // Before/after a change, the rider's payload differs exactly in those fields.
    const c = byRace[0] as (typeof byRace)[0];
    const a = sim.truthAt(c.at - 1).rider(c.riderId) as Record<string, unknown>;
    const b = sim.truthAt(c.at).rider(c.riderId) as Record<string, unknown>;
    const diff = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    expect(diff).toEqual(c.fields);
    const raceA = a['race'] as Record<string, number>;
    const raceB = b['race'] as Record<string, number>;
    expect((raceB['finishes'] as number) + (raceB['dnfs'] as number)).toBe(
      (raceA['finishes'] as number) + (raceA['dnfs'] as number) + 1,
    );
  });

  it('team riders: categories like a real club, ~10 % unrated, some women with a women’s rating', () => {
    const riders = sim.truthAt(start).riders();
    expect(riders).toHaveLength(80);
    const unrated = riders.filter((r) => r['race'] === null).length / riders.length;
    expect(unrated).toBeGreaterThan(0.03);
    expect(unrated).toBeLessThan(0.2);
    expect(riders.some((r) => 'womens' in r)).toBe(true);
    expect(riders.every((r) => (r['club'] as { id: number }).id === sim.clubId)).toBe(true);
    expect(new Set(riders.map((r) => r['age'])).size).toBeGreaterThan(3);
    // Rider ids are scattered like real ones, not consecutive.
    const ids = sim.teamRiderIds;
    expect(new Set(ids).size).toBe(80);
    expect((ids.at(-1) as number) - (ids[0] as number)).toBeGreaterThan(3_000_000);
  });
});
