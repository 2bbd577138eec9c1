import { budgetOf } from '../engine/budget.js';
import { classifyError } from '../engine/classify-error.js';
import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import type { FeedState } from '../follow/feed-state.js';
import { syncEventList } from '../operations/sync-event-list.js';
import { syncSignups } from '../operations/sync-signups.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';
import type { EventRecord, ResultJob, SignupCheck } from '../storage/records.js';
import { EventTracker } from './event-tracker.js';
import { type EventsCursor, readEventsCursor } from './events-cursor.js';
import { estimateFinish } from './race-duration.js';
import { SeriesAffinity } from './series-affinity.js';
import { SignupLeadAffinity } from './signup-lead-affinity.js';
import { planSignupFetches, type SiteCoverage } from './signup-planner.js';
import { StartTimeAffinity } from './start-time-affinity.js';

const HOUR = 3_600_000;

/** Pen labels every rider category maps to; other labels (e.g. `W`) may hold anyone. */
const CATEGORY_PENS = new Set(['A', 'B', 'C', 'D', 'E']);

/**
 * The unified event sync: fetch the upcoming-events list once (its signup counts are the change
 * signal), upsert all of it, then fetch the signup lists the planner says are due — within the site
 * budget, most urgent first. Races that start with team riders signed up are handed to the results
 * queue (persisted), so results are fetched when the race should be over.
 *
 * With the follower feed (`feed`), races whose signups the feed currently covers get only the
 * safety net: the final sweep, and only where a team rider the feed cannot see (not followed, or
 * never seen in a followed pen) could be — a pen of their category, or a pen open to anyone. Races
 * the feed does not cover (no signal, beyond its searches, the feed stale or in fallback) are
 * planned as without a feed. The list is then fetched every `followerFeed.listIntervalMs`.
 */
