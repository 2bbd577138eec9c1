import { describe, expect, it } from 'vitest';
import { LEAD_BIN_MS, SignupLeadAffinity } from '../src/internal.js';
import { lcg } from './lcg.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WINDOW = 6 * HOUR;
const HALF_LIFE = 14 * DAY;
const T0 = Date.UTC(2026, 0, 1);

/**
 * `days` days of a near sweep as the events job runs it: a race starts every 12 min and is watched
 * over its last 6 h; with probability 0.15 the team's first signup to it comes at a lead drawn by
 * `lead`, and the sweep finds it at its next fetch — every `sweepAt(lead)` ms (6 min by default).
 */
function history(
  days: number,
  lead: (u: number) => number,
  options: { seed?: number; sweepAt?: (lead: number) => number } = {},
): { a: SignupLeadAffinity; end: number } {
  const rng = lcg(options.seed ?? 1);
  const sweepAt = options.sweepAt ?? (() => 6 * MIN);
  const a = new SignupLeadAffinity({ halfLifeMs: HALF_LIFE, windowMs: WINDOW });
  const races: { startsAt: number; signupAt: number; lastFetch: number }[] = [];
  const end = T0 + days * DAY;
  const step = MIN;
  let nextStart = T0 + WINDOW;
  for (let t = T0; t < end; t += step) {
    while (nextStart - WINDOW <= t) {
      const signupAt = rng() < 0.15 ? nextStart - lead(rng()) : Number.NaN;
      races.push({ startsAt: nextStart, signupAt, lastFetch: nextStart - WINDOW });
      nextStart += 12 * MIN;
    }
    for (let i = races.length - 1; i >= 0; i--) {
      const race = races[i]!;
      if (race.startsAt <= t) {
        races.splice(i, 1);
        continue;
      }
      a.observeWatched(race.startsAt, t - step, t, t);
      if (t < race.lastFetch + sweepAt(race.startsAt - race.lastFetch)) continue;
      if (race.signupAt <= t) {
        a.observeFound(race.startsAt, race.lastFetch, t, t);
        races.splice(i, 1); // a team race from now on: the near sweep no longer looks at it
        continue;
      }
      race.lastFetch = t;
    }
  }
  return { a, end };
}

/** The share of each lead bin (an hour) over the near window. */
const shares = (a: SignupLeadAffinity, now: number) =>
  Array.from({ length: WINDOW / LEAD_BIN_MS }, (_, i) =>
    a.share(i * LEAD_BIN_MS, (i + 1) * LEAD_BIN_MS - 1, now),
  );

