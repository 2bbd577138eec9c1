import type { SyncPolicy } from '../policy/sync-policy.js';
import type { EventRecord, JobState, Json } from '../storage/records.js';

/**
 * What the feed knows of one pen: the account's followee count and who they are. All of them, not
 * only the team's: a followed rider who joins the team later is then applied without a call.
 */
export interface PenState {
  eventId: string;
  /** Pen label, as the signup lists name it. */
  pen: string;
  /** Followed riders in the pen at the last entrants fetch (or the last search, when it was 0). */
  count: number;
  /**
   * Their rider ids (team riders or not). Cursors written by earlier versions hold the team's only, which
   * the next entrants fetch of the pen completes.
   */
  riderIds: number[];
  /** Last time a search or an entrants fetch confirmed `count` (clock ms). */
  confirmedAt: number;
}

/** A team rider seen in a site signup list, to be checked against the pen's followed entrants. */
export interface FollowEvidence {
  riderId: number;
  eventId: string;
  pen: string;
  /** When the site list was fetched. */
  at: number;
}

/** Why the feed is not used, since when, and when it is tried again. */
export interface FeedFallback {
  since: number;
  retryAt: number;
  /** Consecutive failed attempts (the retry wait doubles with each). */
  failures: number;
  errorKind: string;
  message: string;
}

/** The feed's state as persisted in the `follow` job's cursor (JSON). */
export interface FeedCursor {
  /** subgroupId → [eventId, pen, count, riderIds (the followed entrants), confirmedAt]. */
  pens: Record<string, [string, string, number, number[], number]>;
  followed: number[];
  unfollowed: number[];
  evidence: [number, string, string, number][];
  nearAt: number | null;
  /** The wait planned after the last near search (absent in cursors from before it was kept). */
  nearIntervalMs?: number | null;
  nearCoveredUntil: number;
  farAt: number | null;
  farCoveredUntil: number;
  noSignal: string[];
  fallback: FeedFallback | null;
  /** Follow runs that produced this state (absent in cursors from before it was kept: 0). */
  revision?: number;
  /** When a search last showed a race the site list had not stored (absent: never). */
  listWantedAt?: number | null;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => num(x)) : []);

/**
 * The follower feed's working state, shared by the `follow` job (which keeps it) and the `events`
 * job (which asks it what the site planner still has to cover): the followee count and team riders
 * of every pen seen with followees, which team riders the account follows (seen in its followed
 * entrants) or does not (seen in a site list but absent from the pen's followed entrants), how far
 * and how recently the searches covered the race calendar, and whether the feed is in fallback
 * (credentials failed). Persisted in the `follow` job's cursor, so a restart resumes.
 */
export class FeedState {
  /** subgroupId → pen state; pens not listed had no followee at the last search. */
  readonly pens = new Map<string, PenState>();
  /** Team riders seen in a pen's followed entrants. */
  readonly followed = new Set<number>();
  /** Team riders seen in a site list but not in the pen's followed entrants. */
  readonly unfollowed = new Set<number>();
  evidence: FollowEvidence[] = [];
  /** Last successful near search, and the latest start it covered. */
  nearAt: number | null = null;
  nearCoveredUntil = Number.NEGATIVE_INFINITY;
  /**
   * The wait until the next near search, as last planned: `nearPollMs`, or longer while the team
   * is unlikely to sign up (null: not planned yet, i.e. `nearPollMs`).
   */
  nearIntervalMs: number | null = null;
  /**
   * The start-time learner's share of a start (set by the events job, which keeps the learner, when
   * `signups.learnStartTimes` is on; not persisted): the follow job stretches its near search by it.
   */
  startTimeShare: ((startsAt: number, now: number) => number) | null = null;
  /** Last complete search of the horizon, and the latest start it covered. */
  farAt: number | null = null;
  farCoveredUntil = Number.NEGATIVE_INFINITY;
  /** Events whose last search answer lacked a followee count for the event or a pen. */
  noSignal = new Set<string>();
  fallback: FeedFallback | null = null;
  /** Races the site list stored (kept by the events job; the feed applies signups only to them). */
  events = new Map<string, Pick<EventRecord, 'startsAt' | 'categories' | 'removedAt'>>();
  /**
   * When the follow job last saw, with followed riders in it, a race the site list had not stored
   * (persisted): the events job fetches the list early unless its last list is as recent.
   */
  listWantedAt: number | null = null;
  /**
   * The list fetch `events` comes from (the events job's `listAt`; not persisted): the follow job
   * reloads the races from storage when the events job listed them since in another instance.
   */
  eventsListAt: number | null = null;
  /**
   * Follow runs that produced this state (persisted; each run adds one). The events job of another
   * instance adopts the persisted state only when it is newer than the one it holds.
   */
  revision = 0;
  /** A follow run is in progress in this process (its state must not be replaced from storage). */
  busy = false;