export function createEventsJob(options: {
  /** Called with the due time of every results fetch the job queues (the results job is pulled to it). */
  onResultsQueued: (dueAt: number) => void;
  /**
   * The follower feed's shared state (with the follow job).
   * @default undefined (site lists only)
   */
  feed?: FeedState;
}): Job {
  const feed = options.feed ?? null;
  /** First run of this job in this process (the feed's start-up grace is counted from it). */
  let firstRunAt: number | null = null;
  /** Times of recent far fetches (they may use only `signups.farBudgetShare` of the site budget). */
  let farFetchedAt: number[] = [];
  let tracker: EventTracker | null = null;
  let affinity: SeriesAffinity | null = null;
  let startTimes: StartTimeAffinity | null = null;
  let leads: SignupLeadAffinity | null = null;
  let penShares: Map<string, number> | null = null;
  let cursor: EventsCursor = {
    listDueAt: 0,
    listAt: Number.NEGATIVE_INFINITY,
    startsScannedTo: Number.NaN,
    affinity: {},
    startTimes: null,
    leads: null,
    leadsWatchedTo: null,
  };

  return {
    name: 'events',
    needs: ['team'],

    async load({ storage, policy, now, cursor: stored, jobStates }) {
      cursor = readEventsCursor(stored, now);
      tracker ??= new EventTracker(policy.signups.cacheSize);
      await tracker.load(storage, now - 6 * HOUR);
      affinity = null;
      startTimes = null;
      leads = null;
      if (feed) {
        shareEvents(feed, tracker, cursor.listAt);
        feed.refreshFrom(jobStates ?? (await storage.getJobStates()));
      }
    },

    async run(ctx: RunContext): Promise<JobOutcome> {
      const p = ctx.policy;
      const now = ctx.clock.now();
      firstRunAt ??= now;
      tracker ??= new EventTracker(p.signups.cacheSize);
      // The follow job may run in another instance: its latest persisted state, if newer.
      if (feed && ctx.jobStates) feed.refreshFrom(ctx.jobStates);
      affinity ??= new SeriesAffinity(
        {
          halfLifeMs: p.signups.seriesHalfLifeMs,
          minSignups: p.signups.seriesMinSignups,
          minShare: p.signups.seriesMinShare,
        },
        cursor.affinity,
      );
      startTimes ??= new StartTimeAffinity(
        { halfLifeMs: p.signups.seriesHalfLifeMs },
        cursor.startTimes ?? undefined,
      );
      leads ??= new SignupLeadAffinity(
        { halfLifeMs: p.signups.seriesHalfLifeMs, windowMs: p.signups.nearWindowMs },
        cursor.leads ?? undefined,
      );
      if (feed) {
        // The follower feed's near search waits longer while the team is unlikely to sign up.
        const learned = startTimes;
        feed.startTimeShare = p.signups.learnStartTimes
          ? (startsAt, at) => learned.share(startsAt, at)
          : null;
      }
      if (Number.isNaN(cursor.startsScannedTo)) cursor.startsScannedTo = now;
      const team = new Set((await ctx.storage.getTeam()).map((m) => m.riderId));
      let status: JobOutcome['status'] = 'ok';
      let errorKind: string | null = null;
      let message: string | null = null;

      // 1. The list (less often while the follower feed gives the signup signal).
      const feedHealthy = feed?.healthy(now, p) ?? false;
      const listDue =
        now >= cursor.listDueAt &&
        (!feedHealthy ||
          now >= cursor.listAt + p.followerFeed.listIntervalMs ||
          (feed?.listWantedAt ?? Number.NEGATIVE_INFINITY) > cursor.listAt);
      if (listDue || tracker.events.size === 0) {
        try {
          const list = await syncEventList(ctx, {
            markRemoved: p.events.markRemoved,
            previous: tracker.events,
          });
          tracker.replaceListed(list.events, list.removed, now - 6 * HOUR);
          penShares = await teamPenShares(ctx, team);
          tracker.prune(now - 6 * HOUR);
          cursor.listDueAt = now + p.events.listIntervalMs;
          cursor.listAt = now;
          if (feed) shareEvents(feed, tracker, now);
        } catch (error) {
          const info = classifyError(error, ctx.signal);
          if (info.kind === 'aborted') throw error;
          cursor.listDueAt = now + (info.retryAfterMs ?? p.failureBackoffMs);
          status = 'partial';
          errorKind = info.kind;
          message = `event list: ${info.message}`;
        }
      }

      // 2. Races that started: queue results for those the team rides.
      const times = startTimes;
      await queueStartedRaces(ctx, tracker, cursor, options.onResultsQueued, (event, teamRiders) =>
        times.observeStart(event.startsAt, teamRiders > 0, now),
      );

      // 3. Signup lists, within the budget.
      const budget = await budgetOf(ctx, SOURCE_BUCKETS.site);
      const listReserve = cursor.listDueAt <= now + 60_000 ? 1 : 0;
      let allowance = Math.max(0, Math.floor(budget.available * p.signups.siteBudgetShare) - listReserve);
      if (budget.available >= 1 && allowance === 0 && listReserve === 0) allowance = 1;
      // Until the team is known (first start: the team job runs alongside), a list would be applied
      // as "no team signups" and not be looked at again until its TTL: fetch none yet.
      if (team.size === 0) allowance = 0;
      const currentAffinity = affinity;
      const relevantSeries = (event: EventRecord) => currentAffinity.isRelevant(event.title, now);
      penShares ??= await teamPenShares(ctx, team);
      const shares = penShares;
      // How likely the team is in a race, relative to an average one: the share of the team its
      // pens admit, times how often the team races at its start time (hour, weekday) when learned.
      const timeShare = (event: EventRecord) =>
        p.signups.learnStartTimes ? times.share(event.startsAt, now) : 1;
      const teamShare = (event: EventRecord) => {
        if (shares.size === 0) return timeShare(event);
        let share = 0;
        for (const pen of event.categories) share += shares.get(pen) ?? 0;
        return Math.min(1, share) * timeShare(event);
      };
      // With the follower feed: what the site planner still covers (the safety net).
      let coverage: ((event: EventRecord) => SiteCoverage) | undefined;
      if (feed) {
        const safety = await netOf(ctx, feed, team);
        // The feed has not searched yet (start-up): for a while, only the final sweeps.
        const starting =
          feed.nearAt === null && feed.fallback === null && now - firstRunAt < p.followerFeed.staleAfterMs;
        coverage = (event) => {
          if (starting) return 'final';
          if (!feed.covers(event, ctx.clock.now(), p)) return 'full';
          if (safety.anyPen) return 'final';
          for (const pen of event.categories) {
            if (!CATEGORY_PENS.has(pen) || safety.categories.has(pen)) return 'final';
          }
          return 'none';
        };
      }
      // How long before a start the team signs up: races the site planner sweeps in full (not
      // those another signal covers), watched since the last run.
      const learner = leads;
      const swept = (event: EventRecord) => coverage === undefined || coverage(event) === 'full';
      watchLeads(learner, tracker, cursor, now, swept);
      const leadShare = p.signups.learnSignupLeads
        ? (from: number, to: number) => learner.share(from, to, now)
        : undefined;
      const plan = planSignupFetches({
        now,
        policy: p,
        events: tracker.events.values(),
        checkOf: (id) => tracker?.check(id),
        relevantSeries,
        teamShare,
        ...(leadShare ? { leadShare } : {}),
        retryAfter: (id) => tracker?.retryAfter(id),
        ...(coverage ? { coverage } : {}),
      });
      // Far fetches (a cold start's first pass, mostly) take only a share of the budget, so they are
      // spread out and never crowd out the near, team and final sweeps.
      const farCap = Math.max(1, Math.floor(budget.capacity * p.signups.farBudgetShare));
      farFetchedAt = farFetchedAt.filter((t) => t > now - budget.intervalMs);
      let farLeft = farCap - farFetchedAt.length;
      const selected = [];
      for (const fetch of plan.due) {
        if (selected.length >= allowance) break;
        if (fetch.reason === 'far') {
          if (farLeft <= 0) continue;
          farLeft--;
        }
        selected.push(fetch);
      }
      const updated: SignupCheck[] = [];
      let stoppedByLimit = false;
      let failures = 0;
      for (const fetch of selected) {
        if (ctx.signal.aborted) break;
        const event = tracker.events.get(fetch.eventId);
        if (!event) continue;
        try {
          const previous = tracker.check(event.eventId);
          const result = await syncSignups(ctx, event.eventId, team, Math.round(fetch.priority * 10));
          const at = ctx.clock.now();
          // A race without team signups at its last fetch has some now: the near sweep's find.
          if (previous && previous.teamSignups === 0 && result.teamSignups > 0 && swept(event))
            learner.observeFound(event.startsAt, previous.fetchedAt, at, at);
          if (fetch.reason === 'far') farFetchedAt.push(at);
          if (result.delta.added.length > 0) affinity.observe(event.title, at, result.delta.added.length);
          const check: SignupCheck = {
            eventId: event.eventId,
            fetchedAt: at,
            countsAtFetch: { ...event.signupCounts },
            teamSignups: result.teamSignups,
          };
          tracker.setCheck(check);
          updated.push(check);
          if (result.partial) status = 'partial';
          // Team riders the list shows: the follow job checks them against their pen's followed entrants.
          else if (feed) {
            for (const row of result.present) feed.addEvidence({ ...row, eventId: event.eventId, at });
          }
        } catch (error) {
          const info = classifyError(error, ctx.signal);
          if (info.kind === 'aborted') break;
          if (info.kind === 'rate_limited') {
            stoppedByLimit = true;
            break;
          }
          failures++;
          ctx.counters.skipped++;
          tracker.markFailed(event.eventId, ctx.clock.now() + p.failureBackoffMs);
          ctx.logger.warn?.(
            { eventId: event.eventId, kind: info.kind, message: info.message },
            'signup list fetch failed; other events continue',
          );
          errorKind ??= info.kind;
          message ??= `signups ${event.eventId}: ${info.message}`;
        }
      }
      if (updated.length > 0) await ctx.storage.putSignupChecks(updated);
      if (ctx.logger.debug) {
        const byReason: Record<string, number> = {};
        for (const fetch of selected.slice(0, updated.length)) {
          const event = tracker.events.get(fetch.eventId);
          const hours = event ? Math.ceil((event.startsAt - now) / HOUR) : -1;
          const band =
            hours <= 1 ? '<1h' : hours <= 6 ? '<6h' : hours <= 12 ? '<12h' : hours <= 24 ? '<24h' : '>24h';
          const team = (tracker.check(fetch.eventId)?.teamSignups ?? 0) > 0 ? '+team' : '';
          for (const key of [fetch.reason, `${fetch.reason}${team} ${band}`])
            byReason[key] = (byReason[key] ?? 0) + 1;
        }
        ctx.logger.debug({ fetched: updated.length, due: plan.due.length, byReason }, 'signup lists fetched');
      }
      if (failures > 0) status = 'partial';
      cursor.affinity = affinity.snapshot();
      cursor.startTimes = times.snapshot();
      cursor.leads = learner.snapshot();

      // 4. When to come back.
      const after = ctx.clock.now();
      const replan = planSignupFetches({
        now: after,
        policy: p,
        events: tracker.events.values(),
        checkOf: (id) => tracker?.check(id),
        relevantSeries: (event) => currentAffinity.isRelevant(event.title, after),
        teamShare,
        ...(leadShare ? { leadShare } : {}),
        retryAfter: (id) => tracker?.retryAfter(id),
        ...(coverage ? { coverage } : {}),
      });
      const listAgainAt = feedHealthy
        ? Math.max(cursor.listDueAt, cursor.listAt + p.followerFeed.listIntervalMs)
        : cursor.listDueAt;
      let nextDueAt = Math.min(listAgainAt, replan.nextDueAt, nextStart(tracker, cursor.startsScannedTo));
      // The feed's cover ends when it goes stale (or its start-up grace ends): plan again then.
      if (feed && feed.fallback === null) {
        const coverEnds = feed.staleAt(p) ?? firstRunAt + p.followerFeed.staleAfterMs;
        if (coverEnds >= after) nextDueAt = Math.min(nextDueAt, coverEnds + 1);
      }
      farFetchedAt = farFetchedAt.filter((t) => t > after - budget.intervalMs);
      const farFree = farFetchedAt.length < farCap;
      const waiting = replan.due.filter((f) => f.reason !== 'far' || farFree);
      if (waiting.length > 0 || stoppedByLimit) {
        // More is due than the budget allowed: come back when tokens are free again, but not more
        // often than minRunGapMs, so a saturated bucket is worked in small batches, not token by token.
        const refreshed = await budgetOf(ctx, SOURCE_BUCKETS.site);
        nextDueAt = Math.min(nextDueAt, Math.max(refreshed.nextAvailableAt, after + p.events.minRunGapMs));
      } else if (replan.due.length > 0) {
        // Only far fetches wait, for their share of the budget.
        nextDueAt = Math.min(
          nextDueAt,
          Math.max(farFetchedAt[0]! + budget.intervalMs, after + p.events.minRunGapMs),
        );
      }
      return {
        status,
        nextDueAt,
        cursor: cursor as unknown as Record<string, unknown>,
        errorKind,
        message,
      };
    },
  };
}

