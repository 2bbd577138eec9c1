import type { RateLimitStore } from '@racesync/zwift-client';
import type { LeaseManager } from './lease.js';
import type {
  EventRecord,
  JobState,
  ResultJob,
  ResultRecord,
  RiderHistoryRow,
  RiderRecord,
  SignupCheck,
  SignupRecord,
  SyncLogEntry,
  TeamMember,
} from './records.js';

/** One rider write: the rider and, when it really changed, its history row. */
export interface RiderWrite {
  rider: RiderRecord;
  /** History row to insert together with the rider; `null` for an unchanged refetch. */
  history: RiderHistoryRow | null;
  /**
   * The stored hash the engine diffed against (`null`: the rider was not stored). A write with a
   * history row applies only while the stored hash still equals it, so two writers never record one
   * change twice and a replayed batch is a no-op.
   */
  expectedHash: string | null;
}

/** What happened to each rider of a {@link StorageAdapter.writeRiders} batch. */
export interface RiderWriteOutcome {
  /** Rider + history row written (atomically). */
  applied: number[];
  /** Unchanged refetch (only `fetchedAt` moved), or a replay of a write already stored. */
  touched: number[];
  /** The stored hash moved since the engine read it: nothing written; diff again next run. */
  conflicts: number[];
}

/** Four-way outcome of an event upsert, by event id (removed events are marked separately). */
export interface EventUpsertOutcome {
  added: string[];
  updated: string[];
  unchanged: string[];
}

/** A team rider present in a complete signup list. */
export interface SignupPresence {
  riderId: number;
  pen: string;
}

/** What a complete signup list changed for one event. */
export interface SignupDelta {
  /** New signups, and riders who signed up again after withdrawing. */
  added: SignupRecord[];
  /** Riders missing from the complete list: `withdrawnAt` set, row kept. */
  withdrawn: SignupRecord[];
  /** Riders who moved to another pen. */
  penChanged: SignupRecord[];
  unchanged: number;
}

/** What a result set changed for one event. */
export interface ResultDelta {
  added: number;
  updated: number;
  unchanged: number;
  /** Rows no longer listed by a corrected result set: `removedAt` set, row kept. */
  removed: number;
}

/** Filters for {@link StorageAdapter.listRiderHistory}. */
export interface RiderHistoryQuery {
  /**
   * Only rows of these riders.
   * @default every rider
   */
  riderIds?: readonly number[];
  /**
   * Only rows at or after this time.
   * @default no lower bound
   */
  since?: number;
}

/** Filters for {@link StorageAdapter.listEvents}. */
export interface EventQuery {
  /**
   * Only events starting at or after this time.
   * @default no lower bound
   */
  startsFrom?: number;
  /**
   * Only events starting before this time.
   * @default no upper bound
   */
  startsBefore?: number;
  /**
   * Include events marked removed.
   * @default false
   */
  includeRemoved?: boolean;
  /**
   * Only these ids.
   * @default every event
   */
  eventIds?: readonly string[];
}

/** Filters for {@link StorageAdapter.listSignups}. */
export interface SignupQuery {
  /**
   * Only signups to these events.
   * @default every event
   */
  eventIds?: readonly string[];
  /**
   * Only signups of these riders.
   * @default every rider
   */
  riderIds?: readonly number[];
  /**
   * Only signups not withdrawn.
   * @default false
   */
  activeOnly?: boolean;
}

/** Filters for {@link StorageAdapter.listResults}. */
export interface ResultQuery {
  /**
   * Only rows of these events.
   * @default every event
   */
  eventIds?: readonly string[];
  /**
   * Only rows of these riders.
   * @default every rider
   */
  riderIds?: readonly number[];
  /**
   * Include rows removed by a correction.
   * @default false
   */
  includeRemoved?: boolean;
}

/** Filters for {@link StorageAdapter.listSyncLog}. Newest first. */
export interface SyncLogQuery {
  /**
   * Only entries of this job.
   * @default every job
   */
  job?: string;
  /**
   * Only entries started at or after this time.
   * @default no lower bound
   */
  since?: number;
  /**
   * At most this many entries.
   * @default all
   */
  limit?: number;
}

/** A lease fence: a write carrying one applies only while that lease is still held. */
export interface Fence {
  name: string;
  token: number;
}

/**
 * Where racesync keeps a team's data. The required core is a handful of batch methods; each batch
 * method is atomic where it says so (a rider and its history row land together or not at all; a
 * signup list applies as one set). Optional capabilities let several instances share work.
 *
 * Implementations must pass `runStorageConformance` from `@racesync/sync-core/testing`.
 * Returned records are copies: mutating them never changes stored state.
 */
