import { ttlFor } from '../policy/resolve-policy.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord, SignupCheck } from '../storage/records.js';

/** Why a signup list is fetched. Higher in this list = more urgent. */
export type FetchReason = 'final' | 'team' | 'near' | 'far';

const RANK: Record<FetchReason, number> = { final: 4, team: 3, near: 2, far: 1 };
/** The most a near sweep is stretched for a race the team is unlikely to be in. */
const MAX_STRETCH = 4;

/** One planned signup-list fetch. */
export interface PlannedFetch {
  eventId: string;
  reason: FetchReason;
  dueAt: number;
  /** Higher first. */
  priority: number;
}

/** Inputs of {@link planSignupFetches}. */
export interface PlanInput {
  now: number;
  policy: SyncPolicy;
  /** Listed events (removed ones are skipped). */
  events: Iterable<EventRecord>;
  /** Last fetch of an event's list, if any. */
  checkOf(eventId: string): SignupCheck | undefined;
  /** Whether the event's series is one the team rides. */
  relevantSeries(event: EventRecord): boolean;
  /**
   * Earliest time an event may be retried after a failed fetch.
   * @default undefined (no event is held back)
   */
  retryAfter?(eventId: string): number | undefined;
  /**
   * How likely a team rider is in the event relative to an average race, in (0, 1]: the share of
   * the team that could join it (team riders whose category is one of its pens), times how often
   * the team races at its start time when learned. Near sweeps of races few team riders can enter,
   * or at times the team rarely races, are stretched by 1/√share (at most 4×).
   * @default () => 1 (every event)
   */
  teamShare?(event: EventRecord): number;
  /**
   * How likely the team's first signup to a race comes at leads (ms before the start) in
   * `[from, to]`, relative to the average lead in the near window, in (0, 1]: the largest over the
   * range, when learned. It multiplies `teamShare`: a near sweep is stretched by the share over the
   * leads it spans, so a race is never swept less often as it enters the leads the team signs up at.
   * @default () => 1 (every lead)
   */
  leadShare?(from: number, to: number): number;
  /**
   * What the site planner still has to cover for an event: `full` (everything below), `final`
   * (only the final sweep — another signal, e.g. the follower feed, gives its team signups, but
   * riders that signal cannot see could be in it), or `none` (another signal covers it entirely).
   * @default () => 'full'
   */
  coverage?(event: EventRecord): SiteCoverage;
}

/** What the site planner covers for one event (see {@link PlanInput.coverage}). */
export type SiteCoverage = 'full' | 'final' | 'none';

