import type { Truth } from '@racesync/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeEvent, StorageAdapter } from '../../src/index.js';
import { createWorld, HOUR, MIN, type World } from '../engine/harness.js';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

function capture() {
  const lines: LogLine[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, message, fields });
  };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Stored active team signups (rider/pen) of every race that started in the window equal the truth's at its start. */
async function expectSignupsEqualTruth(w: World, from: number, end: number): Promise<number> {
  const truth = w.sim.truthAt(end);
  let compared = 0;
  for (const race of truth.eventsBetween(from, end)) {
    const atStart = w.sim
      .truthAt(race.startsAt - 1)
      .teamSignups(race.eventId)
      .map((s) => `${s.riderId}/${s.pen}`)
      .sort();
    const stored = (await w.storage.listSignups({ eventIds: [race.eventId], activeOnly: true }))
      .map((s) => `${s.riderId}/${s.pen}`)
      .sort();
    expect(stored, `team signups of ${race.eventId}`).toEqual(atStart);
    compared += atStart.length;
  }
  return compared;
}

/**
 * Lag (ms) of every team signup change in [from, end − settleMs) — of races that started by `end`,
 * or, with `undecided`, of later races too; `null` = not stored (before the start).
 */
function changeLags(
  events: readonly ChangeEvent[],
  truth: Truth,
  from: number,
  end: number,
  options: { undecided?: boolean; settleMs?: number } = {},
) {
  const out: { eventId: string; riderId: number; kind: string; lag: number | null; near: boolean }[] = [];
  for (const change of truth.teamSignupChangesBetween(from - 1, end)) {
    if ((!options.undecided && change.eventStart > end) || change.at >= end - (options.settleMs ?? 0))
      continue;
    const type = change.kind === 'signup' ? 'signup.added' : 'signup.withdrawn';
    const seen = events.find(
      (e) =>
        e.type === type && e.eventId === change.eventId && e.riderId === change.riderId && e.at >= change.at,
    );
    const lag = seen && seen.at < change.eventStart ? seen.at - change.at : null;
    out.push({
      eventId: change.eventId,
      riderId: change.riderId,
      kind: change.kind,
      lag,
      near: change.eventStart - change.at <= 6 * HOUR,
    });
  }
  return out;
}

async function syncLog(storage: StorageAdapter, job: string) {
  return (await storage.listSyncLog()).filter((e) => e.job === job).sort((a, b) => a.startedAt - b.startedAt);
}

