import type { SyncStatus } from '../storage/records.js';

/** Fields every change event has. */
export interface ChangeEventBase {
  /** Unique and stable: the same change observed twice (e.g. by two instances) has the same id. */
  id: string;
  /** When the engine stored the change (clock time). */
  at: number;
}

/** A rider's data really changed (or was seen for the first time). */
export interface RiderChangedEvent extends ChangeEventBase {
  type: 'rider.changed';
  riderId: number;
  /** Dotted paths that changed; `['*']` on first sight. */
  changedFields: string[];
  firstSeen: boolean;
}

/** A team rider signed up (or signed up again after withdrawing). */
export interface SignupAddedEvent extends ChangeEventBase {
  type: 'signup.added';
  eventId: string;
  riderId: number;
  pen: string;
}

/** A team rider no longer appears in a complete signup list. */
export interface SignupWithdrawnEvent extends ChangeEventBase {
  type: 'signup.withdrawn';
  eventId: string;
  riderId: number;
  pen: string;
}

/** An event appeared in the feed, or changed. */
export interface EventChangedEvent extends ChangeEventBase {
  type: 'event.added' | 'event.updated';
  eventId: string;
  startsAt: number;
  title: string;
}

/** Results of a race the team rode were stored (first time, or corrected). */
export interface ResultsReadyEvent extends ChangeEventBase {
  type: 'results.ready';
  eventId: string;
  phase: 'initial' | 'correction';
  /** Team riders in the result set. */
  teamRiderIds: number[];
  rows: number;
}

/** A job run finished (ok, partial or skipped). */
export interface SyncCompletedEvent extends ChangeEventBase {
  type: 'sync.completed';
  job: string;
  runId: string;
  status: SyncStatus;
  apiCalls: number;
  records: number;
  changes: number;
}

/** A job run failed; it will be retried at `retryAt`. */
export interface SyncFailedEvent extends ChangeEventBase {
  type: 'sync.failed';
  job: string;
  runId: string;
  errorKind: string;
  message: string;
  retryAt: number;
}

/**
 * The follower feed (engine option `followerFeed`) stopped or works again. `feed.fallback`: the
 * Zwift credentials failed (locked account, wrong password, token refused, no account configured):
 * the site planner covers every race until the feed is retried at `retryAt`. `feed.restored`: a
 * search succeeded again after a fallback.
 */
export interface FeedStatusEvent extends ChangeEventBase {
  type: 'feed.fallback' | 'feed.restored';
  /** The error kind that caused the fallback (`auth`, `config`); `null` for `feed.restored`. */
  errorKind: string | null;
  /** What happened, without any secret. */
  message: string;
  /** When the feed is tried again; `null` for `feed.restored`. */
  retryAt: number | null;
}

/** Every change event the engine emits. */
export type ChangeEvent =
  | RiderChangedEvent
  | SignupAddedEvent
  | SignupWithdrawnEvent
  | EventChangedEvent
  | ResultsReadyEvent
  | SyncCompletedEvent
  | SyncFailedEvent
  | FeedStatusEvent;

/** The `type` of a change event. */
export type ChangeEventType = ChangeEvent['type'];
