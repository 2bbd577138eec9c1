import { describe, expect, it } from 'vitest';
import { StartTimeAffinity } from '../src/internal.js';
import { lcg } from './lcg.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Thursday, 00:00 UTC. */
const T0 = Date.UTC(2026, 0, 1);
const HALF_LIFE = 14 * DAY;

/**
 * `days` days of history before `end`, 5 races starting every hour; `isTeamRace(hour, weekday, i)`
 * says whether race `i` of that hour had team riders at its start.
 */
function history(
  days: number,
  end: number,
  isTeamRace: (hour: number, weekday: number, i: number) => boolean,
): StartTimeAffinity {
  const a = new StartTimeAffinity({ halfLifeMs: HALF_LIFE });
  for (let t = end - days * DAY; t < end; t += HOUR) {
    const { hour, weekday } = StartTimeAffinity.timeOf(t);
    for (let i = 0; i < 5; i++) a.observeStart(t, isTeamRace(hour, weekday, i), t);
  }
  return a;
}

const at = (day: number, hour: number) => T0 + day * DAY + hour * HOUR;

describe('start-time affinity', () => {
  it('reads a start as its UTC hour of the day and weekday (Sunday = 0)', () => {
    expect(StartTimeAffinity.timeOf(Date.UTC(2026, 0, 1, 12, 30))).toEqual({ hour: 12, weekday: 4 });
    expect(StartTimeAffinity.timeOf(Date.UTC(2026, 0, 4, 23, 59))).toEqual({ hour: 23, weekday: 0 });
    expect(StartTimeAffinity.timeOf(Date.UTC(1969, 11, 31, 1))).toEqual({ hour: 1, weekday: 3 });
  });

  it('learns that an evening team does not race in the morning, and leaves its evenings alone', () => {
    const end = at(14, 0);
    // Team races: 3 of the 5 races an hour between 17:00 and 21:59 UTC, none at other hours.
    const a = history(14, end, (hour, _day, i) => hour >= 17 && hour < 22 && i < 3);
    for (const hour of [17, 19, 21]) expect(a.share(at(15, hour), end)).toBe(1);
    // 70 morning races without the team (~50 after decay), where 1 in 8 races is a team race
    // overall: the 95 % bound of ~3 team races against ~6.3 expected.
    for (const hour of [2, 8, 12]) expect(a.share(at(15, hour), end)).toBeLessThan(0.5);
    // Twice the history, a tighter bound.
    const longer = history(28, end, (hour, _day, i) => hour >= 17 && hour < 22 && i < 3);
    expect(longer.share(at(15, 8), end)).toBeLessThan(0.35);
  });

  it('judges the hour and the weekday each against the other: today is not rare before its evening', () => {
    // Six days of an evening team, then the morning and early afternoon of a weekday not seen
    // yet: no team race on it so far, only because the team's hours have not come. Counting
    // weekdays alone would make it look rare (0 team races where ~8 were expected) and stretch
    // this evening's races.
    const today = at(6, 0);
    const a = history(6, today, (hour, _day, i) => hour >= 17 && hour < 22 && i < 3);
    for (let t = today; t < today + 14 * HOUR; t += HOUR) {
      for (let i = 0; i < 5; i++) a.observeStart(t, false, t);
    }
    const now = today + 14 * HOUR;
    for (const hour of [17, 19, 21]) expect(a.share(today + hour * HOUR, now)).toBe(1);
    expect(a.share(at(7, 8), now)).toBeLessThan(1);
  });

  it('learns a weekend team the same way, by weekday', () => {
    const end = at(28, 0);
    // Saturday (6) and Sunday (0) only.
    const a = history(28, end, (_hour, day, i) => (day === 6 || day === 0) && i < 2);
    const saturday = Date.UTC(2026, 0, 31, 18);
    const tuesday = Date.UTC(2026, 0, 27, 18);
    expect(a.share(saturday, end)).toBe(1);
    expect(a.share(tuesday, end)).toBeLessThan(0.2);
  });

  it('leaves a team without a pattern alone: noise alone rarely makes an hour look rare', () => {
    const end = at(14, 0);
    const random = lcg(7);
    // Every race has team riders with probability 0.3, at every hour and weekday.
    const a = history(14, end, () => random() < 0.3);
    const shares = Array.from({ length: 24 }, (_, hour) => a.share(at(14, hour), end));
    // A point estimate would put about half of the hours below 1.
    expect(shares.filter((s) => s < 1).length).toBeLessThanOrEqual(2);
    expect(Math.min(...shares)).toBeGreaterThan(0.7);
  });

  it('says nothing from too little history (one day of a 20-rider team)', () => {
    const end = at(1, 0);
    const a = history(1, end, (hour, _day, i) => hour >= 18 && i < 1);
    for (let hour = 0; hour < 24; hour++) expect(a.share(at(1, hour), end)).toBe(1);
    expect(new StartTimeAffinity({ halfLifeMs: HALF_LIFE }).share(end, end)).toBe(1);
  });

  it('round-trips its snapshot, decays both counts alike, and ignores a malformed one', () => {
    const end = at(14, 0);
    const a = history(14, end, (hour, _day, i) => hour >= 17 && hour < 22 && i < 3);
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    const b = new StartTimeAffinity({ halfLifeMs: HALF_LIFE }, snap);
    expect(b.share(at(15, 8), end)).toBe(a.share(at(15, 8), end));
    expect(b.snapshot()).toEqual(a.snapshot());
    // One half-life later: every count halved, the same ratios (less evidence, so a wider bound).
    const later = end + HALF_LIFE;
    const halved = b.snapshot();
    b.share(later, later);
    const decayed = b.snapshot();
    expect(decayed.races[8]).toBeCloseTo(halved.races[8]! / 2, 9);
    expect(decayed.teamRaces[24 + 19]).toBeCloseTo(halved.teamRaces[24 + 19]! / 2, 9);
    expect(b.share(at(15, 8), later)).toBeGreaterThan(a.share(at(15, 8), end));
    for (const bad of [
      { at: 'x', teamRaces: [], races: [] },
      { at: 1, teamRaces: [1, 2], races: [1, 2] },
      { at: 1, teamRaces: new Array(168).fill(-1), races: new Array(168).fill(1) },
    ]) {
      const c = new StartTimeAffinity({ halfLifeMs: HALF_LIFE }, bad as never);
      expect(c.share(end, end)).toBe(1);
    }
  });
});
