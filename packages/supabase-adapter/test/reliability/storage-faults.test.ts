import { createSimulation, type Simulation, type VirtualClock } from '@racesync/simulator';
import { type ChangeEvent, createSyncEngine, type SyncEngine } from '@racesync/sync-core';
import { compareWithTruth } from '@racesync/verify';
import { createZwiftClient } from '@racesync/zwift-client';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  migrate,
  type PostgresStorage,
  type RpcTransport,
} from '../../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from '../support/db.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { dbChecks } from './db-checks.ts';

// Storage faults with the PostgreSQL storage, the engine driven by the simulator's virtual clock:
// the connection killed in the middle of a batch's transaction, and the database unreachable for a
// while. Each time the run fails cleanly (typed `storage` error, logged, `sync.failed`, retried
// later), the engine keeps going, and nothing is half-written.

const MIN = 60_000;
const HOUR = 60 * MIN;
const admin = adminSql(4);

/** The storage transport with every call tracked by the virtual clock (it waits for the database). */
function tracked(inner: RpcTransport, clock: VirtualClock): RpcTransport {
  return {
    kind: inner.kind,
    call: (fn, args) => clock.track(inner.call(fn, args)),
    close: () => inner.close(),
  };
}

interface Rig {
  sim: Simulation;
  clock: VirtualClock;
  storage: PostgresStorage;
  engine: SyncEngine;
  events: ChangeEvent[];
  logs: { level: string; message: string; fields?: Record<string, unknown> }[];
  schema: string;
  /** The storage's postgres.js pool. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

async function rig(connectionString: string, applicationName: string): Promise<Rig> {
  const schema = freshSchemaName('rs_sfault');
  await migrate({ connectionString: pgUrl(), schema });
  const sim = createSimulation({ seed: 17, teamSize: 30, days: 2 });
  const urls = await sim.listen();
  const clock = sim.clock as VirtualClock;
  // postgres.js retries connecting with a real-time back-off of up to 20 s; keep it short here so
  // an outage costs milliseconds of real time, not minutes (the engine's own back-off is simulated).
  // While the proxy is down a connection is refused at once; the connect timeout stays postgres.js's
  // default (30 s), so a slow machine never turns a healthy connection into a failed run.
  const sql = postgres(connectionString, {
    max: 2,
    backoff: () => 0.01,
    onnotice: () => {},
    connection: { application_name: applicationName },
  });
  const direct = createPostgresTransport({ sql });
  const storage = createPostgresStorage({ transport: tracked(direct, clock), schema });
  const client = createZwiftClient({
    apiKey: urls.apiKey,
    baseUrl: urls.baseUrl,
    siteBaseUrl: urls.siteBaseUrl,
    zwiftBaseUrl: urls.zwiftBaseUrl,
    fetch: sim.fetch,
    clock,
    rateLimitStore: storage.rateLimitStore,
    retry: { random: () => 0.5 },
  });
  const logs: Rig['logs'] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => {
    logs.push({ level, message, fields });
  };
  const events: ChangeEvent[] = [];
  const engine = createSyncEngine({
    source: client,
    storage,
    team: { clubId: urls.clubId },
    clock,
    instanceId: 'faults',
    logger: { warn: log('warn'), error: log('error') },
  });
  engine.on('*', (e) => {
    events.push(e);
  });
  return {
    sim,
    clock,
    storage,
    engine,
    events,
    logs,
    schema,
    sql,
    async close() {
      await clock.run(engine.stop());
      await sim.close();
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop schema "${schema}" cascade`);
    },
  };
}

/** Resolves once a query through `sql` succeeds (each failed try is postgres.js failing fast). */
async function reachable(sql: postgres.Sql): Promise<void> {
  for (;;) {
    try {
      await sql`select 1`;
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});
afterAll(async () => {
  await admin.end();
});
beforeAll(() => {
  expect(inject('pgPort')).toBeGreaterThan(0);
});

describe('storage faults', () => {
  it('the connection killed mid-transaction: the rider batch rolls back whole, the run fails cleanly and is retried', async () => {
    const app = `rs-kill-${Math.random().toString(36).slice(2, 8)}`;
    const w = await rig(pgUrl(), app);
    current = w;
    await w.clock.run(w.engine.runOnce('team'));
    const before = await w.storage.getRiders();
    expect(before.length).toBe(30);
    const historyBefore = (await w.storage.listRiderHistory()).length;

    // Riders change upstream; the next bulk write must then insert history rows. Hold the history
    // table so the batch's transaction stops after updating the riders rows, then kill it.
    await w.clock.advanceBy(6 * HOUR);
    const changed = new Set(
      w.sim.truth.riderChangesBetween(w.sim.options.start, w.clock.now()).map((c) => c.riderId),
    );
    expect(changed.size).toBeGreaterThan(0);
    const locker = await admin.reserve();
    await locker`begin`;
    await locker.unsafe(`lock table "${w.schema}".rider_history in access exclusive mode`);
    const run = w.clock.run(w.engine.runOnce('riders'));
    // Wait for the state itself: the batch's backend blocked on the history table. The run cannot
    // end before (its write waits for the lock), and if it did anyway, that is the failure to report.
    let settled = false;
    void run.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    let pid: number | null = null;
    while (pid === null && !settled) {
      const [row] = await admin<{ pid: number }[]>`
        select pid from pg_stat_activity
        where application_name = ${app} and wait_event_type = 'Lock' and query like '%write_riders%'`;
      pid = row?.pid ?? null;
      if (pid === null) await new Promise((r) => setTimeout(r, 25));
    }
    expect(pid, 'write_riders blocked on the history table').not.toBeNull();
    await admin`select pg_terminate_backend(${pid})`;
    const [summary] = await run;
    await locker`rollback`;
    locker.release();

    expect(summary).toMatchObject({ job: 'riders', status: 'failed', errorKind: 'storage' });
    expect(summary!.nextDueAt).toBeGreaterThan(w.clock.now());
    expect(w.logs.some((l) => l.level === 'warn' && l.message === 'riders failed')).toBe(true);
    expect(w.events.some((e) => e.type === 'sync.failed' && e.job === 'riders')).toBe(true);
    // Nothing half-written: riders exactly as before, no history row without its rider change.
    expect(await w.storage.getRiders()).toEqual(before);
    expect((await w.storage.listRiderHistory()).length).toBe(historyBefore);
    expect((await w.storage.listSyncLog({ job: 'riders' }))[0]).toMatchObject({
      status: 'failed',
      errorKind: 'storage',
    });

    // Retried later: the same change lands, rider and history row together.
    await w.clock.runUntil(summary!.nextDueAt + 16 * MIN);
    const [retry] = await w.clock.run(w.engine.runOnce('riders'));
    expect(retry?.status).toBe('ok');
    const after = new Map((await w.storage.getRiders()).map((r) => [r.riderId, r]));
    const beforeById = new Map(before.map((r) => [r.riderId, r]));
    for (const riderId of changed) expect(after.get(riderId)?.hash).not.toBe(beforeById.get(riderId)?.hash);
    const checks = await dbChecks(admin, w.schema, (t) => w.sim.truthAt(t), { slackMs: 0 });
    expect(checks.ridersWithoutHistory).toBe(0);
    expect(Object.values(checks.duplicates).every((n) => n === 0)).toBe(true);
  });

  it('the database unreachable for 40 simulated minutes mid-run: runs fail, are logged and retried; afterwards storage equals the truth', async () => {
    const proxy = await startTcpProxy(inject('pgPort'));
    const url = `postgres://postgres@127.0.0.1:${proxy.port}/postgres`;
    const w = await rig(url, 'rs-proxy');
    current = w;
    try {
      const start = w.clock.now();
      w.engine.start();
      await w.clock.advanceBy(HOUR);
      // Down in the middle of whatever runs now (the events job is nearly always mid-run).
      await proxy.down();
      const downAt = w.clock.now();
      await w.clock.advanceBy(40 * MIN);
      const failedWhileDown = w.events.filter((e) => e.type === 'sync.failed' && e.at >= downAt).length;
      await proxy.up();
      // The outage ends in real time too: postgres.js fails fast with the last connect error for
      // `backoff` seconds of real time after a failed attempt, while the virtual clock can reach the
      // next run within microseconds. Wait for the observable state (the pool reaches the database
      // again), as any real outage's end would take, before time moves on.
      await reachable(w.sql);
      const upAt = w.clock.now();
      await w.clock.advanceBy(3 * HOUR);
      await w.clock.run(w.engine.stop());
      const end = w.clock.now();

      expect(failedWhileDown).toBeGreaterThan(0);
      // Logged: failed runs (warn, kind storage) and state that could not be persisted (error).
      expect(w.logs.filter((l) => l.fields?.['kind'] === 'storage').length).toBeGreaterThan(0);
      expect(w.sim.stats().violations.total).toBe(0);
      // Runs after the outage succeed again.
      const log = await w.storage.listSyncLog({ since: upAt + 30 * MIN });
      expect(log.length).toBeGreaterThan(0);
      expect(log.filter((e) => e.errorKind === 'storage')).toEqual([]);

      const checks = await dbChecks(admin, w.schema, (t) => w.sim.truthAt(t), { slackMs: 0 });
      expect(Object.values(checks.duplicates).every((n) => n === 0)).toBe(true);
      expect(checks.ridersWithoutHistory).toBe(0);
      expect(checks.signupListsInconsistent).toEqual([]);
      expect(checks.resultSetsInconsistent).toEqual([]);
      const comparison = await compareWithTruth({
        storage: w.storage,
        truthAt: (t) => w.sim.truthAt(t),
        from: start,
        end,
        signupsFrom: upAt + 10 * MIN, // races during the outage may have missed their final sweep
      });
      expect(comparison.examples).toEqual([]);
      expect(comparison.mismatches).toBe(0);
    } finally {
      await proxy.close().catch(() => undefined);
    }
  }, 600_000); // a hang guard only: the virtual clock makes a loaded machine slower, never different
});