/** The plan: what is due now (most urgent first) and when the next fetch becomes due. */
export interface SignupPlan {
  due: PlannedFetch[];
  nextDueAt: number;
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  let n = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/**
 * Decides which signup lists to fetch, from the event feed alone (no calls). Events starting later
 * than `horizonMs` are never fetched (a team signs up within two days); for the others:
 * - **final**: every event once in its last `finalSweepLeadMs`, so a late team signup is never missed;
 * - **team** (a team rider is signed up: withdrawals and teammates joining): the TTL table by time
 *   to start; when the feed's counts did not move since the last fetch, nothing can have changed
 *   (short of a join and a leave in one pen), so the list waits `unchangedCountsFactor` TTLs;
 * - **near** (other events within `nearWindowMs`): every `nearSweepMs` (times `unchangedCountsFactor`
 *   if counts are unchanged) — a uniform sweep gives the best tail lag per call, since a team
 *   rider may join any race; races only part of the team can enter (e.g. an A-only race), or at
 *   times the team rarely races, or at leads before the start at which the team rarely signs up
 *   (`leadShare`), are swept less often, by 1/√(team share);
 * - **far** (other events within `horizonMs`): only when the counts moved, at most every
 *   `farChangedMinIntervalMs` and from `farFirstLeadMs` before the start (`farFavouriteMinIntervalMs`
 *   and the whole horizon for series the team rides).
 * When more is due than the budget allows, the most urgent go first: final, team, near, far; within
 * a class, series the team rides (`relevantSeries`), then the closest start.
 * Events already started are not planned. An event whose `coverage` is `final` gets only its final
 * sweep; `none`, nothing.
 */
export function planSignupFetches(input: PlanInput): SignupPlan {
  const { now, policy } = input;
  const p = policy.signups;
  const due: PlannedFetch[] = [];
  let nextDueAt = Number.POSITIVE_INFINITY;

  for (const event of input.events) {
    if (event.removedAt !== null || event.startsAt <= now) continue;
    const timeToStart = event.startsAt - now;
    if (timeToStart > p.horizonMs) {
      nextDueAt = Math.min(nextDueAt, event.startsAt - p.horizonMs);
      continue;
    }
    const coverage = input.coverage?.(event) ?? 'full';
    if (coverage === 'none') continue;
    const check = input.checkOf(event.eventId);
    const last = check?.fetchedAt ?? Number.NEGATIVE_INFINITY;
    const countsMoved = !check || !sameCounts(check.countsAtFetch, event.signupCounts);
    const teamIn = (check?.teamSignups ?? 0) > 0;
    const favourite = !teamIn && input.relevantSeries(event);

    let reason: FetchReason;
    let dueAt: number;
    if (teamIn) {
      const ttl = ttlFor(policy, timeToStart);
      reason = 'team';
      dueAt = last + (countsMoved ? ttl : p.unchangedCountsFactor * ttl);
    } else if (timeToStart <= p.nearWindowMs) {
      reason = 'near';
      const base = favourite ? p.nearFavouriteSweepMs : p.nearSweepMs;
      let share = input.teamShare?.(event) ?? 1;
      if (input.leadShare) {
        // The leads from the last fetch (or the window's start) to the longest any sweep may be.
        const leadAtLast = Math.min(event.startsAt - last, p.nearWindowMs);
        const span = base * MAX_STRETCH * (countsMoved ? 1 : p.unchangedCountsFactor);
        share *= input.leadShare(leadAtLast - span, leadAtLast);
      }
      const sweep = base * (1 / Math.sqrt(Math.max(share, 1 / MAX_STRETCH ** 2)));
      dueAt = Math.max(
        last + (countsMoved ? sweep : p.unchangedCountsFactor * sweep),
        event.startsAt - p.nearWindowMs,
      );
    } else if (countsMoved) {
      reason = 'far';
      const interval = favourite ? p.farFavouriteMinIntervalMs : p.farChangedMinIntervalMs;
      dueAt = Math.max(last + interval, event.startsAt - (favourite ? p.horizonMs : p.farFirstLeadMs));
    } else {
      reason = 'near'; // not due before it enters the near window
      dueAt = event.startsAt - p.nearWindowMs;
    }
    const finalStart = event.startsAt - p.finalSweepLeadMs;
    if (last < finalStart && finalStart <= dueAt) {
      reason = 'final';
      dueAt = finalStart;
    }
    if (coverage === 'final') {
      if (last >= finalStart) continue;
      reason = 'final';
      dueAt = finalStart;
    }

    const retryAt = input.retryAfter?.(event.eventId);
    if (retryAt !== undefined && retryAt > dueAt) dueAt = retryAt;
    if (dueAt <= now) {
      // Urgency: class first, then series the team rides, then how close the start is.
      const closeness = 1 - timeToStart / p.horizonMs;
      due.push({
        eventId: event.eventId,
        reason,
        dueAt,
        priority: RANK[reason] + (favourite ? 0.5 : 0) + closeness / 2,
      });
    } else if (dueAt < nextDueAt) {
      nextDueAt = dueAt;
    }
  }
  due.sort((a, b) => b.priority - a.priority || a.dueAt - b.dueAt || (a.eventId < b.eventId ? -1 : 1));
  return { due, nextDueAt };
}
