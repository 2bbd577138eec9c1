import type {
  EventQuery,
  EventRecord,
  EventUpsertOutcome,
  Fence,
  JobState,
  LeaseManager,
  RateLimitStore,
  ResultDelta,
  ResultJob,
  ResultQuery,
  ResultRecord,
  RiderHistoryRow,
  RiderRecord,
  RiderWrite,
  RiderWriteOutcome,
  SignupCheck,
  SignupDelta,
  SignupPresence,
  SignupQuery,
  SignupRecord,
  StorageAdapter,
  SyncLogEntry,
  SyncLogQuery,
  TeamMember,
} from '@racesync/sync-core';
import { SyncConfigError } from '@racesync/sync-core';
import { MigrationsMissingError } from '../errors/migrations-missing-error.js';
import { migrationNames } from '../migrations/migrations.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../schema-name.js';
import type { RpcTransport } from '../transport/transport.js';
import { createLeaseManager } from './lease-manager.js';
import { assertTransport, createPostgresRateLimitStore } from './rate-limit-store.js';
import { assertEvents, assertResults, assertRiderWrites, assertSignups, assertTime } from './validate.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /**
   * How to reach the database: `createPostgresTransport({ connectionString })` (direct or pooled
   * connection) or `createSupabaseTransport({ client })` (supabase-js `rpc()`, service-role key).
   */
  transport: RpcTransport;
  /**
   * Schema holding racesync's migrations (see `migrate()`); with the Supabase transport it must be
   * one of the project's exposed schemas.
   * @default 'racesync'
   */
  schema?: string;
}

/** A {@link StorageAdapter} in PostgreSQL/Supabase, with leases and a shared rate-limit store. */
export interface PostgresStorage extends StorageAdapter {
  /** Leases with fencing tokens shared by every instance using this database. */
  readonly leases: LeaseManager;
  /** A rate-limit store shared by every instance using this database (pass it to the client). */
  readonly rateLimitStore: RateLimitStore;
  /** The schema in use. */
  readonly schema: string;
  /** The transport in use. */
  readonly transport: RpcTransport;
  /**
   * Checks that every migration this package knows is applied to the schema (one call); throws a
   * `MigrationsMissingError` naming the missing ones. Optional: any call fails the same way.
   */
  verify(): Promise<void>;
  /** Closes the transport (ends a pool the transport opened; a supabase-js client has nothing to close). */
  close(): Promise<void>;
}

const idList = (ids: readonly (number | string)[] | undefined) => (ids === undefined ? undefined : [...ids]);

/**
 * racesync's storage in PostgreSQL (Supabase or any PostgreSQL ≥ 14). Every method is ONE call of
 * one SQL function through the transport: one round trip and one transaction per batch, so a rider
 * and its history row land together or not at all, and a signup list or result set applies as one
 * set. Semantics are those of sync-core's memory storage (it passes sync-core's conformance suite).
 *
 * @example
 * const transport = createPostgresTransport({ connectionString: process.env.DATABASE_URL });
 * await migrate({ transport });
 * const storage = createPostgresStorage({ transport });
 */