/**
 * Counts the time since the last run as watched, for the lead learning, for every race fetched
 * before that had no team signups at its last fetch and that the site planner sweeps.
 */
function watchLeads(
  leads: SignupLeadAffinity,
  tracker: EventTracker,
  cursor: EventsCursor,
  now: number,
  swept: (event: EventRecord) => boolean,
): void {
  const from = cursor.leadsWatchedTo ?? now;
  cursor.leadsWatchedTo = now;
  if (now <= from) return;
  for (const event of tracker.events.values()) {
    if (event.removedAt !== null || event.startsAt <= from) continue;
    const check = tracker.check(event.eventId);
    if (!check || check.teamSignups > 0 || !swept(event)) continue;
    leads.observeWatched(event.startsAt, from, Math.min(now, event.startsAt), now);
  }
}

/** Hands the listed races to the follower feed (it applies signups only to races the site list stored). */
function shareEvents(feed: FeedState, tracker: EventTracker, listAt: number): void {
  feed.eventsListAt = listAt;
  feed.events = new Map(
    [...tracker.events.values()].map((e) => [
      e.eventId,
      { startsAt: e.startsAt, categories: e.categories, removedAt: e.removedAt },
    ]),
  );
}

/**
 * The safety net's reach: the categories of the team riders the feed cannot see (not followed, or
 * never seen in a followed pen); `anyPen` when one of them has no known category.
 */
