/**
 * The records racesync stores. Storage-agnostic names; SQL adapters map them to tables of the same
 * meaning. All times are epoch milliseconds; route ids and event ids are strings (route ids exceed
 * 2^31); distances are metres; race times are seconds as floats. Absent values are `null`.
 */

/** JSON value as stored in snapshots. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A member of the team whose data is kept fresh. */
export interface TeamMember {
  riderId: number;
  /** When the rider was first added to the team. */
  addedAt: number;
  /** `manual`: from configuration; `club`: from the club's member list. */
  source: 'manual' | 'club';
}

/** One rider, as last fetched. `data` holds the full normalised payload. */
export interface RiderRecord {
  riderId: number;
  name: string;
  country: string | null;
  gender: string | null;
  /** ZwiftPower category (A–E) as the source reports it. */
  category: string | null;
  weight: number | null;
  height: number | null;
  ftp: number | null;
  /** Current race rating (`race.current.rating`), `null` when unrated. */
  rating: number | null;
  ratingMax30: number | null;
  ratingMax90: number | null;
  finishes: number | null;
  wins: number | null;
  podiums: number | null;
  dnfs: number | null;
  clubId: number | null;
  /** The normalised payload the hash was computed from (volatile fields removed). */
  data: { [key: string]: Json };
  /** Hash of `data`: equal hashes mean no real change. */
  hash: string;
  /** Last time the rider was fetched (changes on every fetch). */
  fetchedAt: number;
  /** Last time the rider really changed (first sight counts). */
  changedAt: number;
}

/** A rider history row: written on first sight and on every real change, never on an unchanged refetch. */
export interface RiderHistoryRow {
  riderId: number;
  at: number;
  /** Dotted paths of the fields that changed; `['*']` on first sight. */
  changedFields: string[];
  /** The rider's `data` after the change. */
  snapshot: { [key: string]: Json };
  /** Hash of `snapshot`; (riderId, hash, at) identifies a row so replays never duplicate it. */
  hash: string;
}

/** Where an event came from. */
export type EventSource = 'zwiftracing' | 'zwift';

/** An upcoming (or recently started) race. */
export interface EventRecord {
  eventId: string;
  startsAt: number;
  routeId: string | null;
  distanceMeters: number | null;
  laps: number | null;
  title: string;
  type: string | null;
  subType: string | null;
  /** Pen labels as listed, e.g. `['A','B','C','D','E']`. Any label is accepted. */
  categories: string[];
  /** Pen label → number of signups, as listed in the event feed. */
  signupCounts: { [pen: string]: number };
  source: EventSource;
  /** Hash of the fields above: equal hashes mean no real change. */
  hash: string;
  fetchedAt: number;
  changedAt: number;
  /** Set when the event disappeared from the feed before its start (cancelled or hidden). */
  removedAt: number | null;
}

/** A team rider's signup for an event. Set semantics per event: withdrawals are recorded, not deleted. */
export interface SignupRecord {
  eventId: string;
  riderId: number;
  /** Pen label (category). Any label is accepted. */
  pen: string;
  firstSeenAt: number;
  lastSeenAt: number;
  /** When the rider was first missing from a complete signup list; `null` while signed up. */
  withdrawnAt: number | null;
}

/** One result row of a race a team rider rode. */
export interface ResultRecord {
  eventId: string;
  riderId: number;
  name: string;
  position: number | null;
  positionInCategory: number | null;
  category: string | null;
  timeSeconds: number;
  gap: number | null;
  rating: number | null;
  ratingBefore: number | null;
  ratingDelta: number | null;
  hash: string;
  fetchedAt: number;
  /** Set when a later (corrected) result set no longer lists the rider. */
  removedAt: number | null;
}

/** What the engine remembers about one event's signup list (the TTL cache's persisted state). */
export interface SignupCheck {
  eventId: string;
  /** Last time the signup list was fetched completely. */
  fetchedAt: number;
  /** The feed's signup counts at that fetch: unchanged counts mean the list need not be refetched early. */
  countsAtFetch: { [pen: string]: number };
  /** Team riders signed up at that fetch. */
  teamSignups: number;
}

/** A persisted results job: survives restarts so no result is lost. */
export interface ResultJob {
  eventId: string;
  /** `initial`: until results first appear; `correction`: one later refetch for corrections. */
  phase: 'initial' | 'correction';
  /** Next attempt time. */
  dueAt: number;
  attempts: number;
  /** Value used to order jobs when the 1/min bucket is the bottleneck (higher first). */
  priority: number;
  /** Event start, for bookkeeping and give-up decisions. */
  eventStartsAt: number;
  createdAt: number;
}

/** Per-job scheduling state. */
export interface JobState {
  job: string;
  nextDueAt: number | null;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  /** Free-form cursor (counts, ETags …), JSON only. */
  cursor: { [key: string]: Json } | null;
}

/** Status of one sync run. */
export type SyncStatus = 'ok' | 'partial' | 'failed' | 'skipped';

/** One sync-log entry: health and rate-usage views are queries over these. */
export interface SyncLogEntry {
  runId: string;
  job: string;
  startedAt: number;
  finishedAt: number;
  status: SyncStatus;
  apiCalls: number;
  records: number;
  changes: number;
  /** Error kind (`rate_limited`, `transient`, `storage` …) when not ok. */
  errorKind: string | null;
  message: string | null;
}