  /**
   * Whether the feed currently gives the signup signal of `event`: the feed is healthy (see
   * {@link healthy}), the event's last answer had followee counts on
   * every pen, and its start was covered by that near search — or, further out, the rest of the
   * horizon was searched within `farPollMs + staleAfterMs` (a race that entered the horizon since is
   * searched on the next pass).
   */
  covers(event: Pick<EventRecord, 'eventId' | 'startsAt'>, now: number, policy: SyncPolicy): boolean {
    if (!this.healthy(now, policy) || this.noSignal.has(event.eventId)) return false;
    if (event.startsAt <= this.nearCoveredUntil) return true;
    const f = policy.followerFeed;
    return this.farAt !== null && now - this.farAt <= f.farPollMs + f.staleAfterMs;
  }

  /** Whether the feed works at all now: no fallback, and the last near search not stale ({@link staleAt}). */
  healthy(now: number, policy: SyncPolicy): boolean {
    const staleAt = this.staleAt(policy);
    return this.fallback === null && staleAt !== null && now <= staleAt;
  }

  /**
   * When the last near search goes stale: `staleAfterMs` after it, plus what the planned wait
   * exceeds `nearPollMs` by while the near search is stretched; null before the first one.
   */
  staleAt(policy: SyncPolicy): number | null {
    if (this.nearAt === null) return null;
    const f = policy.followerFeed;
    return this.nearAt + f.staleAfterMs + Math.max(0, (this.nearIntervalMs ?? f.nearPollMs) - f.nearPollMs);
  }

  /** Team riders the feed cannot see: not followed, or never seen in a followed pen. */
  notFollowed(team: Iterable<number>): number[] {
    const out: number[] = [];
    for (const riderId of team) if (!this.followed.has(riderId)) out.push(riderId);
    return out;
  }

  /** Pens of one event. */
  pensOf(eventId: string): [string, PenState][] {
    const out: [string, PenState][] = [];
    for (const entry of this.pens) if (entry[1].eventId === eventId) out.push(entry);
    return out;
  }

  /** Records that a site list showed `riderId` in a pen (checked against the feed later). */
  addEvidence(evidence: FollowEvidence): void {
    if (this.unfollowed.has(evidence.riderId)) return;
    const i = this.evidence.findIndex(
      (e) => e.riderId === evidence.riderId && e.eventId === evidence.eventId && e.pen === evidence.pen,
    );
    if (i >= 0) this.evidence[i] = evidence;
    else this.evidence.push(evidence);
  }

  /** Marks a team rider as followed (seen in followed entrants). */
  markFollowed(riderId: number): void {
    this.followed.add(riderId);
    this.unfollowed.delete(riderId);
  }

  /** Marks a team rider as not followed; returns whether that is news. */
  markUnfollowed(riderId: number): boolean {
    this.followed.delete(riderId);
    if (this.unfollowed.has(riderId)) return false;
    this.unfollowed.add(riderId);
    return true;
  }

  /** Forgets pens and evidence of races that started before `before`. */
  prune(before: number): void {
    for (const [id, pen] of this.pens) {
      const event = this.events.get(pen.eventId);
      if (event && event.startsAt < before) this.pens.delete(id);
    }
    this.evidence = this.evidence.filter((e) => {
      const event = this.events.get(e.eventId);
      return !event || event.startsAt >= before;
    });
    for (const id of this.noSignal) {
      const event = this.events.get(id);
      if (!event || event.startsAt < before) this.noSignal.delete(id);
    }
  }

