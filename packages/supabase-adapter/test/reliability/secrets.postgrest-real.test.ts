import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { PASSWORD, postgrestClient } from '@racesync/postgres-kit';
import { createSimulation, type VirtualClock } from '@racesync/simulator';
import { createSyncEngine } from '@racesync/sync-core';
import { createZwiftClient, type Logger } from '@racesync/zwift-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  migrate,
  type RpcTransport,
} from '../../src/index.ts';
import { adminSql, freshSchemaName, passwordUrl, pgUrl } from '../support/db.ts';
import { describeRealPostgrest, expose, hide, postgrest, postgrestJwtSecret } from '../support/postgrest.ts';

/**
 * Secrets never leak, end to end. A faulty simulated sync (30 % of upstream responses faulted, some
 * answers echoing the API key back in bodies and in malformed records) runs with a distinctive
 * API key, its storage reached through supabase-js with the service-role key (a real JWT, sent to
 * real PostgREST 12.0.2); then runners with
 * the password-protected role's connection string fail in every way a connection can (wrong
 * password, no grants, server unreachable, unparsable URL). Everything they produce is captured —
 * every client and engine log line (inspected and as JSON), every thrown error (inspect with hidden
 * properties and causes, JSON, stack), every change event, skipped-record reports, and every row of
 * every table of the schema (sync log, job states and cursors, rider history snapshots, rate-limit
 * buckets) — and searched for the API key, the service-role key, the JWT secret it was signed with
 * and the password (raw, URL-encoded and base64).
 *
 * The runner's HTML report (`tools/report`, written by `--report`) is searched the same way in
 * `examples/runner/test/reliability/secrets-report.test.ts`, with the runner's output and tables.
 */
const API_KEY = `zr-live-${randomBytes(16).toString('hex')}`;
const admin = adminSql(2);
const schema = freshSchemaName('rs_secrets');
const captured: string[] = [];
const capture = (label: string, value: unknown) => {
  captured.push(
    `${label}: ${typeof value === 'string' ? value : ''}`,
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    safeJson(value),
    value instanceof Error ? (value.stack ?? '') : '',
  );
};
const safeJson = (value: unknown) => {
  try {
    return JSON.stringify(value, (_k, v) =>
      v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
    );
  } catch {
    return '';
  }
};
const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

