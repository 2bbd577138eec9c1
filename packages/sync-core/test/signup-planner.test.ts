import { describe, expect, it } from 'vitest';
import type { EventRecord, SignupCheck } from '../src/index.js';
import { resolvePolicy } from '../src/index.js';
import { planSignupFetches, SeriesAffinity, seriesKey } from '../src/internal.js';
import { makeEvent } from '../src/testing/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 0, 1, 12);
const policy = resolvePolicy();

function event(
  id: string,
  startsIn: number,
  counts: Record<string, number> = { A: 10, B: 20 },
  title = `Race ${id}`,
): EventRecord {
  return makeEvent(id, NOW, { startsAt: NOW + startsIn, signupCounts: counts, title });
}

function plan(
  events: EventRecord[],
  checks: SignupCheck[] = [],
  relevant: (e: EventRecord) => boolean = () => false,
) {
  const byId = new Map(checks.map((c) => [c.eventId, c]));
  return planSignupFetches({
    now: NOW,
    policy,
    events,
    checkOf: (id) => byId.get(id),
    relevantSeries: relevant,
  });
}

const check = (
  eventId: string,
  ago: number,
  counts: Record<string, number> = { A: 10, B: 20 },
  teamSignups = 0,
): SignupCheck => ({
  eventId,
  fetchedAt: NOW - ago,
  countsAtFetch: counts,
  teamSignups,
});

describe('signup planner', () => {
  it('fetches every race once in its final minutes, ahead of everything else', () => {
    const p = plan(
      [event('late', 3 * MIN), event('near', 2 * HOUR)],
      [check('late', 5 * MIN), check('near', 10 * MIN, { A: 9, B: 20 })],
    );
    expect(p.due.map((d) => [d.eventId, d.reason])).toEqual([
      ['late', 'final'],
      ['near', 'near'],
    ]);
  });

  it('does not refetch a final-swept race again before it starts', () => {
    const p = plan([event('late', 2 * MIN)], [check('late', MIN)]);
    expect(p.due).toEqual([]);
  });

  it('follows the TTL table for races the team is in', () => {
    const moved = { A: 11, B: 20 };
    const cases: [number, number, boolean][] = [
      [30 * MIN, 5 * MIN, true],
      [30 * MIN, 4 * MIN, false],
      [3 * HOUR, 5 * MIN, true],
      [3 * HOUR, 4 * MIN, false],
      [20 * HOUR, 30 * MIN, true],
      [40 * HOUR, 59 * MIN, false],
    ];
    for (const [startsIn, ago, due] of cases) {
      const p = plan([event('e', startsIn, moved)], [check('e', ago, { A: 10, B: 20 }, 2)]);
      expect(p.due.length > 0, `startsIn ${startsIn / MIN} min, fetched ${ago / MIN} min ago`).toBe(due);
      if (due) expect(p.due[0]?.reason).toBe('team');
    }
  });

  it('waits unchangedCountsFactor TTLs when the feed counts did not move (nothing can have changed)', () => {
    const factor = policy.signups.unchangedCountsFactor;
    expect(factor).toBeGreaterThan(1);
    const ttl = 5 * MIN; // band < 6 h
    expect(plan([event('e', 3 * HOUR)], [check('e', ttl + MIN, { A: 10, B: 20 }, 1)]).due).toEqual([]);
    expect(plan([event('e', 3 * HOUR)], [check('e', factor * ttl, { A: 10, B: 20 }, 1)]).due.length).toBe(1);
  });

  it('sweeps other near races on nearSweepMs, and far ones only when their counts moved, from farFirstLeadMs on', () => {
    const lead = policy.signups.farFirstLeadMs;
    const p = plan(
      [
        event('near', 2 * HOUR, { A: 11 }),
        event('far-moved', lead - HOUR, { A: 3 }),
        event('far-still', lead - HOUR, { A: 3 }),
        event('far-early', lead + HOUR, { A: 3 }),
      ],
      [
        check('near', 8 * MIN, { A: 10 }),
        check('far-moved', policy.signups.farChangedMinIntervalMs, { A: 2 }),
        check('far-still', policy.signups.farChangedMinIntervalMs, { A: 3 }),
        check('far-early', policy.signups.farChangedMinIntervalMs, { A: 2 }),
      ],
    );
    expect(p.due.map((d) => [d.eventId, d.reason])).toEqual([
      ['near', 'near'],
      ['far-moved', 'far'],
    ]);
  });

  it('ignores races beyond the horizon and races already started; reports the next due time', () => {
    const p = plan([event('week', 5 * 24 * HOUR), event('started', -MIN)], [], () => true);
    expect(p.due).toEqual([]);
    expect(p.nextDueAt).toBe(NOW + 5 * 24 * HOUR - policy.signups.horizonMs);
  });

  it('ranks series the team rides above other near races', () => {
    const p = plan(
      [event('a', 2 * HOUR, { A: 1 }, 'Tuesday Crit'), event('b', 2 * HOUR, { A: 1 }, 'Team Series Race 4')],
      [],
      (e) => e.title.startsWith('Team Series'),
    );
    expect(p.due.map((d) => d.eventId)).toEqual(['b', 'a']);
  });
});

