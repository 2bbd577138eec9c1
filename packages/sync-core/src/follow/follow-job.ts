import { readEventsCursor } from '../adaptive/events-cursor.js';
import { StartTimeAffinity } from '../adaptive/start-time-affinity.js';
import { budgetOf } from '../engine/budget.js';
import { classifyError } from '../engine/classify-error.js';
import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { applyTeamSignups } from '../operations/apply-team-signups.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import { SOURCE_BUCKETS, type SourceFeedEvent, type SourceFollowerFeed } from '../source/sync-source.js';
import type { JobState } from '../storage/records.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';
import type { FeedState } from './feed-state.js';
import { mayBeListed } from './may-be-listed.js';
import { nearPollInterval } from './near-poll-interval.js';
import { searchFeed } from './search-feed.js';
import { samePresence, teamPresence } from './team-presence.js';

const HOUR = 3_600_000;

/** A pen whose followee count moved since its entrants were last fetched. */
interface MovedPen {
  eventId: string;
  pen: string;
  startsAt: number;
}

/** A far search in progress (the horizon takes a few pages; the search budget may run out between). */
interface FarPass {
  startedAt: number;
  from: number;
}

/**
 * The follower feed (engine option `followerFeed`): Zwift's event search, seen from an account that
 * follows the team, gives every pen's followee count in one call. The job searches the near window
 * every `followerFeed.nearPollMs` (up to 4× as long while its races start at times the team
 * significantly rarely rides, when `signups.learnStartTimes` has learned such times) and the
 * rest of the signup horizon every `farPollMs`; fetches a pen's followed entrants only when its
 * count moved (a count that fell to 0 needs no call); and applies each event's team presence — the
 * followed team riders in its pens plus the stored signups of team riders the account does not
 * follow — as a set.
 * Team riders a site list shows in a pen whose followed entrants lack them are the account's
 * unfollowed riders: logged, named in the sync log, and left to the site planner's safety net. When
 * the Zwift credentials fail the feed falls back (loudly) to the site planner and is retried with
 * back-off; everything the site planner stores meanwhile stays.
 */
