import type {
  Fence,
  JobState,
  Lease,
  LeaseManager,
  StorageAdapter,
  SyncLogEntry,
  TeamMember,
} from '@racesync/sync-core';
import type { Sql } from 'postgres';
import { FleetError } from './errors.js';
import { identifier } from './sql.js';

/** Wraps a promise so the caller's clock can see it in flight (identity by default). */
export type Track = <T>(promise: Promise<T>) => Promise<T>;

const identity: Track = (p) => p;

/**
 * Which part of the fleet a storage view serves: the world's jobs, one team's, or the riders of
 * every team whose key is read from one environment variable (`keyEnv`).
 */
export type Scope = { kind: 'world' } | { kind: 'team'; teamId: string } | { kind: 'key'; keyEnv: string };

/** The prefix of a scope's job names, job states, sync-log entries and lease names. */
export const scopePrefix = (scope: Scope): string =>
  scope.kind === 'world'
    ? 'world/'
    : scope.kind === 'team'
      ? `team/${scope.teamId}/`
      : `key/${scope.keyEnv}/`;

/**
 * A per-scope view of the shared PostgreSQL storage, so that sync-core's jobs run unchanged on a
 * fleet: the world's rows (events, signup lists, results, riders) are the storage's own; the team
 * dimension is `fleet_team_members`. A team's view sees its members (and only their signups); the
 * world's view sees the union of every enabled team's members, so one signup list or result set
 * fetched for the world is applied for every team with a rider in it. A key's view has the members of
 * every enabled team whose key comes from that environment variable, so their riders are refreshed
 * in as few bulk calls as 1000 riders a call allow. Job states, sync-log entries and leases are named
 * per scope (`world/events`, `team/<id>/team`, `key/<env>/riders`).
 */
export function scopedStorage(options: {
  base: StorageAdapter;
  sql: Sql;
  schema: string;
  scope: Scope;
  /**
   * Wraps each query's promise (the worker counts in-flight queries with it).
   * @default the promise as is
   */
  track?: Track;
}): StorageAdapter {
  const { base, sql, scope } = options;
  const s = identifier(options.schema, 'schema');
  const track = options.track ?? identity;
  const prefix = scopePrefix(scope);
  const q = <T extends readonly object[]>(text: string, params: unknown[] = []) =>
    track(sql.unsafe(text, params as never[]) as unknown as Promise<T>);

  const getTeam = async (): Promise<TeamMember[]> => {
    if (scope.kind === 'team') {
      const rows = await q<{ rider_id: string; added_at: Date; source: TeamMember['source'] }[]>(
        `select rider_id::text, added_at, source from ${s}.fleet_team_members where team_id = $1 order by rider_id`,
        [scope.teamId],
      );
      return rows.map((r) => ({
        riderId: Number(r.rider_id),
        addedAt: r.added_at.getTime(),
        source: r.source,
      }));
    }
    const rows = await q<{ rider_id: string; added_at: Date; source: TeamMember['source'] }[]>(
      `select distinct on (m.rider_id) m.rider_id::text, m.added_at, m.source
       from ${s}.fleet_team_members m join ${s}.fleet_teams t on t.team_id = m.team_id
       where t.enabled and ($1::text is null or t.api_key_env = $1) order by m.rider_id, m.added_at`,
      [scope.kind === 'key' ? scope.keyEnv : null],
    );
    return rows.map((r) => ({
      riderId: Number(r.rider_id),
      addedAt: r.added_at.getTime(),
      source: r.source,
    }));
  };

  const leases: LeaseManager | undefined = base.leases && {
    acquire: (name, holder, ttlMs, now) => base.leases!.acquire(prefix + name, holder, ttlMs, now),
    renew: (lease: Lease, ttlMs, now) => base.leases!.renew(lease, ttlMs, now),
    release: (lease: Lease) => base.leases!.release(lease),
  };

  const view: StorageAdapter = {
    getTeam,
    async replaceTeam(source, riderIds, at) {
      if (scope.kind !== 'team')
        throw new FleetError('config', `the ${scope.kind} scope has no roster of its own`);
      const ids = [...new Set(riderIds)].map(String);
      const rows = await track(
        sql.begin(async (tx) => {
          await tx.unsafe(`select 1 from ${s}.fleet_teams where team_id = $1 for update`, [scope.teamId]);
          const removed = await tx.unsafe<{ rider_id: string }[]>(
            `delete from ${s}.fleet_team_members where team_id = $1 and source = $2
             and not (rider_id = any($3::bigint[])) returning rider_id::text`,
            [scope.teamId, source, ids] as never[],
          );
          const added = await tx.unsafe<{ rider_id: string }[]>(
            `insert into ${s}.fleet_team_members (team_id, rider_id, added_at, source)
             select $1, x, $4, $2 from unnest($3::bigint[]) as x
             where exists (select 1 from ${s}.fleet_teams where team_id = $1)
             on conflict (team_id, rider_id) do nothing returning rider_id::text`,
            [scope.teamId, source, ids, new Date(at)] as never[],
          );
          return {
            added: added.map((r) => Number(r.rider_id)),
            removed: removed.map((r) => Number(r.rider_id)),
          };
        }) as unknown as Promise<{ added: number[]; removed: number[] }>,
      );
      return rows;
    },
    getRiders: (ids) => base.getRiders(ids),
    writeRiders: (writes) => base.writeRiders(writes),
    listRiderHistory: (query) => base.listRiderHistory(query),
    upsertEvents: (events) => base.upsertEvents(events),
    markEventsRemoved: (ids, at) => base.markEventsRemoved(ids, at),
    listEvents: (query) => base.listEvents(query),
    applySignups: (eventId, present, at) => base.applySignups(eventId, present, at),
    async listSignups(query) {
      const rows = await base.listSignups(query);
      if (scope.kind === 'world') return rows;
      const team = new Set((await getTeam()).map((m) => m.riderId));
      return rows.filter((r) => team.has(r.riderId));
    },
    getSignupChecks: (ids) => base.getSignupChecks(ids),
    putSignupChecks: (checks) => base.putSignupChecks(checks),
    applyResults: (eventId, rows, at) => base.applyResults(eventId, rows, at),
    listResults: (query) => base.listResults(query),
    listResultJobs: () => base.listResultJobs(),
    putResultJobs: (jobs) => base.putResultJobs(jobs),
    deleteResultJobs: (keys) => base.deleteResultJobs(keys),
    async getJobStates() {
      const states = await base.getJobStates();
      return states
        .filter((st) => st.job.startsWith(prefix))
        .map((st) => ({ ...st, job: st.job.slice(prefix.length) }));
    },
    putJobState: (state: JobState, fence?: Fence) =>
      base.putJobState({ ...state, job: prefix + state.job }, fence),
    appendSyncLog: (entries: readonly SyncLogEntry[]) =>
      base.appendSyncLog(entries.map((e) => ({ ...e, job: prefix + e.job }))),
    async listSyncLog(query) {
      const rows = await base.listSyncLog(
        query ? { ...query, ...(query.job ? { job: prefix + query.job } : {}) } : query,
      );
      return rows
        .filter((e) => e.job.startsWith(prefix))
        .map((e) => ({ ...e, job: e.job.slice(prefix.length) }));
    },
    ...(leases ? { leases } : {}),
    ...(base.rateLimitStore ? { rateLimitStore: base.rateLimitStore } : {}),
  };
  return view;
}
