import type { SyncLogEntry } from '@racesync/sync-core';
import { makeEvent, makeRider, riderChange } from '@racesync/sync-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  migrate,
  type PostgresStorage,
} from '../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from './support/db.ts';

// The dashboard views read the database clock (now()), so the data here is on the real clock.
const admin = adminSql(2);
const schema = freshSchemaName('rs_views');
const transport = createPostgresTransport({ connectionString: pgUrl(), max: 2 });
let storage: PostgresStorage;
const now = Date.now();
const HOUR = 3_600_000;

const log = (
  runId: string,
  job: string,
  startedAt: number,
  extra: Partial<SyncLogEntry> = {},
): SyncLogEntry => ({
  runId,
  job,
  startedAt,
  finishedAt: startedAt + 200,
  status: 'ok',
  apiCalls: 1,
  records: 10,
  changes: 1,
  errorKind: null,
  message: null,
  ...extra,
});

const view = (name: string, where = '') => admin.unsafe(`select * from "${schema}"."${name}" ${where}`);

beforeAll(async () => {
  await migrate({ transport, schema });
  storage = createPostgresStorage({ transport, schema });
});

afterAll(async () => {
  await admin.unsafe(`drop schema "${schema}" cascade`);
  await transport.close();
  await admin.end();
});

describe('dashboard and operations views', () => {
  it('sync_health_24h: per job over the last 24 h, including jobs that did not run', async () => {
    await storage.appendSyncLog([
      log('r1', 'riders', now - 3 * HOUR, { apiCalls: 2 }),
      log('r2', 'riders', now - 2 * HOUR, { apiCalls: 3 }),
      log('r3', 'riders', now - HOUR, {
        status: 'failed',
        apiCalls: 1,
        errorKind: 'rate_limited',
        message: 'retry in 60s',
      }),
      log('r4', 'riders', now - 30 * HOUR, { apiCalls: 100 }), // older than 24 h
      log('r5', 'results', now - HOUR, { status: 'skipped', apiCalls: 0 }),
    ]);
    await storage.putJobState({
      job: 'events',
      nextDueAt: now + HOUR,
      lastRunAt: null,
      lastSuccessAt: null,
      cursor: null,
    });
    await storage.putJobState({
      job: 'riders',
      nextDueAt: now + 2 * HOUR,
      lastRunAt: now - HOUR,
      lastSuccessAt: now - 2 * HOUR,
      cursor: null,
    });
    const rows = await view('sync_health_24h', 'order by job');
    expect(rows.map((r) => r.job)).toEqual(['events', 'results', 'riders']);
    const [events, results, riders] = rows;
    expect(events).toMatchObject({ runs: '0', api_calls: '0', last_status: null });
    expect(results).toMatchObject({ runs: '1', skipped: '1', success_pct: null });
    expect(riders).toMatchObject({
      runs: '3',
      ok: '2',
      failed: '1',
      api_calls: '6',
      success_pct: '66.7',
      avg_duration_ms: '200',
      last_status: 'failed',
      last_error_kind: 'rate_limited',
      last_error_message: 'retry in 60s',
    });
    expect((riders!.next_due_at as Date).getTime()).toBe(now + 2 * HOUR);
    expect((riders!.last_ok_at as Date).getTime()).toBe(now - 2 * HOUR + 200);
  });

  it('api_calls_hourly: upstream calls per job per hour, from the sync log', async () => {
    const rows = await view('api_calls_hourly', `where job = 'riders' order by hour`);
    expect(rows.reduce((n, r) => n + Number(r.api_calls), 0)).toBe(106);
    expect(rows.find((r) => Number(r.rate_limited_runs) === 1)).toBeDefined();
    for (const r of rows) expect((r.hour as Date).getTime() % HOUR).toBe(0);
  });

  it('rate_limit_usage_hourly: tokens granted and refused per bucket per hour, against its budget', async () => {
    const spec = { capacity: 5, intervalMs: 60_000 };
    for (let i = 0; i < 7; i++) await storage.rateLimitStore.take('abc123:riders', spec, now + i);
    await storage.rateLimitStore.take('site', { capacity: 10, intervalMs: 60_000 }, now);
    const rows = await view('rate_limit_usage_hourly', 'order by key');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      key: 'abc123:riders',
      namespace: 'abc123',
      bucket: 'riders',
      granted: 5,
      denied: 2,
      budget_per_hour: 300,
      used_pct: '1.7',
    });
    expect((rows[0]!.hour as Date).getTime()).toBe(Math.floor(now / HOUR) * HOUR);
    expect(rows[1]).toMatchObject({ key: 'site', namespace: null, bucket: 'site', granted: 1, denied: 0 });
  });

  it('latest_rider_changes: the last 30 days of changes, newest first per rider', async () => {
    const v1 = makeRider(1, now - 40 * 24 * HOUR); // first sight long ago: not listed
    const v2 = makeRider(1, now - 2 * HOUR, { weight: 70 });
    const v3 = makeRider(1, now - HOUR, { weight: 69 });
    const other = makeRider(2, now - 3 * HOUR);
    await storage.writeRiders([riderChange(v1, null), riderChange(other, null)]);
    await storage.writeRiders([riderChange(v2, v1.hash, ['weight'])]);
    await storage.writeRiders([riderChange(v3, v2.hash, ['weight'])]);
    await storage.replaceTeam('manual', [1, 2], now);
    const rows = await view('latest_rider_changes', 'order by rider_id, recency');
    expect(rows.map((r) => [r.rider_id, r.recency, r.changed_fields, r.first_sight, r.team_source])).toEqual([
      ['1', '1', ['weight'], false, 'manual'],
      ['1', '2', ['weight'], false, 'manual'],
      ['2', '1', ['*'], true, 'manual'],
    ]);
    expect(rows[0]).toMatchObject({ name: 'Rider 1' });
    expect(rows[0]?.snapshot).toEqual(v3.data);
  });

  it('team_signups_upcoming: upcoming races with the team riders signed up (withdrawals excluded)', async () => {
    const soon = makeEvent('soon', now, { startsAt: now + HOUR, title: 'Soon race' });
    const later = makeEvent('later', now, { startsAt: now + 5 * HOUR });
    const past = makeEvent('past', now, { startsAt: now - HOUR });
    const cancelled = makeEvent('cancelled', now, { startsAt: now + 2 * HOUR });
    const empty = makeEvent('empty', now, { startsAt: now + 3 * HOUR });
    await storage.upsertEvents([soon, later, past, cancelled, empty]);
    await storage.markEventsRemoved(['cancelled'], now);
    await storage.applySignups(
      'soon',
      [
        { riderId: 1, pen: 'B' },
        { riderId: 2, pen: 'A' },
        { riderId: 3, pen: 'C' },
      ],
      now,
    );
    await storage.applySignups(
      'soon',
      [
        { riderId: 1, pen: 'B' },
        { riderId: 2, pen: 'A' },
      ],
      now + 1,
    ); // 3 withdrew
    await storage.applySignups('later', [{ riderId: 2, pen: 'B' }], now);
    await storage.applySignups('past', [{ riderId: 1, pen: 'B' }], now);
    await storage.applySignups('cancelled', [{ riderId: 1, pen: 'B' }], now);
    await storage.applySignups('empty', [], now);
    const rows = await view('team_signups_upcoming', 'order by starts_at');
    expect(rows.map((r) => [r.event_id, r.team_signups])).toEqual([
      ['soon', '2'],
      ['later', '1'],
    ]);
    expect(rows[0]).toMatchObject({
      title: 'Soon race',
      route_id: '3368626651',
      categories: ['A', 'B', 'C', 'D', 'E'],
    });
    expect(
      (rows[0]!.riders as { riderId: number; pen: string; name: string | null }[]).map((r) => [
        r.riderId,
        r.pen,
        r.name,
      ]),
    ).toEqual([
      [2, 'A', 'Rider 2'],
      [1, 'B', 'Rider 1'],
    ]);
  });
});
