import { ttlFor } from '../policy/resolve-policy.js';
import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord, SignupCheck } from '../storage/records.js';

/** Why a signup list is fetched. Higher in this list = more urgent. */
export type FetchReason = 'final' | 'relevant' | 'near' | 'far';

const RANK: Record<FetchReason, number> = { final: 4, relevant: 3, near: 2, far: 1 };

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
  /** Earliest time an event may be retried after a failed fetch. */
  retryAfter?(eventId: string): number | undefined;
}

/** The plan: what is due now (most urgent first) and when the next fetch becomes due. */
export interface SignupPlan {
  due: PlannedFetch[];
  nextDueAt: number;
}

const sameCounts = (a: Record<string, number>, b: Record<string, number>): boolean => {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
};

/**
 * Decides which signup lists to fetch, from the event feed alone (no calls):
 * - **final**: every event once in its last `finalSweepLeadMs`, so a late team signup is never missed;
 * - **relevant** (a team rider is signed up, or the series is one the team rides): the TTL table by
 *   time to start; when the feed's counts did not move since the last fetch, nothing can have
 *   changed, so the list waits three TTLs;
 * - **near** (other events within `nearWindowMs`): every `nearSweepMs` (tripled if counts are unchanged);
 * - **far** (other events within `horizonMs`): only when the counts moved, at most every
 *   `farChangedMinIntervalMs`.
 * Events already started are not planned.
 */
export function planSignupFetches(input: PlanInput): SignupPlan {
  const { now, policy } = input;
  const p = policy.signups;
  const due: PlannedFetch[] = [];
  let nextDueAt = Number.POSITIVE_INFINITY;

  for (const event of input.events) {
    if (event.removedAt !== null || event.startsAt <= now) continue;
    const timeToStart = event.startsAt - now;
    const check = input.checkOf(event.eventId);
    const last = check?.fetchedAt ?? Number.NEGATIVE_INFINITY;
    const countsMoved = !check || !sameCounts(check.countsAtFetch, event.signupCounts);
    const relevant = (check?.teamSignups ?? 0) > 0 || input.relevantSeries(event);

    const finalStart = event.startsAt - p.finalSweepLeadMs;
    let best: { reason: FetchReason; dueAt: number } | null = null;
    const consider = (reason: FetchReason, dueAt: number) => {
      if (!best || dueAt < best.dueAt || (dueAt === best.dueAt && RANK[reason] > RANK[best.reason])) {
        best = { reason, dueAt };
      }
    };

    if (last < finalStart) consider('final', finalStart);
    if (relevant) {
      const ttl = ttlFor(policy, timeToStart);
      consider('relevant', last + (countsMoved ? ttl : 3 * ttl));
    } else if (timeToStart <= p.nearWindowMs) {
      consider(
        'near',
        Math.max(last + (countsMoved ? p.nearSweepMs : 3 * p.nearSweepMs), event.startsAt - p.nearWindowMs),
      );
    } else if (timeToStart <= p.horizonMs && countsMoved) {
      consider('far', Math.max(last + p.farChangedMinIntervalMs, event.startsAt - p.horizonMs));
    } else {
      // Not due before it enters the near window.
      consider('near', event.startsAt - p.nearWindowMs);
    }

    const chosen = best as { reason: FetchReason; dueAt: number } | null;
    if (!chosen) continue;
    const retryAt = input.retryAfter?.(event.eventId);
    const dueAt = retryAt !== undefined ? Math.max(chosen.dueAt, retryAt) : chosen.dueAt;
    if (dueAt <= now) {
      // Urgency: class first, then how close the start is.
      const closeness = 1 - Math.min(timeToStart, p.horizonMs) / p.horizonMs;
      due.push({
        eventId: event.eventId,
        reason: chosen.reason,
        dueAt,
        priority: RANK[chosen.reason] + closeness,
      });
    } else if (dueAt < nextDueAt) {
      nextDueAt = dueAt;
    }
  }
  due.sort((a, b) => b.priority - a.priority || a.dueAt - b.dueAt || a.eventId.localeCompare(b.eventId));
  return { due, nextDueAt };
}