describe('signup lead affinity', () => {
  it('learns that a team signing up in the last hour does not sign up 2–6 h before', () => {
    const lastHour = (u: number) => 5 * MIN + u * 55 * MIN;
    const { a, end } = history(14, lastHour);
    expect(a.share(0, 50 * MIN, end)).toBe(1);
    for (const lead of [2, 3, 4, 5])
      expect(a.share(lead * HOUR, lead * HOUR + 20 * MIN, end)).toBeLessThan(0.25);
    // A range that reaches into the leads the team signs up at takes their share.
    expect(a.share(50 * MIN, 3 * HOUR, end)).toBe(1);
    // Longer history, tighter bound.
    expect(history(28, lastHour).a.share(3 * HOUR, 3 * HOUR, T0 + 28 * DAY)).toBeLessThan(
      a.share(3 * HOUR, 3 * HOUR, end),
    );
  });

  it('leaves a team that signs up at any lead alone (noise does not stretch its sweeps)', () => {
    const anyLead = (u: number) => 5 * MIN + u * (WINDOW - 5 * MIN);
    for (const seed of [1, 2, 3]) {
      const { a, end } = history(28, anyLead, { seed });
      const s = shares(a, end);
      // A point estimate would put about half the bins below 1; the bound, at most one.
      expect(s.filter((x) => x < 1).length, s.join(', ')).toBeLessThanOrEqual(1);
      expect(Math.min(...s)).toBeGreaterThan(0.7);
    }
  });

  it('is not fooled by its own stretched sweeps: a find is spread over the leads since the last fetch', () => {
    const anyLead = (u: number) => 5 * MIN + u * (WINDOW - 5 * MIN);
    // Races 2–6 h out swept every 24 min instead of 6: finds there come later, at shorter leads.
    const { a, end } = history(28, anyLead, { sweepAt: (lead) => (lead > 2 * HOUR ? 24 * MIN : 6 * MIN) });
    // Crediting a find to the lead it was found at instead puts one bin at 0.76 here.
    expect(shares(a, end)).toEqual(new Array(WINDOW / LEAD_BIN_MS).fill(1));
  });

  it('says nothing with too little history', () => {
    const lastHour = (u: number) => 5 * MIN + u * 55 * MIN;
    const { a, end } = history(1, lastHour);
    expect(shares(a, end).every((x) => x === 1)).toBe(true);
    expect(new SignupLeadAffinity({ halfLifeMs: HALF_LIFE, windowMs: WINDOW }).share(0, WINDOW, T0)).toBe(1);
  });

  it('forgets with the half-life, and survives a snapshot; a malformed or other-window snapshot is ignored', () => {
    const lastHour = (u: number) => 5 * MIN + u * 55 * MIN;
    const { a, end } = history(14, lastHour);
    const snapshot = JSON.parse(JSON.stringify(a.snapshot()));
    const restored = new SignupLeadAffinity({ halfLifeMs: HALF_LIFE, windowMs: WINDOW }, snapshot);
    expect(restored.share(3 * HOUR, 3 * HOUR, end)).toBe(a.share(3 * HOUR, 3 * HOUR, end));
    // Ten half-lives later the evidence is gone.
    expect(restored.share(3 * HOUR, 3 * HOUR, end + 10 * HALF_LIFE)).toBe(1);
    for (const bad of [
      { ...snapshot, found: [1, 2] },
      { ...snapshot, watched: snapshot.watched.map(() => -1) },
      { ...snapshot, binMs: 15 * MIN },
      { ...snapshot, at: 'yesterday' },
    ]) {
      const b = new SignupLeadAffinity({ halfLifeMs: HALF_LIFE, windowMs: WINDOW }, bad);
      expect(b.share(3 * HOUR, 3 * HOUR, end)).toBe(1);
    }
    // A longer near window has more bins: the old snapshot does not fit it.
    const wider = new SignupLeadAffinity({ halfLifeMs: HALF_LIFE, windowMs: 8 * HOUR }, snapshot);
    expect(wider.share(3 * HOUR, 3 * HOUR, end)).toBe(1);
  });

  it('spreads a find over the leads between the two fetches, and ignores leads beyond the window', () => {
    const a = new SignupLeadAffinity({ halfLifeMs: HALF_LIFE, windowMs: WINDOW });
    const start = T0 + DAY;
    // Found 1.5 h before the start, last fetched 2.5 h before: half in each of the bins 1–2 h and 2–3 h.
    a.observeFound(start, start - 2.5 * HOUR, start - 1.5 * HOUR, start - HOUR);
    // Found 5 h before, last fetched 8 h before: only the third inside the window (5–6 h) counts.
    a.observeFound(start, start - 8 * HOUR, start - 5 * HOUR, start - HOUR);
    const { found } = a.snapshot();
    expect(found[1]).toBeCloseTo(0.5);
    expect(found[2]).toBeCloseTo(0.5);
    expect(found[5]).toBeCloseTo(1 / 3);
    expect(found.reduce((x, y) => x + y, 0)).toBeCloseTo(1 + 1 / 3);
    a.observeWatched(start, start - 7 * HOUR, start - 5.5 * HOUR, start - HOUR);
    const { watched } = a.snapshot();
    expect(watched[5]).toBeCloseTo(0.5); // 30 min of it within the window, in race-hours
    expect(watched.reduce((x, y) => x + y, 0)).toBeCloseTo(0.5);
  });
});