async function netOf(
  ctx: RunContext,
  feed: FeedState,
  team: ReadonlySet<number>,
): Promise<{ categories: Set<string>; anyPen: boolean }> {
  const riders = feed.notFollowed(team);
  const categories = new Set<string>();
  if (riders.length === 0) return { categories, anyPen: false };
  const stored = new Map((await ctx.storage.getRiders(riders)).map((r) => [r.riderId, r.category]));
  let anyPen = false;
  for (const riderId of riders) {
    const category = stored.get(riderId);
    if (category) categories.add(category);
    else anyPen = true;
  }
  return { categories, anyPen };
}

/** Share of the team per category (pen label), from the stored riders; empty when unknown. */
async function teamPenShares(ctx: RunContext, team: ReadonlySet<number>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let known = 0;
  for (const rider of await ctx.storage.getRiders([...team])) {
    if (!rider.category) continue;
    counts.set(rider.category, (counts.get(rider.category) ?? 0) + 1);
    known++;
  }
  const shares = new Map<string, number>();
  for (const [pen, n] of counts) shares.set(pen, n / known);
  return shares;
}

function nextStart(tracker: EventTracker, scannedTo: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const event of tracker.events.values()) {
    if (event.startsAt > scannedTo && event.startsAt < next && event.removedAt === null)
      next = event.startsAt;
  }
  return next;
}