export interface StorageAdapter {
  // ----- team -----
  /** All team members: the `manual` ones first, then the `club` ones, each by `riderId` ascending. */
  getTeam(): Promise<TeamMember[]>;
  /**
   * Make the members of `source` exactly `riderIds` (duplicates ignored; members of the other
   * source are untouched); existing members keep their `addedAt`. Returns the rider ids added and
   * removed, each sorted ascending; replaying the same membership returns two empty lists.
   */
  replaceTeam(
    source: TeamMember['source'],
    riderIds: readonly number[],
    at: number,
  ): Promise<{ added: number[]; removed: number[] }>;

  // ----- riders -----
  /** Stored riders (all, or the given ids; unknown ids are simply absent). */
  getRiders(riderIds?: readonly number[]): Promise<RiderRecord[]>;
  /** Write a batch of riders; each rider with its history row atomically (see {@link RiderWrite}). */
  writeRiders(writes: readonly RiderWrite[]): Promise<RiderWriteOutcome>;
  /** History rows, oldest first. */
  listRiderHistory(query?: RiderHistoryQuery): Promise<RiderHistoryRow[]>;

  // ----- events -----
  /**
   * Upsert events, comparing hashes: new → added; different hash (or previously removed) → updated
   * (`changedAt` = record's `changedAt`, `removedAt` cleared); equal hash → only `fetchedAt` moves.
   * A stale write — a record whose `fetchedAt` is older than the stored one's — is reported
   * `unchanged` and writes nothing (two instances may write one event out of order).
   */
  upsertEvents(events: readonly EventRecord[]): Promise<EventUpsertOutcome>;
  /** Mark events removed (no-op for unknown or already removed ids). Returns the ids newly marked. */
  markEventsRemoved(eventIds: readonly string[], at: number): Promise<string[]>;
  /** Events matching `query` (removed ones only with `includeRemoved`), sorted by `startsAt`. */
  listEvents(query?: EventQuery): Promise<EventRecord[]>;

  // ----- signups -----
  /**
   * Apply a COMPLETE list of the team riders signed up for `eventId`, atomically: new riders are
   * added, withdrawn riders re-added, riders missing from the list withdrawn (`withdrawnAt` = at,
   * row kept). Replaying the same list is a no-op. A list older than the last one applied to
   * `eventId` (a smaller `at`) is ignored: nothing written, an empty delta returned.
   */
  applySignups(eventId: string, present: readonly SignupPresence[], at: number): Promise<SignupDelta>;
  listSignups(query?: SignupQuery): Promise<SignupRecord[]>;
  /** Persisted signup-cache state for the given events (all when omitted). */
  getSignupChecks(eventIds?: readonly string[]): Promise<SignupCheck[]>;
  putSignupChecks(checks: readonly SignupCheck[]): Promise<void>;

  // ----- results -----
  /**
   * Apply the complete result set of one event atomically: rows compared by hash; rows no longer
   * listed get `removedAt` (kept); rows listed again get it cleared. A set older than the last one
   * applied to `eventId` (a smaller `at`) is ignored: nothing written, all counts 0.
   */
  applyResults(eventId: string, rows: readonly ResultRecord[], at: number): Promise<ResultDelta>;
  listResults(query?: ResultQuery): Promise<ResultRecord[]>;
  /** The persisted results queue, sorted by `dueAt` ascending. */
  listResultJobs(): Promise<ResultJob[]>;
  /** Insert or replace jobs, keyed by (eventId, phase). */
  putResultJobs(jobs: readonly ResultJob[]): Promise<void>;
  deleteResultJobs(keys: readonly { eventId: string; phase: ResultJob['phase'] }[]): Promise<void>;

  // ----- sync state and log -----
  getJobStates(): Promise<JobState[]>;
  /**
   * Insert or replace a job's state. With a `fence`, the write applies only while the fence's token
   * is the latest one issued for that lease name (classic fencing: once another holder acquired
   * the lease, every write of an older holder is refused with a `LeaseLostError`; a holder whose
   * lease merely expired, with nobody taking over, can still write).
   */
  putJobState(state: JobState, fence?: Fence): Promise<void>;
  appendSyncLog(entries: readonly SyncLogEntry[]): Promise<void>;
  listSyncLog(query?: SyncLogQuery): Promise<SyncLogEntry[]>;

  // ----- optional capabilities -----
  /** Leases with fencing tokens, so several instances never run one job twice in a slot. */
  readonly leases?: LeaseManager;
  /** A rate-limit store shared by every instance using this storage (pass it to the client). */
  readonly rateLimitStore?: RateLimitStore;
  /** Release connections. */
  close?(): Promise<void>;
}
