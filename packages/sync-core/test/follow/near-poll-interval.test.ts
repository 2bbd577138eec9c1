import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/index.js';
import { FeedState, MAX_NEAR_STRETCH, nearPollInterval } from '../../src/internal.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 1, 2); // 02:00 UTC
const policy = resolvePolicy();
const BASE = policy.followerFeed.nearPollMs;

/** Races every 20 min from `from` to `to` (ms after T0), ids `e0`, `e1`, … */
function races(from: number, to: number) {
  const events = new Map<string, { startsAt: number; removedAt: number | null }>();
  for (let t = from, i = 0; t <= to; t += 20 * MIN, i++)
    events.set(`e${i}`, { startsAt: T0 + t, removedAt: null });
  return events;
}

/** An evening team's learned shares: 1 from 17:00 to 21:59 UTC, `quiet` otherwise. */
const evening = (quiet: number) => (startsAt: number) => {
  const hour = new Date(startsAt).getUTCHours();
  return hour >= 17 && hour < 22 ? 1 : quiet;
};

describe('nearPollInterval: the follower feed searches less often while the team is unlikely to sign up', () => {
  it('stretches by 1/√share while the races it would watch start at rare times, at most 4×', () => {
    const events = races(0, 12 * HOUR); // 02:00–14:00
    const interval = (quiet: number) =>
      nearPollInterval({ now: T0, policy, events, teamEvents: new Set(), share: evening(quiet) });
    expect(interval(0.25)).toBeCloseTo(2 * BASE, 6);
    expect(interval(0.5)).toBeCloseTo(BASE * Math.SQRT2, 6);
    expect(interval(0.01)).toBeCloseTo(MAX_NEAR_STRETCH * BASE, 6);
    expect(interval(1)).toBe(BASE);
  });

  it('takes the mean share of the races it would watch, up to the window plus the longest wait', () => {
    // Half the races at team times: the window draws half the signups of one all at team times.
    const events = races(0, 12 * HOUR);
    const half = (startsAt: number) => ((startsAt - T0) % (40 * MIN) === 0 ? 1 : 0.001);
    const watched = [...events.values()].filter(
      (e) => e.startsAt > T0 && e.startsAt <= T0 + 6 * HOUR + MAX_NEAR_STRETCH * BASE,
    );
    expect(watched.length).toBe(18);
    const mean = watched.reduce((n, e) => n + half(e.startsAt), 0) / watched.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(nearPollInterval({ now: T0, policy, events, teamEvents: new Set(), share: half })).toBeCloseTo(
      BASE / Math.sqrt(mean),
      6,
    );
    // 02:00 + 6 h window + 4 × 2.5 min = 08:10: a race at 08:05 counts, one at 08:15 does not.
    const at = (startsAt: number) =>
      nearPollInterval({
        now: T0,
        policy,
        events: new Map([
          ['quiet', { startsAt: T0 + HOUR, removedAt: null }],
          ['edge', { startsAt, removedAt: null }],
        ]),
        teamEvents: new Set(),
        share: (s) => (s === startsAt ? 1 : 1 / 16),
      });
    expect(at(T0 + 6 * HOUR + 5 * MIN)).toBeCloseTo(BASE / Math.sqrt((1 + 1 / 16) / 2), 6);
    expect(at(T0 + 6 * HOUR + 15 * MIN)).toBeCloseTo(MAX_NEAR_STRETCH * BASE, 6);
  });

  it('keeps the plain interval for a race with team riders in it, without learned times, or without races', () => {
    const events = races(0, 5 * HOUR);
    const rare = () => 0.01;
    expect(nearPollInterval({ now: T0, policy, events, teamEvents: new Set(['e3']), share: rare })).toBe(
      BASE,
    );
    expect(nearPollInterval({ now: T0, policy, events, teamEvents: new Set(), share: null })).toBe(BASE);
    expect(nearPollInterval({ now: T0, policy, events: new Map(), teamEvents: new Set(), share: rare })).toBe(
      BASE,
    );
    // Started and removed races are not watched.
    const gone = new Map([
      ['started', { startsAt: T0 - MIN, removedAt: null }],
      ['removed', { startsAt: T0 + HOUR, removedAt: T0 - HOUR }],
    ]);
    expect(
      nearPollInterval({
        now: T0,
        policy,
        events: gone,
        teamEvents: new Set(['started', 'removed']),
        share: rare,
      }),
    ).toBe(BASE);
  });
});

describe('FeedState: a stretched near search is not a stale feed', () => {
  it('goes stale staleAfterMs after the last near search, plus what the planned wait exceeds nearPollMs by', () => {
    const feed = new FeedState();
    const stale = policy.followerFeed.staleAfterMs;
    expect(feed.staleAt(policy)).toBeNull();
    expect(feed.healthy(T0, policy)).toBe(false);
    feed.nearAt = T0;
    expect(feed.staleAt(policy)).toBe(T0 + stale);
    feed.nearIntervalMs = 4 * BASE;
    expect(feed.staleAt(policy)).toBe(T0 + stale + 3 * BASE);
    expect(feed.healthy(T0 + stale + 3 * BASE, policy)).toBe(true);
    expect(feed.healthy(T0 + stale + 3 * BASE + 1, policy)).toBe(false);
    // Kept in the cursor (the events job of another instance reads it); a bad value is dropped.
    const copy = new FeedState();
    copy.restore(feed.toCursor() as unknown as Record<string, unknown>);
    expect(copy.staleAt(policy)).toBe(T0 + stale + 3 * BASE);
    copy.restore({ ...feed.toCursor(), nearIntervalMs: -5 } as unknown as Record<string, unknown>);
    expect(copy.staleAt(policy)).toBe(T0 + stale);
  });
});
