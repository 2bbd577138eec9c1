import { inspect } from 'node:util';
import { type PostgrestFaultProxy, postgrestClient, startPostgrestFaultProxy } from '@racesync/postgres-kit';
import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { type ChangeEvent, createSyncEngine } from '@racesync/sync-core';
import { makeRider, riderChange } from '@racesync/sync-core/testing';
import { compareWithTruth } from '@racesync/verify';
import { createZwiftClient } from '@racesync/zwift-client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createSupabaseTransport,
  migrate,
  PostgresStorageError,
  type RpcTransport,
} from '../../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from '../support/db.ts';
import { describeRealPostgrest, expose, hide, postgrest } from '../support/postgrest.ts';
import { dbChecks } from './db-checks.ts';

const HOUR = 3_600_000;

/**
 * Faults between supabase-js and PostgREST that real PostgREST cannot produce on demand, injected by
 * a proxy in front of it (every other answer is real PostgREST's): connections dropped in the
 * middle of a response — after PostgREST committed the call, so the caller cannot know it landed —
 * and bursts of 502/503/504 from the gateway. Each failure is a typed `connection` error without
 * a key in it; the engine fails the run, retries later, and the stored state ends equal to the
 * simulator's truth with nothing duplicated or half-applied.
 */
describeRealPostgrest('faults between supabase-js and real PostgREST', () => {
  const admin = adminSql(2);
  const schemas: string[] = [];
  let proxy: PostgrestFaultProxy;

  const freshSchema = async () => {
    const schema = freshSchemaName('rs_pfault');
    schemas.push(schema);
    await migrate({ connectionString: pgUrl(), schema });
    await expose(schema);
    return schema;
  };
  const storageFor = (schema: string, wrap: (t: RpcTransport) => RpcTransport = (t) => t) =>
    createPostgresStorage({
      transport: wrap(
        createSupabaseTransport({ client: postgrestClient(proxy.url, postgrest().serviceRoleKey, schema) }),
      ),
      schema,
    });
  const rejection = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as Error & Record<string, unknown>;
    }
    throw new Error('expected a rejection');
  };
  const clean = (error: unknown) => {
    const text = [String(error), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)].join(
      '\n',
    );
    for (const secret of [postgrest().serviceRoleKey, ...postgrest().serviceRoleKey.split('.')]) {
      expect(text).not.toContain(secret);
    }
  };

  beforeAll(async () => {
    proxy = await startPostgrestFaultProxy({ target: postgrest().url });
  });
  afterEach(() => {
    // No fault left queued for the next test.
    proxy.clearFaults();
  });
  afterAll(async () => {
    await proxy?.close();
    if (schemas.length > 0) {
      await hide(...schemas);
      await admin.unsafe(schemas.map((s) => `drop schema "${s}" cascade;`).join('\n'));
    }
    await admin.end();
  });

  it('a response dropped after PostgREST committed: a typed connection error, and the write did land', async () => {
    const schema = await freshSchema();
    const storage = storageFor(schema);
    const dropped = proxy.faults.dropped;
    proxy.dropNext(1, { fn: /^write_riders$/ });
    const rider = makeRider(1, 1000);
    const error = await rejection(storage.writeRiders([riderChange(rider, null)]));
    expect(proxy.faults.dropped).toBe(dropped + 1);
    expect(error).toBeInstanceOf(PostgresStorageError);
    expect(error).toMatchObject({ kind: 'storage', reason: 'connection', status: 0 });
    clean(error);
    // The ambiguity a caller must live with: it failed, yet it committed (rider and history together).
    expect(await storage.getRiders([1])).toEqual([rider]);
    expect(await storage.listRiderHistory({ riderIds: [1] })).toHaveLength(1);
    // Replaying the same batch is harmless: no second history row.
    await storage.writeRiders([riderChange(rider, null)]);
    expect(await storage.listRiderHistory({ riderIds: [1] })).toHaveLength(1);
  });

  it.each([502, 503, 504] as const)(
    'a gateway %i: a typed connection error, nothing reached the database',
    async (status) => {
      const schema = await freshSchema();
      const storage = storageFor(schema);
      proxy.failNext(1, status, { fn: /^replace_team$/ });
      const error = await rejection(storage.replaceTeam('manual', [1, 2], 1000));
      expect(error).toBeInstanceOf(PostgresStorageError);
      expect(error).toMatchObject({ reason: 'connection', status, code: null });
      clean(error);
      expect(await storage.getTeam()).toEqual([]);
    },
  );

  it('PostgREST on a dead pooled connection (HTTP 400, no SQLSTATE, no message): a typed connection error, and the next call works', async () => {
    const schema = await freshSchema();
    const storage = storageFor(schema);
    proxy.lostConnectionNext(1, { fn: /^replace_team$/ });
    const error = await rejection(storage.replaceTeam('manual', [1, 2], 1000));
    expect(error).toBeInstanceOf(PostgresStorageError);
    expect(error).toMatchObject({ reason: 'connection', status: 400, code: null });
    expect(error.message).toContain('database connection lost');
    clean(error);
    await storage.replaceTeam('manual', [1, 2], 1000);
    expect((await storage.getTeam()).map((m) => m.riderId).sort()).toEqual([1, 2]);
  });

  it('6 simulated hours with dropped responses and 5xx bursts: runs fail and are retried; the state equals the truth', async () => {
    const schema = await freshSchema();
    const sim = createSimulation({ seed: 31, teamSize: 10, eventsPerDay: 40, days: 2 });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const storage = storageFor(schema, (inner) => ({
      kind: inner.kind,
      call: (fn, args) => clock.track(inner.call(fn, args)),
      close: () => inner.close(),
    }));
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
    const events: ChangeEvent[] = [];
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const log = (fields: Record<string, unknown>, message: string) => {
      logged.push({ message, ...(fields ? { fields } : {}) });
    };
    const engine = createSyncEngine({
      source: client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      instanceId: 'faults',
      logger: { warn: log, error: log },
    });
    engine.on('*', (e) => {
      events.push(e);
    });
    const before = { ...proxy.faults };
    try {
      const start = clock.now();
      engine.start();
      // Every 20 simulated minutes for 5 hours: the next writes' answers are lost after commit,
      // and a burst of gateway failures hits whatever comes next.
      const writes =
        /^(write_riders|upsert_events|apply_signups|apply_results|put_job_state|append_sync_log)$/;
      for (let i = 0; i < 15; i++) {
        proxy.dropNext(2, { fn: writes });
        proxy.failNext(3, ([502, 503, 504] as const)[i % 3]);
        await clock.advanceBy(HOUR / 3);
      }
      // A last hour without faults.
      await clock.advanceBy(HOUR);
      await clock.run(engine.stop());
      const end = clock.now();

      const dropped = proxy.faults.dropped - before.dropped;
      const failed = proxy.faults.failed - before.failed;
      expect(dropped).toBeGreaterThanOrEqual(20);
      expect(failed).toBe(45);
      expect(events.filter((e) => e.type === 'sync.failed').length).toBeGreaterThan(0);
      const storageKinds = logged.filter((l) => l.fields?.['kind'] === 'storage');
      expect(storageKinds.length).toBeGreaterThan(0);
      for (const entry of logged) clean(entry);
      expect(sim.stats().violations.total).toBe(0);

      const checks = await dbChecks(admin, schema, (t) => sim.truthAt(t), { slackMs: 0 });
      expect(Object.values(checks.duplicates).every((n) => n === 0)).toBe(true);
      expect(checks.ridersWithoutHistory).toBe(0);
      expect(checks.signupListsInconsistent).toEqual([]);
      expect(checks.resultSetsInconsistent).toEqual([]);
      const comparison = await compareWithTruth({
        storage,
        truthAt: (t) => sim.truthAt(t),
        from: start,
        end,
      });
      expect(comparison.examples).toEqual([]);
      expect(comparison.mismatches).toBe(0);
      console.log(
        `[supabase-faults] 6 h: ${dropped} responses dropped after commit, ${failed} gateway failures, ` +
          `${events.filter((e) => e.type === 'sync.failed').length} failed runs, state equals the truth`,
      );
    } finally {
      await clock.run(engine.stop()).catch(() => undefined);
      await sim.close();
    }
  }, 300_000);
});