  /**
   * Replaces the state with the `follow` job's persisted cursor (from the jobs' persisted `states`)
   * when that is newer (a higher `revision`; any, while this process has neither run the follow
   * job nor restored a revision) — for the events job when several instances share the storage
   * (the follow job may run elsewhere); never while a follow run is in progress here.
   */
  refreshFrom(states: readonly JobState[]): void {
    if (this.busy) return;
    const state = states.find((s) => s.job === 'follow');
    if (!state?.cursor) return;
    const stored = (state.cursor as { revision?: unknown }).revision;
    if (this.revision > 0 && !(num(stored) && stored > this.revision)) return;
    this.restore(state.cursor);
  }

  toCursor(): FeedCursor {
    const pens: FeedCursor['pens'] = {};
    for (const [id, p] of this.pens) pens[id] = [p.eventId, p.pen, p.count, p.riderIds, p.confirmedAt];
    return {
      pens,
      followed: [...this.followed].sort((a, b) => a - b),
      unfollowed: [...this.unfollowed].sort((a, b) => a - b),
      evidence: this.evidence.map((e) => [e.riderId, e.eventId, e.pen, e.at]),
      nearAt: this.nearAt,
      nearIntervalMs: this.nearIntervalMs,
      nearCoveredUntil: Number.isFinite(this.nearCoveredUntil) ? this.nearCoveredUntil : 0,
      farAt: this.farAt,
      farCoveredUntil: Number.isFinite(this.farCoveredUntil) ? this.farCoveredUntil : 0,
      noSignal: [...this.noSignal],
      fallback: this.fallback,
      revision: this.revision,
      listWantedAt: this.listWantedAt,
    };
  }

  /** Restores from a persisted cursor (anything malformed is dropped, never fatal). */
  restore(cursor: { [key: string]: Json } | Record<string, unknown> | null | undefined): void {
    this.pens.clear();
    this.followed.clear();
    this.unfollowed.clear();
    this.evidence = [];
    this.noSignal.clear();
    const c = (cursor ?? {}) as Partial<Record<keyof FeedCursor, unknown>>;
    if (c.pens && typeof c.pens === 'object') {
      for (const [id, v] of Object.entries(c.pens as Record<string, unknown>)) {
        if (!Array.isArray(v) || v.length !== 5) continue;
        const [eventId, pen, count, riders, confirmedAt] = v as unknown[];
        if (typeof eventId !== 'string' || typeof pen !== 'string' || !num(count) || !num(confirmedAt))
          continue;
        this.pens.set(id, { eventId, pen, count, riderIds: ids(riders), confirmedAt });
      }
    }
    for (const id of ids(c.followed)) this.followed.add(id);
    for (const id of ids(c.unfollowed)) this.unfollowed.add(id);
    if (Array.isArray(c.evidence)) {
      for (const v of c.evidence) {
        if (!Array.isArray(v) || v.length !== 4) continue;
        const [riderId, eventId, pen, at] = v as unknown[];
        if (num(riderId) && typeof eventId === 'string' && typeof pen === 'string' && num(at))
          this.evidence.push({ riderId, eventId, pen, at });
      }
    }
    this.revision = num(c.revision) && c.revision >= 0 ? Math.floor(c.revision) : 0;
    this.listWantedAt = num(c.listWantedAt) ? c.listWantedAt : null;
    this.nearAt = num(c.nearAt) ? c.nearAt : null;
    this.nearIntervalMs = num(c.nearIntervalMs) && c.nearIntervalMs > 0 ? c.nearIntervalMs : null;
    this.nearCoveredUntil = num(c.nearCoveredUntil) ? c.nearCoveredUntil : Number.NEGATIVE_INFINITY;
    this.farAt = num(c.farAt) ? c.farAt : null;
    this.farCoveredUntil = num(c.farCoveredUntil) ? c.farCoveredUntil : Number.NEGATIVE_INFINITY;
    if (Array.isArray(c.noSignal))
      for (const id of c.noSignal) if (typeof id === 'string') this.noSignal.add(id);
    const f = c.fallback as Partial<FeedFallback> | null | undefined;
    this.fallback =
      f && num(f.since) && num(f.retryAt) && num(f.failures)
        ? {
            since: f.since,
            retryAt: f.retryAt,
            failures: f.failures,
            errorKind: typeof f.errorKind === 'string' ? f.errorKind : 'auth',
            message: typeof f.message === 'string' ? f.message : '',
          }
        : null;
  }
}