describe('the follower feed (followerFeed: true) against the simulated Zwift account', () => {
  it('keeps team signups equal to the truth from followee counts: one search per poll, entrants only for pens whose count moved, the site list only as a safety net; unfollowed riders named', async () => {
    const log = capture();
    // Group rides with followed riders in them, as the searches show them (never on the site list).
    const ridesWithFollowees = new Set<string>();
    world = await createWorld({
      seed: 1,
      teamSize: 120,
      zwiftAccount: true,
      // More riders the account does not follow than the default 5 %, so the safety net finds some.
      follow: { unfollowedShare: 0.2 },
      engine: { followerFeed: true, logger: log.logger },
      source: (client) => ({
        ...client,
        zwift: {
          ...client.zwift,
          events: {
            search: async (range, options) => {
              const answer = await client.zwift.events.search(range, options);
              for (const e of answer.events)
                if (e.type === 'GROUP_RIDE' && (e.followeeEntrantCount ?? 0) > 0)
                  ridesWithFollowees.add(e.eventId);
              return answer;
            },
          },
        },
      }),
    });
    const w = world;
    const end = w.start + 8 * HOUR;
    w.engine.start();
    await w.clock.runUntil(end);
    await w.clock.run(w.engine.stop());
    const truth = w.sim.truthAt(end);
    const stats = w.sim.stats();
    expect(stats.violations.total).toBe(0);

    // Storage equals the truth: every race that started in the window has the team it started with.
    expect(await expectSignupsEqualTruth(w, w.start + 10 * MIN, end)).toBeGreaterThanOrEqual(3);

    // Every change was stored before its race started; the followed riders' near changes within a
    // near poll and a call, the others within a search of the whole horizon — for races that
    // started and for later ones alike.
    const unfollowed = new Set(truth.unfollowedTeamRiderIds);
    // (Riders the account does not follow are seen by the final sweep only: a signup of theirs made
    // before the sync started and withdrawn before that sweep is never seen — nor needs to be.)
    const added = new Set(
      w.events.flatMap((e) => (e.type === 'signup.added' ? [`${e.eventId}:${e.riderId}`] : [])),
    );
    expect(
      changeLags(w.events, truth, w.start, end).filter(
        (l) =>
          l.lag === null &&
          !(unfollowed.has(l.riderId) && l.kind === 'withdraw' && !added.has(`${l.eventId}:${l.riderId}`)),
      ),
    ).toEqual([]);
    const f = w.engine.policy.followerFeed;
    const feedLags = changeLags(w.events, truth, w.start, end, {
      undecided: true,
      settleMs: f.farPollMs + 5 * MIN,
    }).filter((l) => !unfollowed.has(l.riderId));
    expect(feedLags.length).toBeGreaterThanOrEqual(8);
    expect(feedLags.filter((l) => l.lag === null)).toEqual([]);
    const near = feedLags.filter((l) => l.near).map((l) => l.lag as number);
    expect(near.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...near)).toBeLessThanOrEqual(f.nearPollMs + MIN);
    expect(Math.max(...feedLags.map((l) => l.lag as number))).toBeLessThanOrEqual(f.farPollMs + MIN);

    // What it cost: a search per poll; entrants for moved pens only; signup lists for the final
    // sweeps only (never more than one per race that started), and no near sweeps.
    const calls = stats.requests.byEndpoint;
    const polls = (8 * HOUR) / w.engine.policy.followerFeed.nearPollMs;
    expect(calls['zwift-search']).toBeGreaterThanOrEqual(polls * 0.9);
    expect(calls['zwift-search']).toBeLessThanOrEqual(polls * 1.2);
    expect(calls['zwift-entrants']).toBeGreaterThan(0);
    expect(calls['zwift-entrants']).toBeLessThan(calls['zwift-search']!);
    const started = truth.eventsBetween(w.start, end + 5 * MIN).length;
    expect(calls['site-signups']).toBeLessThanOrEqual(started);
    // The list every listIntervalMs (30 min), however many group rides with followed riders the
    // searches show: they are never on the site list, so they are no reason to fetch it.
    expect(ridesWithFollowees.size).toBeGreaterThan(5);
    expect(calls['site-events']).toBeLessThanOrEqual(8 * 2 + 2);

    // Unfollowed riders: named in a warning and in the feed's sync-log messages — and only riders
    // the account really does not follow.
    const warned = log.lines.filter(
      (l) =>
        l.level === 'warn' &&
        l.message.startsWith('follower feed: team riders the Zwift account does not follow'),
    );
    expect(warned.length).toBeGreaterThan(0);
    const named = warned.at(-1)!.fields.riderIds as number[];
    expect(named.length).toBeGreaterThan(0);
    for (const id of named) expect(unfollowed.has(id), `rider ${id} is followed`).toBe(true);
    const last = (await syncLog(w.storage, 'follow')).filter((e) => e.status === 'ok').at(-1)!;
    expect(last.message, last.message ?? '').toContain(`team riders not followed: ${named.join(', ')}`);
    expect(w.events.filter((e) => e.type === 'feed.fallback')).toEqual([]);
  });

  it('falls back to the site planner, loudly, when the Zwift account is locked mid-day: signups keep flowing, nothing is lost', async () => {
    const log = capture();
    world = await createWorld({
      seed: 2,
      teamSize: 60,
      zwiftAccount: true,
      engine: { followerFeed: true, logger: log.logger },
    });
    const w = world;
    const lockAt = w.start + 3 * HOUR;
    const end = w.start + 8 * HOUR;
    w.sim.lockZwiftAccount(lockAt);
    w.engine.start();
    await w.clock.runUntil(lockAt);
    const before = w.sim.stats().requests.byEndpoint;
    await w.clock.runUntil(end);
    await w.clock.run(w.engine.stop());
    const after = w.sim.stats().requests.byEndpoint;
    const truth = w.sim.truthAt(end);

    // Loud: one fallback event, a warning, a failed follow run in the sync log naming the cause.
    const fallbacks = w.events.filter((e) => e.type === 'feed.fallback');
    expect(fallbacks).toHaveLength(1);
    const fallback = fallbacks[0]!;
    expect(fallback.at).toBeGreaterThanOrEqual(lockAt);
    expect(fallback.at).toBeLessThanOrEqual(lockAt + w.engine.policy.followerFeed.nearPollMs + MIN);
    expect(fallback.type === 'feed.fallback' && fallback.errorKind).toBe('auth');
    expect(log.lines.some((l) => l.level === 'warn' && l.message.startsWith('follower feed off (auth'))).toBe(
      true,
    );
    const failed = (await syncLog(w.storage, 'follow')).filter((e) => e.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.errorKind).toBe('auth');
    expect(failed[0]!.message).toContain('the site planner covers every race');
    expect(w.events.some((e) => e.type === 'sync.failed' && e.job === 'follow')).toBe(true);

    // The locked account is not hammered: after the lock, one search a retry (15, 30, 60, 120 min).
    const searchesAfter = (after['zwift-search'] ?? 0) - (before['zwift-search'] ?? 0);
    expect(searchesAfter).toBeLessThanOrEqual(5);
    // The site planner took over: near sweeps again.
    const siteBefore = before['site-signups'] ?? 0;
    const siteAfter = (after['site-signups'] ?? 0) - siteBefore;
    expect(siteAfter / 5).toBeGreaterThan((siteBefore / 3) * 4);

    // Nothing lost: every change stored before its start, and storage equals the truth.
    expect(changeLags(w.events, truth, w.start, end).filter((l) => l.lag === null)).toEqual([]);
    const lags = changeLags(w.events, truth, lockAt, end, { undecided: true, settleMs: 15 * MIN }).filter(
      (l) => l.near,
    );
    expect(lags.length).toBeGreaterThan(5);
    expect(lags.filter((l) => l.lag === null)).toEqual([]);
    expect(await expectSignupsEqualTruth(w, w.start + 10 * MIN, end)).toBeGreaterThanOrEqual(3);
    expect(w.sim.stats().violations.total).toBe(0);
  });

  it('without a Zwift account on the client, falls back at once (config) and syncs from the site API', async () => {
    world = await createWorld({ seed: 3, teamSize: 40, engine: { followerFeed: true } });
    const w = world;
    const end = w.start + 4 * HOUR;
    w.engine.start();
    await w.clock.runUntil(end);
    await w.clock.run(w.engine.stop());
    const fallback = w.events.find((e) => e.type === 'feed.fallback');
    expect(fallback?.type === 'feed.fallback' && fallback.errorKind).toBe('config');
    expect(fallback?.type === 'feed.fallback' && fallback.message).toContain('zwiftAuth');
    const calls = w.sim.stats().requests.byEndpoint;
    expect(calls['zwift-search'] ?? 0).toBe(0);
    expect(calls['zwift-token'] ?? 0).toBe(0);
    expect(calls['site-signups']).toBeGreaterThan(100);
    expect(changeLags(w.events, w.sim.truthAt(end), w.start, end).filter((l) => l.lag === null)).toEqual([]);
    expect(await expectSignupsEqualTruth(w, w.start + 10 * MIN, end)).toBeGreaterThan(0);
  });

  it('resumes after a restart from its cursor: pens already known are not fetched again', async () => {
    world = await createWorld({ seed: 4, teamSize: 60, zwiftAccount: true, engine: { followerFeed: true } });
    const w = world;
    w.engine.start();
    await w.clock.runUntil(w.start + 2 * HOUR);
    await w.clock.run(w.engine.stop());
    const cold = w.sim.stats().requests.byEndpoint['zwift-entrants'] ?? 0;
    expect(cold).toBeGreaterThan(10);
    const state = (await w.storage.getJobStates()).find((s) => s.job === 'follow');
    expect(Object.keys((state?.cursor?.pens as object) ?? {}).length).toBeGreaterThan(5);

    w.sim.resetStats();
    const restarted = w.restart();
    restarted.start();
    const end = w.clock.now() + 2 * HOUR;
    await w.clock.runUntil(w.clock.now() + 20 * MIN);
    // Only pens whose count moved since: a few, not the cold start's full pass.
    expect(w.sim.stats().requests.byEndpoint['zwift-entrants'] ?? 0).toBeLessThan(cold / 3);
    await w.clock.runUntil(end);
    await w.clock.run(restarted.stop());
    expect(changeLags(w.events, w.sim.truthAt(end), w.start, end).filter((l) => l.lag === null)).toEqual([]);
    expect(await expectSignupsEqualTruth(w, w.start + 10 * MIN, end)).toBeGreaterThan(0);
  });
});