export function createPostgresStorage(options: PostgresStorageOptions): PostgresStorage {
  if (!options || typeof options !== 'object') throw new SyncConfigError('options', 'must be an object');
  const { transport } = options;
  assertTransport(transport);
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const call = async <T>(name: string, args: Record<string, unknown> = {}): Promise<T> =>
    (await transport.call(`${schema}.${name}`, args)) as T;

  return {
    schema,
    transport,
    leases: createLeaseManager(transport, schema),
    rateLimitStore: createPostgresRateLimitStore({ transport, schema }),

    async verify() {
      const status = await call<{ migrations: string[] }>('schema_status');
      const applied = new Set(status.migrations);
      const missing = migrationNames().filter((name) => !applied.has(name));
      if (missing.length > 0) {
        throw new MigrationsMissingError('verify', schema, `missing migrations: ${missing.join(', ')}`, {
          missing,
        });
      }
    },

    async close() {
      await transport.close();
    },

    // ----- team -----
    getTeam: () => call<TeamMember[]>('get_team'),

    async replaceTeam(source, riderIds, at) {
      assertTime('replaceTeam', 'at', at);
      return call<{ added: number[]; removed: number[] }>('replace_team', {
        source,
        riderIds: [...riderIds],
        at,
      });
    },

    // ----- riders -----
    getRiders: (riderIds) => call<RiderRecord[]>('get_riders', { riderIds: idList(riderIds) }),

    async writeRiders(writes: readonly RiderWrite[]): Promise<RiderWriteOutcome> {
      assertRiderWrites(writes);
      if (writes.length === 0) return { applied: [], touched: [], conflicts: [] };
      return call<RiderWriteOutcome>('write_riders', { writes });
    },

    listRiderHistory: (query = {}) =>
      call<RiderHistoryRow[]>('list_rider_history', { riderIds: idList(query.riderIds), since: query.since }),

    // ----- events -----
    async upsertEvents(events: readonly EventRecord[]): Promise<EventUpsertOutcome> {
      assertEvents(events);
      if (events.length === 0) return { added: [], updated: [], unchanged: [] };
      return call<EventUpsertOutcome>('upsert_events', { events });
    },

    async markEventsRemoved(eventIds, at) {
      assertTime('markEventsRemoved', 'at', at);
      if (eventIds.length === 0) return [];
      return call<string[]>('mark_events_removed', { eventIds: [...eventIds], at });
    },

    listEvents: (query: EventQuery = {}) =>
      call<EventRecord[]>('list_events', {
        startsFrom: query.startsFrom,
        startsBefore: query.startsBefore,
        includeRemoved: query.includeRemoved,
        eventIds: idList(query.eventIds),
      }),

    // ----- signups -----
    async applySignups(
      eventId: string,
      present: readonly SignupPresence[],
      at: number,
    ): Promise<SignupDelta> {
      assertSignups(eventId, present, at);
      return call<SignupDelta>('apply_signups', {
        eventId,
        present: present.map((p) => ({ riderId: p.riderId, pen: p.pen })),
        at,
      });
    },

    listSignups: (query: SignupQuery = {}) =>
      call<SignupRecord[]>('list_signups', {
        eventIds: idList(query.eventIds),
        riderIds: idList(query.riderIds),
        activeOnly: query.activeOnly,
      }),

    getSignupChecks: (eventIds) => call<SignupCheck[]>('get_signup_checks', { eventIds: idList(eventIds) }),

    async putSignupChecks(checks) {
      if (checks.length === 0) return;
      await call('put_signup_checks', { checks });
    },

    // ----- results -----
    async applyResults(eventId: string, rows: readonly ResultRecord[], at: number): Promise<ResultDelta> {
      assertResults(eventId, rows, at);
      return call<ResultDelta>('apply_results', { eventId, rows, at });
    },

    listResults: (query: ResultQuery = {}) =>
      call<ResultRecord[]>('list_results', {
        eventIds: idList(query.eventIds),
        riderIds: idList(query.riderIds),
        includeRemoved: query.includeRemoved,
      }),

    listResultJobs: () => call<ResultJob[]>('list_result_jobs'),

    async putResultJobs(jobs) {
      if (jobs.length === 0) return;
      await call('put_result_jobs', { jobs });
    },

    async deleteResultJobs(keys) {
      if (keys.length === 0) return;
      await call('delete_result_jobs', { keys: keys.map((k) => ({ eventId: k.eventId, phase: k.phase })) });
    },

    // ----- sync state and log -----
    getJobStates: () => call<JobState[]>('get_job_states'),

    async putJobState(state: JobState, fence?: Fence) {
      await call('put_job_state', { state, fence: fence ? { name: fence.name, token: fence.token } : null });
    },

    async appendSyncLog(entries: readonly SyncLogEntry[]) {
      if (entries.length === 0) return;
      await call('append_sync_log', { entries });
    },

    listSyncLog: (query: SyncLogQuery = {}) =>
      call<SyncLogEntry[]>('list_sync_log', { job: query.job, since: query.since, limit: query.limit }),
  };
}