async function queueStartedRaces(
  ctx: RunContext,
  tracker: EventTracker,
  cursor: EventsCursor,
  onQueued: (dueAt: number) => void,
  onStarted: (event: EventRecord, teamRiders: number) => void,
): Promise<void> {
  const now = ctx.clock.now();
  const started = [...tracker.events.values()].filter(
    (e) => e.startsAt > cursor.startsScannedTo && e.startsAt <= now && e.removedAt === null,
  );
  if (started.length === 0) {
    cursor.startsScannedTo = Math.max(cursor.startsScannedTo, now);
    return;
  }
  const signups = await ctx.storage.listSignups({
    eventIds: started.map((e) => e.eventId),
    activeOnly: true,
  });
  const riders = new Map<string, number>();
  for (const row of signups) riders.set(row.eventId, (riders.get(row.eventId) ?? 0) + 1);
  const queued = new Set((await ctx.storage.listResultJobs()).map((j) => j.eventId));
  const jobs: ResultJob[] = [];
  for (const event of started) {
    const count = riders.get(event.eventId) ?? 0;
    onStarted(event, count);
    if (count === 0 || queued.has(event.eventId)) continue;
    jobs.push({
      eventId: event.eventId,
      phase: 'initial',
      dueAt: estimateFinish(event, ctx.policy) + ctx.policy.results.graceMs,
      attempts: 0,
      priority: count,
      eventStartsAt: event.startsAt,
      createdAt: now,
    });
  }
  if (jobs.length > 0) {
    await ctx.storage.putResultJobs(jobs);
    onQueued(Math.min(...jobs.map((j) => j.dueAt)));
  }
  cursor.startsScannedTo = now;
}