describe('series affinity', () => {
  it('groups stage and edition numbers into one series', () => {
    expect(seriesKey("Stage 3: Fresh Outta '25: Prospect Park Loop")).toBe(
      seriesKey("Stage 4: Fresh Outta '26: Prospect Park Loop"),
    );
    expect(seriesKey('Zwift TT Club Racing - Park Perimeter Loop')).not.toBe(seriesKey('Tuesday Crit'));
  });

  it('learns series the team rides, relative to all its signups, and forgets slowly', () => {
    const a = new SeriesAffinity({ halfLifeMs: 14 * 24 * HOUR, minSignups: 2, minShare: 0.1 });
    a.observe('Team Series Race 1', NOW);
    expect(a.isRelevant('Team Series Race 2', NOW)).toBe(false);
    a.observe('Team Series Race 2', NOW);
    expect(a.isRelevant('Team Series Race 9', NOW)).toBe(true);
    for (let i = 0; i < 40; i++) a.observe(`Other ${String.fromCharCode(65 + (i % 26))}x`, NOW);
    expect(a.isRelevant('Team Series Race 9', NOW)).toBe(false); // 2 of 42 < 10 %
    const restored = new SeriesAffinity(
      { halfLifeMs: 14 * 24 * HOUR, minSignups: 2, minShare: 0 },
      a.snapshot(),
    );
    expect(restored.score('Team Series Race 1', NOW + 14 * 24 * HOUR)).toBeCloseTo(1, 6);
  });
});

describe('team share of a race', () => {
  it('sweeps races only part of the team can enter less often (by 1/√share, at most 4×)', () => {
    const races = [event('all-pens', 2 * HOUR, { A: 11 }), event('a-only', 2 * HOUR, { A: 11 })];
    const checks = [
      check('all-pens', policy.signups.nearSweepMs, { A: 10 }),
      check('a-only', policy.signups.nearSweepMs, { A: 10 }),
    ];
    const p = planSignupFetches({
      now: NOW,
      policy,
      events: races,
      checkOf: (id) => checks.find((c) => c.eventId === id),
      relevantSeries: () => false,
      teamShare: (e) => (e.eventId === 'a-only' ? 0.25 : 1),
    });
    expect(p.due.map((d) => d.eventId)).toEqual(['all-pens']);
    expect(p.nextDueAt).toBe(NOW - policy.signups.nearSweepMs + 2 * policy.signups.nearSweepMs);
  });
});

describe('lead share of a race', () => {
  const S = policy.signups.nearSweepMs;
  /** The team signs up 0–1 h before a start; 1–6 h before, at 1/16 of the average rate. */
  const lastHour = (from: number, to: number) => (from < HOUR || to < HOUR ? 1 : 1 / 16);
  const planLeads = (startsIn: number, lastAgo: number, leadShare = lastHour, teamShare = 1) => {
    const races = [event('r', startsIn, { A: 11 })];
    const checks = [check('r', lastAgo, { A: 10 })];
    const spans: [number, number][] = [];
    const p = planSignupFetches({
      now: NOW,
      policy,
      events: races,
      checkOf: (id) => checks.find((c) => c.eventId === id),
      relevantSeries: () => false,
      teamShare: () => teamShare,
      leadShare: (from, to) => {
        spans.push([from, to]);
        return leadShare(from, to);
      },
    });
    return { p, spans };
  };

  it('stretches the near sweep at leads the team rarely signs up at (at most 4×)', () => {
    const { p, spans } = planLeads(4 * HOUR, S);
    expect(p.due).toEqual([]);
    expect(p.nextDueAt).toBe(NOW - S + 4 * S);
    // Asked for the leads from the last fetch to the longest a sweep may be (4×).
    expect(spans).toEqual([[4 * HOUR + S - 4 * S, 4 * HOUR + S]]);
  });

  it('never stretches a sweep past a lead the team signs up at', () => {
    // Last fetched 1 h 10 min before the start, now 1 h 4 min: stretched by the share at these
    // leads (1/16), the sweep would wait until 46 min before the start, well inside the last hour.
    const { p, spans } = planLeads(HOUR + 4 * MIN, S);
    expect(spans[0]![0]).toBeLessThan(HOUR);
    expect(p.due.map((d) => d.eventId)).toEqual(['r']);
    // Two hours out, the next sweep is 4× as far.
    expect(planLeads(2 * HOUR, S).p.nextDueAt).toBe(NOW - S + 4 * S);
  });

  it('multiplies the team share: together at most 4×', () => {
    const { p } = planLeads(4 * HOUR, 3 * S, () => 0.25, 0.25);
    expect(p.nextDueAt).toBe(NOW - 3 * S + 4 * S);
  });
});