describeRealPostgrest('secrets never leak', () => {
  beforeAll(async () => {
    await migrate({ connectionString: pgUrl(), schema });
    await expose(schema);
  });

  afterAll(async () => {
    await hide(schema);
    await admin.unsafe(`drop schema "${schema}" cascade`);
    await admin.end();
  });

  it('API key, service-role key and database password appear nowhere after a faulty run', async () => {
    const SERVICE_KEY = postgrest().serviceRoleKey;
    const SECRETS = [API_KEY, SERVICE_KEY, postgrestJwtSecret(), PASSWORD];
    const FORMS = SECRETS.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
    const sim = createSimulation({
      seed: 5,
      teamSize: 30,
      days: 2,
      apiKeys: [API_KEY],
      faults: { rate: 0.3 },
    });
    const urls = await sim.listen();
    const clock = sim.clock as VirtualClock;

    // Some answers echo the key back: a 400 whose body quotes the Authorization header, and a
    // malformed signup record carrying it (skipped and reported with an excerpt).
    let n = 0;
    let keyed = 0;
    let echoAll = false;
    const echoing = (async (input: RequestInfo | URL, init?: RequestInit) => {
      // ky hands fetch a Request.
      const request = input instanceof Request ? input : null;
      const url = request ? request.url : String(input);
      const auth = (request?.headers ?? new Headers(init?.headers)).get('authorization');
      n++;
      if (auth && (echoAll || ++keyed % 3 === 0)) {
        return new Response(JSON.stringify({ message: `invalid request for key ${auth}`, key: auth }), {
          status: 400,
          headers: { 'content-type': 'application/json' },
        });
      }
      const response = await sim.fetch(input, init);
      if (response.status === 200 && url.endsWith('/signups') && n % 5 === 0) {
        const pens = (await response.json()) as { riders?: unknown[] }[];
        pens[0]?.riders?.unshift({ riderId: `key=${API_KEY}`, name: `Authorization: ${API_KEY}` });
        return new Response(JSON.stringify(pens), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      }
      return response;
    }) as typeof fetch;

    const clientLogger: Logger = Object.fromEntries(
      (['debug', 'info', 'warn', 'error'] as const).map((level) => [
        level,
        (object: Record<string, unknown>, message: string) => capture(`client.${level} ${message}`, object),
      ]),
    ) as Logger;
    const engineLogger: Logger = Object.fromEntries(
      (['debug', 'info', 'warn', 'error'] as const).map((level) => [
        level,
        (fields: Record<string, unknown>, message: string) => capture(`engine.${level} ${message}`, fields),
      ]),
    ) as Logger;
    const client = createZwiftClient({
      apiKey: API_KEY,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      fetch: echoing,
      clock,
      logger: clientLogger,
      onSkip: (record) => capture('skip', record),
      retry: { random: () => 0.5 },
    });
    const viaSupabase = createSupabaseTransport({
      client: postgrestClient(postgrest().url, SERVICE_KEY, schema),
    });
    const tracked: RpcTransport = {
      kind: viaSupabase.kind,
      call: (fn, args) => clock.track(viaSupabase.call(fn, args)),
      close: () => viaSupabase.close(),
    };
    const storage = createPostgresStorage({ transport: tracked, schema });
    const engine = createSyncEngine({
      source: client,
      storage,
      team: { clubId: urls.clubId },
      clock,
      logger: engineLogger,
    });
    engine.on('*', (event) => capture('event', event));
    engine.start();
    await clock.advanceBy(3 * 3_600_000);
    await clock.run(engine.stop());
    const stats = sim.stats();
    expect(stats.faultsInjected.total).toBeGreaterThan(50);
    expect((await storage.getRiders()).length).toBeGreaterThan(20);

    // Direct calls that fail, with the key: an answer echoing it, a wrong key, a bad option.
    echoAll = true;
    capture('echo error', await clock.run(rejection(client.results.forEvent('5352991'))));
    const wrongKey = createZwiftClient({
      apiKey: `${API_KEY}-revoked`,
      baseUrl: urls.baseUrl,
      fetch: sim.fetch,
      clock,
    });
    capture('auth error', await clock.run(rejection(wrongKey.riders.get(urls.teamRiderIds[0]!))));
    capture(
      'config error',
      await rejection(Promise.resolve().then(() => createZwiftClient({ apiKey: API_KEY, timeoutMs: -1 }))),
    );
    await sim.close();

    // Runners whose database connection fails in every way, with the password in the URL.
    const urlsToFail = [
      passwordUrl(`${PASSWORD}-wrong`), // real scram authentication failure
      passwordUrl(PASSWORD), // right password, no grants on this schema
      passwordUrl(PASSWORD).replace(/:\d+\//, ':9/'), // unreachable
    ];
    for (const url of urlsToFail) {
      const transport = createPostgresTransport({ connectionString: url, connectTimeoutSeconds: 2 });
      const failing = createPostgresStorage({ transport, schema });
      const runner = createSyncEngine({
        source: createZwiftClient({ apiKey: API_KEY, baseUrl: urls.baseUrl }),
        storage: failing,
        team: { riderIds: [1] },
        logger: engineLogger,
      });
      runner.on('*', (event) => capture('event', event));
      capture('runOnce error', await rejection(runner.runOnce('team')));
      capture('storage error', await rejection(failing.getTeam()));
      capture('verify error', await rejection(failing.verify()));
      capture('migrate error', await rejection(migrate({ connectionString: url, schema })));
      await transport.close();
    }
    capture(
      'unparsable url',
      await rejection(
        Promise.resolve().then(() =>
          createPostgresTransport({ connectionString: `postgres://u:${PASSWORD}@[::1` }),
        ),
      ),
    );

    // Everything the database holds: the sync log, job states and cursors, snapshots, buckets, …
    const tables = await admin<{ name: string }[]>`
      select tablename as name from pg_tables where schemaname = ${schema}`;
    for (const { name } of tables) {
      const rows = await admin.unsafe(`select to_jsonb(t)::text as row from "${schema}"."${name}" t`);
      for (const row of rows) captured.push(`${name}: ${row.row}`);
    }
    const syncLog = await admin.unsafe(`select count(*)::int as n from "${schema}".sync_log`);
    expect(syncLog[0]?.n).toBeGreaterThan(50);

    const everything = captured.join('\n');
    expect(everything.length).toBeGreaterThan(100_000);
    // The capture really saw the hostile paths (so a clean result means something).
    expect(everything).toContain('invalid request for key');
    expect(everything).toContain('Authorization: [redacted]'); // a skipped record's excerpt
    expect(everything).toContain('password authentication failed'); // a real scram failure
    for (const form of FORMS) {
      const at = everything.indexOf(form);
      expect(at, `secret found: …${everything.slice(Math.max(0, at - 200), at + 50)}…`).toBe(-1);
    }
  }, 600_000); // a hang guard only: the virtual clock makes a loaded machine slower, never different
});