export function createFollowJob(feed: FeedState): Job {
  const moved = new Map<string, MovedPen>();
  /** Latest search answer per event, and when it came. */
  const seen = new Map<string, { event: SourceFeedEvent; at: number }>();
  /** Races the site list had not stored that the job asked the events job to list (id → start). */
  const asked = new Map<string, number>();
  /**
   * The team the job last applied signups for (null: not since this process loaded the state), and
   * the races whose team presence must be applied again because the team changed since.
   */
  let appliedTeam: ReadonlySet<number> | null = null;
  const recheck = new Set<string>();
  let far: FarPass | null = null;

  return {
    name: 'follow',
    // The team's riders are what the feed looks for, and the site list's races what it applies to.
    needs: ['team', 'events'],

    async load({ storage, policy, now, cursor, jobStates }) {
      feed.restore(cursor);
      moved.clear();
      seen.clear();
      asked.clear();
      appliedTeam = null;
      recheck.clear();
      far = null;
      await adoptListedRaces(storage, policy, jobStates ?? (await storage.getJobStates()), now);
    },

    async run(ctx: RunContext): Promise<JobOutcome> {
      feed.busy = true;
      feed.revision++;
      try {
        return await runFeed(ctx);
      } finally {
        feed.busy = false;
      }
    },
  };

  async function runFeed(ctx: RunContext): Promise<JobOutcome> {
    const p = ctx.policy.followerFeed;
    const now = ctx.clock.now();
    const cursor = () => feed.toCursor() as unknown as Record<string, unknown>;
    if (ctx.jobStates) await adoptListedRaces(ctx.storage, ctx.policy, ctx.jobStates, now);
    const team = new Set((await ctx.storage.getTeam()).map((m) => m.riderId));
    // The loop starts every job at once: a feed applied before the team is known would store nothing.
    if (team.size === 0 || feed.events.size === 0)
      return { status: 'skipped', nextDueAt: now + 5_000, cursor: cursor() };
    if (feed.fallback && now < feed.fallback.retryAt) {
      return {
        status: 'skipped',
        nextDueAt: feed.fallback.retryAt,
        cursor: cursor(),
        errorKind: feed.fallback.errorKind,
        message: `follower feed off since ${iso(feed.fallback.since)}; retrying at ${iso(feed.fallback.retryAt)}`,
      };
    }
    const zwift = ctx.source.zwift as SourceFollowerFeed;
    const changed = new Set<string>();
    let failure: unknown = null;
    let searchWaitUntil = 0;
    let searched = false;
    let fetched = 0;

    // 1. Search, when due: the near window every nearPollMs (longer while the team is unlikely to
    // sign up), the rest of the horizon every farPollMs (a few pages of 200 events; the search
    // budget may spread one pass over several runs).
    const learned = feed.startTimeShare;
    const nearInterval = nearPollInterval({
      now,
      policy: ctx.policy,
      events: feed.events,
      teamEvents: teamEventsOf(feed, team),
      share: learned ? (startsAt) => learned(startsAt, now) : null,
    });
    feed.nearIntervalMs = nearInterval;
    try {
      const nearDue = feed.nearAt === null || now >= feed.nearAt + nearInterval;
      const farDue = far !== null || feed.farAt === null || now >= feed.farAt + p.farPollMs;
      if (nearDue || farDue) {
        const budget = await budgetOf(ctx, SOURCE_BUCKETS.zwiftSearch);
        let tokens = budget.available;
        if (tokens < 1) searchWaitUntil = budget.nextAvailableAt;
        const nearEnd = now + p.nearWindowMs;
        if (nearDue && tokens >= 1) {
          const pass = await searchFeed(ctx, zwift, {
            from: now,
            to: nearEnd,
            target: nearEnd,
            maxCalls: tokens,
          });
          tokens -= pass.calls;
          searched = true;
          observe(pass.events, ctx.clock.now(), changed, team);
          if (pass.coveredUntil >= nearEnd) {
            feed.nearAt = now;
            feed.nearCoveredUntil = pass.coveredUntil;
          }
          restored(ctx, now);
        }
        if (farDue && far === null) far = { startedAt: now, from: nearEnd };
        if (far !== null && tokens >= 1) {
          const horizonEnd = far.startedAt + ctx.policy.signups.horizonMs;
          const pass = await searchFeed(ctx, zwift, {
            from: Math.max(far.from, now),
            to: horizonEnd,
            target: horizonEnd,
            maxCalls: tokens,
          });
          searched = true;
          observe(pass.events, ctx.clock.now(), changed, team);
          if (pass.coveredUntil >= horizonEnd) {
            feed.farAt = far.startedAt;
            feed.farCoveredUntil = horizonEnd;
            far = null;
          } else {
            far.from = pass.coveredUntil + 1;
            searchWaitUntil = (await budgetOf(ctx, SOURCE_BUCKETS.zwiftSearch)).nextAvailableAt;
          }
          restored(ctx, now);
        } else if (far !== null) {
          searchWaitUntil = Math.max(
            searchWaitUntil,
            (await budgetOf(ctx, SOURCE_BUCKETS.zwiftSearch)).nextAvailableAt,
          );
        }
      }
    } catch (error) {
      failure = error;
    }

    // 2. Followed entrants of the pens whose count moved, soonest start first, within the budget.
    if (failure === null && moved.size > 0) {
      try {
        const budget = await budgetOf(ctx, SOURCE_BUCKETS.zwiftEntrants);
        let tokens = budget.available;
        const queue = [...moved].sort((a, b) => a[1].startsAt - b[1].startsAt || (a[0] < b[0] ? -1 : 1));
        for (const [subgroupId, pen] of queue) {
          if (tokens < 1 || ctx.signal.aborted) break;
          if (pen.startsAt <= ctx.clock.now()) {
            moved.delete(subgroupId);
            continue;
          }
          const answer = await ctx.call(
            (options) => zwift.subgroups.entrants(subgroupId, { type: 'following' }, options),
            5,
          );
          tokens -= answer.pages ?? 1;
          fetched++;
          ctx.counters.records += answer.riders.length;
          ctx.counters.skipped += answer.skipped.length;
          const entrants = answer.riders.map((r) => r.riderId);
          for (const riderId of entrants) if (team.has(riderId)) feed.markFollowed(riderId);
          // Malformed records may hide a rider: then absence proves nothing, keep the ones known.
          const previous = feed.pens.get(subgroupId)?.riderIds ?? [];
          const riders = answer.skipped.length > 0 ? [...new Set([...entrants, ...previous])] : entrants;
          if (riders.length === 0) feed.pens.delete(subgroupId);
          else
            feed.pens.set(subgroupId, {
              eventId: pen.eventId,
              pen: pen.pen,
              count: answer.riders.length,
              riderIds: riders,
              confirmedAt: ctx.clock.now(),
            });
          moved.delete(subgroupId);
          changed.add(pen.eventId);
        }
      } catch (error) {
        failure = error;
      }
    }

    // 3. Each event whose pens are all known again: the team's presence, as a set — and, when the
    // team changed, each event whose followed entrants include a rider who joined or left it.
    await teamChanged(ctx.storage, team);
    /** Events applied again only because the team changed: written only where storage disagrees. */
    const onlyRecheck = new Set<string>();
    for (const eventId of recheck) {
      if (!seen.has(eventId) || feed.noSignal.has(eventId) || changed.has(eventId)) continue;
      changed.add(eventId);
      onlyRecheck.add(eventId);
    }
    for (const pen of moved.values()) changed.delete(pen.eventId);
    if (changed.size > 0) {
      const stored = await ctx.storage.listSignups({ eventIds: [...changed], activeOnly: true });
      const at = ctx.clock.now();
      for (const eventId of [...changed].sort()) {
        const last = seen.get(eventId);
        if (!last) continue;
        recheck.delete(eventId);
        const storedActive = stored.filter((row) => row.eventId === eventId);
        const present = teamPresence(feed, last.event, storedActive, team);
        if (onlyRecheck.has(eventId) && samePresence(present, storedActive)) continue;
        await applyTeamSignups(ctx, eventId, present, at);
      }
    }

    // 4. Evidence: team riders a site list showed, against their pen's followed entrants.
    const news = resolveEvidence(team, ctx.clock.now());
    if (news.length > 0) {
      ctx.logger.warn?.(
        { riderIds: [...feed.unfollowed].sort((a, b) => a - b) },
        'follower feed: team riders the Zwift account does not follow — their signups reach storage only through the site list (the final sweep before each start their category can enter)',
      );
    }
    feed.prune(ctx.clock.now() - HOUR);
    for (const [eventId, last] of seen) if (last.event.startsAt < now - HOUR) seen.delete(eventId);
    for (const [eventId, startsAt] of asked) if (startsAt < now - HOUR) asked.delete(eventId);
    for (const eventId of recheck) {
      const known = feed.events.get(eventId);
      if (!known || known.startsAt <= ctx.clock.now()) recheck.delete(eventId);
    }

    if (failure !== null) return failed(ctx, failure, now, cursor);

    // 5. When to come back: the next search, or sooner when pens wait for the entrants budget.
    let nextDueAt = Math.min(
      (feed.nearAt ?? now) + nearInterval,
      far !== null ? now : (feed.farAt ?? now) + p.farPollMs,
    );
    // A search is due but the budget is spent: when it has room again.
    if (searchWaitUntil > 0) nextDueAt = Math.max(nextDueAt, searchWaitUntil);
    if (moved.size > 0) {
      const budget = await budgetOf(ctx, SOURCE_BUCKETS.zwiftEntrants);
      nextDueAt = Math.min(nextDueAt, budget.nextAvailableAt);
    }
    nextDueAt = Math.max(nextDueAt, ctx.clock.now() + 1000);
    return {
      status: 'ok',
      nextDueAt,
      cursor: cursor(),
      message: summary(team, searched, fetched, nearInterval, p.nearPollMs),
    };
  }

  /**
   * Marks for {@link recheck} the races whose team presence a change of the team moves: those whose
   * followed entrants include a rider who joined or left, and those where a leaver has an active
   * stored signup. The first run after a load cannot know what changed meanwhile, so it takes every
   * race with followed entrants (applying them writes nothing where storage already agrees). Riders
   * who joined and are in a followed pen are followed.
   */
  async function teamChanged(storage: StorageAdapter, team: ReadonlySet<number>): Promise<void> {
    const before = appliedTeam;
    appliedTeam = team;
    if (before === null) {
      for (const pen of feed.pens.values()) {
        if (pen.riderIds.length > 0) recheck.add(pen.eventId);
        for (const riderId of pen.riderIds) if (team.has(riderId)) feed.markFollowed(riderId);
      }
      return;
    }
    const left = [...before].filter((riderId) => !team.has(riderId));
    const joinedOrLeft = new Set(left);
    for (const riderId of team) if (!before.has(riderId)) joinedOrLeft.add(riderId);
    if (joinedOrLeft.size === 0) return;
    for (const pen of feed.pens.values()) {
      for (const riderId of pen.riderIds) {
        if (!joinedOrLeft.has(riderId)) continue;
        recheck.add(pen.eventId);
        if (team.has(riderId)) feed.markFollowed(riderId);
      }
    }
    if (left.length > 0) {
      for (const row of await storage.listSignups({ riderIds: left, activeOnly: true }))
        if (feed.events.has(row.eventId)) recheck.add(row.eventId);
    }
  }

  /**
   * The races the site list stored, from storage, when the events job listed them in another
   * instance (or in an earlier process) since the ones this process holds — with what that job
   * learned of the team's start times. `states`: the jobs' persisted states.
   */
  async function adoptListedRaces(
    storage: StorageAdapter,
    policy: SyncPolicy,
    states: readonly JobState[],
    now: number,
  ): Promise<void> {
    const state = states.find((s) => s.job === 'events');
    const stored = readEventsCursor(state?.cursor as Record<string, unknown> | null | undefined, now);
    if (!Number.isFinite(stored.listAt) || (feed.eventsListAt !== null && stored.listAt <= feed.eventsListAt))
      return;
    feed.events = new Map(
      (await storage.listEvents({ startsFrom: now - 6 * HOUR, includeRemoved: true })).map((e) => [
        e.eventId,
        { startsAt: e.startsAt, categories: e.categories, removedAt: e.removedAt },
      ]),
    );
    feed.eventsListAt = stored.listAt;
    const p = policy.signups;
    if (p.learnStartTimes && stored.startTimes) {
      const learned = new StartTimeAffinity({ halfLifeMs: p.seriesHalfLifeMs }, stored.startTimes);
      feed.startTimeShare = (startsAt, at) => learned.share(startsAt, at);
    }
  }

  /** Compares a search answer's followee counts with the pens' known state. */
  function observe(
    events: Map<string, SourceFeedEvent>,
    at: number,
    changed: Set<string>,
    team: ReadonlySet<number>,
  ): void {
    for (const event of events.values()) {
      const known = feed.events.get(event.eventId);
      if (!known || known.removedAt !== null) {
        // A race with followed riders the site list has not stored (yet): ask for the list once.
        // Group rides and workouts are never on it.
        if (
          !known &&
          (event.followeeEntrantCount ?? 0) > 0 &&
          mayBeListed(event.type ?? null) &&
          !asked.has(event.eventId)
        ) {
          asked.set(event.eventId, event.startsAt);
          feed.listWantedAt = at;
        }
        continue;
      }
      if (known.startsAt <= at) continue;
      seen.set(event.eventId, { event, at });
      const signal =
        event.followeeEntrantCount !== null &&
        event.subgroups.length > 0 &&
        event.subgroups.every((s) => s.followeeEntrantCount !== null && s.label !== null);
      if (!signal) {
        feed.noSignal.add(event.eventId);
        continue;
      }
      feed.noSignal.delete(event.eventId);
      for (const subgroup of event.subgroups) {
        const count = subgroup.followeeEntrantCount as number;
        const state = feed.pens.get(subgroup.subgroupId);
        if (count === 0) {
          // Nobody followed left in the pen: no call needed to know who.
          moved.delete(subgroup.subgroupId);
          if (state) {
            feed.pens.delete(subgroup.subgroupId);
            if (state.riderIds.some((id) => team.has(id))) changed.add(event.eventId);
          }
          continue;
        }
        if (state && state.count === count) {
          state.confirmedAt = at;
          moved.delete(subgroup.subgroupId);
          continue;
        }
        moved.set(subgroup.subgroupId, {
          eventId: event.eventId,
          pen: subgroup.label as string,
          startsAt: known.startsAt,
        });
      }
    }
  }

  /** Decides pending evidence whose pen the feed has confirmed since the site list; returns news. */
  function resolveEvidence(team: ReadonlySet<number>, now: number): number[] {
    const news: number[] = [];
    feed.evidence = feed.evidence.filter((e) => {
      if (!team.has(e.riderId)) return false;
      const last = seen.get(e.eventId);
      const known = feed.events.get(e.eventId);
      if (!known || known.startsAt <= now) return false;
      if (!last) return true;
      const subgroup = last.event.subgroups.find((s) => s.label === e.pen);
      if (!subgroup || feed.noSignal.has(e.eventId)) return false;
      if (moved.has(subgroup.subgroupId)) return true;
      const state = feed.pens.get(subgroup.subgroupId);
      const confirmedAt = state ? state.confirmedAt : last.at;
      if (confirmedAt <= e.at) return true;
      if (state?.riderIds.includes(e.riderId)) feed.markFollowed(e.riderId);
      else if (feed.markUnfollowed(e.riderId)) news.push(e.riderId);
      return false;
    });
    return news;
  }

  /** A search succeeded: a fallback ends, loudly. */
  function restored(ctx: RunContext, now: number): void {
    if (!feed.fallback) return;
    const since = feed.fallback.since;
    feed.fallback = null;
    const message = `follower feed works again (off since ${iso(since)})`;
    ctx.logger.warn?.({ since }, message);
    ctx.bus.emit({
      id: `feed.restored:${now}`,
      type: 'feed.restored',
      at: now,
      errorKind: null,
      message,
      retryAt: null,
    });
  }

  /** A failed run: credentials (or a missing account) switch to the fallback; anything else retries. */
  function failed(
    ctx: RunContext,
    error: unknown,
    now: number,
    cursor: () => Record<string, unknown>,
  ): JobOutcome {
    const info = classifyError(error, ctx.signal);
    if (info.kind === 'aborted') throw error;
    const p = ctx.policy.followerFeed;
    if (info.kind === 'auth' || info.kind === 'config') {
      const failures = (feed.fallback?.failures ?? 0) + 1;
      const retryAt = now + Math.min(p.retryAfterMs * 2 ** (failures - 1), p.retryMaxMs);
      const message = `follower feed off (${info.kind}: ${info.message}); the site planner covers every race until a retry at ${iso(retryAt)}`;
      const first = feed.fallback === null;
      feed.fallback = {
        since: feed.fallback?.since ?? now,
        retryAt,
        failures,
        errorKind: info.kind,
        message: info.message,
      };
      moved.clear();
      far = null;
      ctx.logger.warn?.({ kind: info.kind, retryAt, failures }, message);
      if (first) {
        ctx.bus.emit({
          id: `feed.fallback:${now}`,
          type: 'feed.fallback',
          at: now,
          errorKind: info.kind,
          message,
          retryAt,
        });
      }
      return { status: 'failed', nextDueAt: retryAt, cursor: cursor(), errorKind: info.kind, message };
    }
    const wait =
      info.kind === 'rate_limited'
        ? (info.retryAfterMs ?? 30_000)
        : Math.min(ctx.policy.failureBackoffMs, p.nearPollMs);
    return {
      status: 'partial',
      nextDueAt: now + Math.max(wait, 1000),
      cursor: cursor(),
      errorKind: info.kind,
      message: `follower feed: ${info.message}`,
    };
  }

  function summary(
    team: ReadonlySet<number>,
    searched: boolean,
    fetched: number,
    nearInterval: number,
    nearPollMs: number,
  ): string {
    const unfollowed = [...feed.unfollowed].filter((id) => team.has(id)).sort((a, b) => a - b);
    const unseen = [...team].filter((id) => !feed.followed.has(id) && !feed.unfollowed.has(id)).length;
    const pace =
      nearInterval > nearPollMs
        ? `; near search every ${(nearInterval / 60_000).toFixed(1)} min (its races start at times the team rarely rides)`
        : '';
    return (
      `follower feed: ${searched ? 'searched, ' : ''}${fetched} pen${fetched === 1 ? '' : 's'} fetched; ` +
      `team riders not followed: ${unfollowed.length === 0 ? 'none seen' : unfollowed.join(', ')}; ` +
      `not seen in a followed pen yet: ${unseen}${pace}`
    );
  }
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** Events the feed saw team riders in (their withdrawals and teammates joining keep the near search at its pace). */
function teamEventsOf(feed: FeedState, team: ReadonlySet<number>): Set<string> {
  const out = new Set<string>();
  for (const pen of feed.pens.values()) if (pen.riderIds.some((id) => team.has(id))) out.add(pen.eventId);
  return out;
}
