import { postgrestClient, startPostgrestFaultProxy } from '@racesync/postgres-kit';
import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { type ChangeEvent, createSyncEngine } from '@racesync/sync-core';
import { compareWithTruth } from '@racesync/verify';
import { createZwiftClient } from '@racesync/zwift-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createSupabaseTransport,
  migrate,
  type RpcTransport,
} from '../../src/index.ts';
import { adminSql, freshSchemaName, pgUrl } from '../support/db.ts';
import { describeRealPostgrest, expose, hide, postgrest } from '../support/postgrest.ts';
import { dbChecks } from './db-checks.ts';

const HOUR = 3_600_000;

/**
 * A simulated day the way a Supabase user runs racesync: the simulator as the upstream (loopback
 * HTTP, virtual clock), the real client and engine, and the storage through supabase-js `rpc()` to
 * real PostgREST 12.0.2 (service-role JWT) into real PostgreSQL — rate-limit buckets and leases
 * included. Afterwards the stored state equals the simulator's ground truth, and SQL-level checks
 * find no duplicate, no rider without history and no half-applied list.
 */
describeRealPostgrest('a simulated day through supabase-js and real PostgREST', () => {
  const admin = adminSql(2);
  const schema = freshSchemaName('rs_pday');
  // Pass-through (no faults): counts the storage calls that went over HTTP.
  let counter: Awaited<ReturnType<typeof startPostgrestFaultProxy>>;

  beforeAll(async () => {
    await migrate({ connectionString: pgUrl(), schema });
    await expose(schema);
    counter = await startPostgrestFaultProxy({ target: postgrest().url });
  });

  afterAll(async () => {
    await counter?.close();
    await hide(schema);
    await admin.unsafe(`drop schema "${schema}" cascade`);
    await admin.end();
  });

  it('24 simulated hours: the stored state equals the truth, every storage call over HTTP', async () => {
    const sim = createSimulation({ seed: 23, teamSize: 10, eventsPerDay: 40, days: 2 });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;
    const viaSupabase = createSupabaseTransport({
      client: postgrestClient(counter.url, postgrest().serviceRoleKey, schema),
    });
    // The virtual clock waits for every storage call before it moves on.
    const tracked: RpcTransport = {
      kind: viaSupabase.kind,
      call: (fn, args) => clock.track(viaSupabase.call(fn, args)),
      close: () => viaSupabase.close(),
    };
    const storage = createPostgresStorage({ transport: tracked, schema });
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
    const warnings: string[] = [];
    const engine = createSyncEngine({
      source: client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      instanceId: 'day',
      logger: {
        warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
        error: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
      },
    });
    engine.on('*', (e) => {
      events.push(e);
    });
    try {
      const start = clock.now();
      engine.start();
      await clock.advanceBy(24 * HOUR);
      await clock.run(engine.stop());
      const end = clock.now();

      expect(warnings).toEqual([]);
      expect(events.filter((e) => e.type === 'sync.failed')).toEqual([]);
      expect(sim.stats().violations.total).toBe(0);
      const comparison = await compareWithTruth({
        storage,
        truthAt: (t) => sim.truthAt(t),
        from: start,
        end,
      });
      expect(comparison.examples).toEqual([]);
      expect(comparison.mismatches).toBe(0);
      expect(comparison.riders.compared).toBe(10);
      expect(comparison.events.compared).toBeGreaterThan(100);
      expect(comparison.teamSignups.signups).toBeGreaterThan(0);
      expect(comparison.teamResults.races).toBeGreaterThan(5);

      const checks = await dbChecks(admin, schema, (t) => sim.truthAt(t), { slackMs: 0 });
      expect(Object.values(checks.duplicates).every((n) => n === 0)).toBe(true);
      expect(checks.ridersWithoutHistory).toBe(0);
      expect(checks.signupListsInconsistent).toEqual([]);
      expect(checks.resultSetsInconsistent).toEqual([]);
      expect(checks.signupListsChecked).toBeGreaterThan(0);
      // Everything went through supabase-js and PostgREST: the sync log, the shared rate-limit
      // buckets and the leases are in the database, and the proxy saw every call.
      const [row] = await admin.unsafe(
        `select (select count(*) from "${schema}".sync_log)::int as log,
                (select count(*) from "${schema}".rate_limit_buckets)::int as buckets,
                (select count(*) from "${schema}".leases)::int as leases`,
      );
      expect(row?.log).toBeGreaterThan(100);
      expect(row?.buckets).toBeGreaterThan(0);
      expect(row?.leases).toBeGreaterThan(0);
      expect(counter.calls).toBeGreaterThan(1000);
      console.log(
        `[sync-day] 24 h through real PostgREST: ${counter.calls} rpc calls, ${sim.stats().requests.total} upstream requests, ` +
          `${comparison.events.compared} events, ${comparison.teamSignups.signups} team signups, ` +
          `${comparison.teamResults.rows} result rows compared with the truth`,
      );
    } finally {
      await clock.run(engine.stop()).catch(() => undefined);
      await sim.close();
    }
  }, 900_000); // a hang guard only: the virtual clock makes a loaded machine slower, never different
});
