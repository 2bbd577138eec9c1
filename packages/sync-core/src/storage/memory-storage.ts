import { LeaseLostError } from '../errors/lease-lost-error.js';
import type { Lease, LeaseManager } from './lease.js';
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
import type {
  EventQuery,
  EventUpsertOutcome,
  Fence,
  ResultDelta,
  ResultQuery,
  RiderWrite,
  RiderWriteOutcome,
  SignupDelta,
  SignupPresence,
  SignupQuery,
  StorageAdapter,
  SyncLogQuery,
} from './storage-adapter.js';
import { assertRiderWrites } from './validate-writes.js';

const copy = <T>(value: T): T => structuredClone(value);

function inSet<T>(filter: readonly T[] | undefined): (value: T) => boolean {
  if (!filter) return () => true;
  const set = new Set(filter);
  return (value) => set.has(value);
}

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * Keep at most this many sync-log entries (oldest dropped first), so a long-running process stays
   * flat in memory.
   * @default 10_000
   */
  maxSyncLogEntries?: number;
}

/**
 * In-process storage: the offline default, and the reference implementation of
 * {@link StorageAdapter}. Every batch applies synchronously inside one call, so batches are atomic;
 * records are copied in and out. Includes leases (for several engines in one process).
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const maxSyncLog = options.maxSyncLogEntries ?? 10_000;
  const team = new Map<number, TeamMember>();
  const riders = new Map<number, RiderRecord>();
  const history: RiderHistoryRow[] = [];
  const historyKeys = new Set<string>();
  const events = new Map<string, EventRecord>();
  const signups = new Map<string, Map<number, SignupRecord>>();
  const signupAppliedAt = new Map<string, number>();
  const signupChecks = new Map<string, SignupCheck>();
  const results = new Map<string, Map<number, ResultRecord>>();
  const resultsAppliedAt = new Map<string, number>();
  const resultJobs = new Map<string, ResultJob>();
  const jobStates = new Map<string, JobState>();
  let syncLog: SyncLogEntry[] = [];
  const leaseTable = new Map<string, Lease>();
  const leaseTokens = new Map<string, number>();

  const leases: LeaseManager = {
    async acquire(name, holder, ttlMs, now) {
      const current = leaseTable.get(name);
      if (current && current.expiresAt > now && current.holder !== holder) return null;
      const token = (leaseTokens.get(name) ?? 0) + 1;
      leaseTokens.set(name, token);
      const lease: Lease = { name, holder, token, expiresAt: now + ttlMs };
      leaseTable.set(name, lease);
      return { ...lease };
    },
    async renew(lease, ttlMs, now) {
      const current = leaseTable.get(lease.name);
      if (!current || current.token !== lease.token || current.holder !== lease.holder) return null;
      if (current.expiresAt <= now) return null;
      current.expiresAt = now + ttlMs;
      return { ...current };
    },
    async release(lease) {
      const current = leaseTable.get(lease.name);
      if (current && current.token === lease.token) leaseTable.delete(lease.name);
    },
  };

  const checkFence = (fence: Fence | undefined) => {
    if (fence && (leaseTokens.get(fence.name) ?? 0) !== fence.token) {
      throw new LeaseLostError(fence.name, fence.token);
    }
  };

  return {
    leases,

    async getTeam() {
      return [...team.values()].sort((a, b) => a.riderId - b.riderId).map(copy);
    },

    async replaceTeam(source, riderIds, at) {
      const wanted = new Set(riderIds);
      const added: number[] = [];
      const removed: number[] = [];
      for (const member of [...team.values()]) {
        if (member.source === source && !wanted.has(member.riderId)) {
          team.delete(member.riderId);
          removed.push(member.riderId);
        }
      }
      for (const riderId of wanted) {
        const existing = team.get(riderId);
        if (!existing) {
          team.set(riderId, { riderId, addedAt: at, source });
          added.push(riderId);
        }
      }
      return { added: added.sort((a, b) => a - b), removed: removed.sort((a, b) => a - b) };
    },

    async getRiders(riderIds) {
      const ids = riderIds ?? [...riders.keys()];
      const out: RiderRecord[] = [];
      for (const id of new Set(ids)) {
        const rider = riders.get(id);
        if (rider) out.push(copy(rider));
      }
      return out.sort((a, b) => a.riderId - b.riderId);
    },

    async writeRiders(writes: readonly RiderWrite[]): Promise<RiderWriteOutcome> {
      assertRiderWrites(writes);
      const outcome: RiderWriteOutcome = { applied: [], touched: [], conflicts: [] };
      for (const write of writes) {
        const id = write.rider.riderId;
        const stored = riders.get(id);
        const storedHash = stored?.hash ?? null;
        if (write.history === null) {
          if (stored && storedHash === write.rider.hash) {
            stored.fetchedAt = Math.max(stored.fetchedAt, write.rider.fetchedAt);
            outcome.touched.push(id);
          } else {
            outcome.conflicts.push(id);
          }
          continue;
        }
        if (storedHash === write.expectedHash) {
          riders.set(id, copy(write.rider));
          const key = `${id}|${write.history.hash}|${write.history.at}`;
          if (!historyKeys.has(key)) {
            historyKeys.add(key);
            history.push(copy(write.history));
          }
          outcome.applied.push(id);
        } else if (stored && storedHash === write.rider.hash) {
          stored.fetchedAt = Math.max(stored.fetchedAt, write.rider.fetchedAt);
          outcome.touched.push(id);
        } else {
          outcome.conflicts.push(id);
        }
      }
      return outcome;
    },

    async listRiderHistory(query = {}) {
      const keep = inSet(query.riderIds);
      const since = query.since ?? Number.NEGATIVE_INFINITY;
      return history
        .filter((row) => keep(row.riderId) && row.at >= since)
        .sort((a, b) => a.at - b.at || a.riderId - b.riderId)
        .map(copy);
    },

    async upsertEvents(records): Promise<EventUpsertOutcome> {
      const outcome: EventUpsertOutcome = { added: [], updated: [], unchanged: [] };
      for (const record of records) {
        const existing = events.get(record.eventId);
        if (!existing) {
          events.set(record.eventId, { ...copy(record), removedAt: null });
          outcome.added.push(record.eventId);
        } else if (record.fetchedAt < existing.fetchedAt) {
          outcome.unchanged.push(record.eventId); // stale write: newer data already stored
        } else if (existing.hash !== record.hash || existing.removedAt !== null) {
          events.set(record.eventId, { ...copy(record), removedAt: null });
          outcome.updated.push(record.eventId);
        } else {
          existing.fetchedAt = record.fetchedAt;
          outcome.unchanged.push(record.eventId);
        }
      }
      return outcome;
    },

    async markEventsRemoved(eventIds, at) {
      const marked: string[] = [];
      for (const id of new Set(eventIds)) {
        const event = events.get(id);
        if (event && event.removedAt === null) {
          event.removedAt = at;
          marked.push(id);
        }
      }
      return marked;
    },

    async listEvents(query: EventQuery = {}) {
      const keep = inSet(query.eventIds);
      const from = query.startsFrom ?? Number.NEGATIVE_INFINITY;
      const before = query.startsBefore ?? Number.POSITIVE_INFINITY;
      const out: EventRecord[] = [];
      for (const event of events.values()) {
        if (!keep(event.eventId) || event.startsAt < from || event.startsAt >= before) continue;
        if (event.removedAt !== null && !query.includeRemoved) continue;
        out.push(copy(event));
      }
      return out.sort((a, b) => a.startsAt - b.startsAt || a.eventId.localeCompare(b.eventId));
    },

    async applySignups(eventId, present: readonly SignupPresence[], at): Promise<SignupDelta> {
      const delta: SignupDelta = { added: [], withdrawn: [], penChanged: [], unchanged: 0 };
      if (at < (signupAppliedAt.get(eventId) ?? Number.NEGATIVE_INFINITY)) return delta; // stale list
      signupAppliedAt.set(eventId, at);
      let rows = signups.get(eventId);
      if (!rows) {
        rows = new Map();
        signups.set(eventId, rows);
      }
      const listed = new Map<number, string>();
      for (const p of present) listed.set(p.riderId, p.pen);
      for (const [riderId, pen] of listed) {
        const row = rows.get(riderId);
        if (!row) {
          const created: SignupRecord = {
            eventId,
            riderId,
            pen,
            firstSeenAt: at,
            lastSeenAt: at,
            withdrawnAt: null,
          };
          rows.set(riderId, created);
          delta.added.push(copy(created));
        } else if (row.withdrawnAt !== null) {
          row.withdrawnAt = null;
          row.pen = pen;
          row.lastSeenAt = at;
          delta.added.push(copy(row));
        } else if (row.pen !== pen) {
          row.pen = pen;
          row.lastSeenAt = at;
          delta.penChanged.push(copy(row));
        } else {
          row.lastSeenAt = at;
          delta.unchanged++;
        }
      }
      for (const row of rows.values()) {
        if (row.withdrawnAt === null && !listed.has(row.riderId)) {
          row.withdrawnAt = at;
          delta.withdrawn.push(copy(row));
        }
      }
      return delta;
    },

    async listSignups(query: SignupQuery = {}) {
      const keepRider = inSet(query.riderIds);
      const ids = query.eventIds ?? [...signups.keys()];
      const out: SignupRecord[] = [];
      for (const eventId of new Set(ids)) {
        for (const row of signups.get(eventId)?.values() ?? []) {
          if (!keepRider(row.riderId) || (query.activeOnly && row.withdrawnAt !== null)) continue;
          out.push(copy(row));
        }
      }
      return out.sort((a, b) => a.eventId.localeCompare(b.eventId) || a.riderId - b.riderId);
    },

    async getSignupChecks(eventIds) {
      const ids = eventIds ?? [...signupChecks.keys()];
      const out: SignupCheck[] = [];
      for (const id of new Set(ids)) {
        const check = signupChecks.get(id);
        if (check) out.push(copy(check));
      }
      return out;
    },

    async putSignupChecks(checks) {
      for (const check of checks) signupChecks.set(check.eventId, copy(check));
    },

    async applyResults(eventId, rows: readonly ResultRecord[], at): Promise<ResultDelta> {
      const delta: ResultDelta = { added: 0, updated: 0, unchanged: 0, removed: 0 };
      if (at < (resultsAppliedAt.get(eventId) ?? Number.NEGATIVE_INFINITY)) return delta;
      resultsAppliedAt.set(eventId, at);
      let stored = results.get(eventId);
      if (!stored) {
        stored = new Map();
        results.set(eventId, stored);
      }
      const listed = new Set<number>();
      for (const row of rows) {
        listed.add(row.riderId);
        const existing = stored.get(row.riderId);
        if (!existing) {
          stored.set(row.riderId, { ...copy(row), eventId, removedAt: null });
          delta.added++;
        } else if (existing.hash !== row.hash || existing.removedAt !== null) {
          stored.set(row.riderId, { ...copy(row), eventId, removedAt: null });
          delta.updated++;
        } else {
          existing.fetchedAt = row.fetchedAt;
          delta.unchanged++;
        }
      }
      for (const row of stored.values()) {
        if (!listed.has(row.riderId) && row.removedAt === null) {
          row.removedAt = at;
          delta.removed++;
        }
      }
      return delta;
    },

    async listResults(query: ResultQuery = {}) {
      const keepRider = inSet(query.riderIds);
      const ids = query.eventIds ?? [...results.keys()];
      const out: ResultRecord[] = [];
      for (const eventId of new Set(ids)) {
        for (const row of results.get(eventId)?.values() ?? []) {
          if (!keepRider(row.riderId) || (row.removedAt !== null && !query.includeRemoved)) continue;
          out.push(copy(row));
        }
      }
      return out.sort(
        (a, b) =>
          a.eventId.localeCompare(b.eventId) ||
          (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) ||
          a.riderId - b.riderId,
      );
    },

    async listResultJobs() {
      return [...resultJobs.values()].sort((a, b) => a.dueAt - b.dueAt).map(copy);
    },

    async putResultJobs(jobs) {
      for (const job of jobs) resultJobs.set(`${job.eventId}|${job.phase}`, copy(job));
    },

    async deleteResultJobs(keys) {
      for (const key of keys) resultJobs.delete(`${key.eventId}|${key.phase}`);
    },

    async getJobStates() {
      return [...jobStates.values()].map(copy);
    },

    async putJobState(state, fence) {
      checkFence(fence);
      jobStates.set(state.job, copy(state));
    },

    async appendSyncLog(entries) {
      syncLog.push(...entries.map(copy));
      if (syncLog.length > maxSyncLog) syncLog = syncLog.slice(syncLog.length - maxSyncLog);
    },

    async listSyncLog(query: SyncLogQuery = {}) {
      const since = query.since ?? Number.NEGATIVE_INFINITY;
      const out = syncLog
        .filter((e) => (query.job === undefined || e.job === query.job) && e.startedAt >= since)
        .sort((a, b) => b.startedAt - a.startedAt || b.finishedAt - a.finishedAt);
      return (query.limit === undefined ? out : out.slice(0, query.limit)).map(copy);
    },
  };
}
