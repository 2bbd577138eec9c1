/**
 * `pnpm start:supabase`: the same engine, storing into Supabase (supabase-js, service-role key) or
 * any PostgreSQL (DATABASE_URL). The client takes its tokens from the database's rate-limit store,
 * so every instance (a long-running runner, cron invocations, an Edge Function) shares one budget
 * per API key; the storage's leases keep two instances from running the same job at once.
 */

import { recordRequests } from '@racesync/report';
import {
  createPostgresStorage,
  createPostgresTransport,
  createSupabaseTransport,
  MigrationsMissingError,
  migrate,
  type PostgresTransport,
  type RpcTransport,
} from '@racesync/supabase-adapter';
import { type Clock, createZwiftClient, systemClock } from '@racesync/zwift-client';
import { createClient } from '@supabase/supabase-js';
import { SUPABASE_HELP } from './args.ts';
import type { RunnerConfig } from './env.ts';
import { followerFeedLine, zwiftAuthOf } from './follower-feed.ts';
import { createRealtimeForwarder } from './forward-realtime.ts';
import { createWebSocketForwarder, type Forwarder } from './forward-ws.ts';
import { limitsOf } from './limits.ts';
import type { RunnerOptions } from './runner-options.ts';
import { modeOf, runSession } from './session.ts';
import { handleShutdown } from './shutdown.ts';
import { startRunner } from './startup.ts';
import { trackStorage } from './track-storage.ts';
import { isVirtualClock } from './virtual-clock.ts';

export interface SupabaseRunnerOptions extends RunnerOptions {
  /**
   * Advanced, for tests and simulations: the clock of the whole run (a simulator's virtual clock
   * runs `--hours` as fast as possible) and the fetch the client uses. Default: system clock, global fetch.
   */
  clock?: Clock;
  fetch?: typeof fetch;
}

/** `host:port/database` of a connection string, without credentials. */
function describeDatabase(config: NonNullable<RunnerConfig['database']>, schema: string): string {
  if (config.kind === 'supabase')
    return `Supabase ${new URL(config.url).host} (supabase-js, schema ${schema})`;
  const url = new URL(config.url);
  return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname} (direct connection, schema ${schema})`;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}`;
}

/** Exit codes: 0 done, 1 a run failed (`--once`/`--due`) or the database is unusable, 2 bad usage or configuration. */
export async function runSupabaseRunner(options: SupabaseRunnerOptions): Promise<number> {
  const start = startRunner(options, 'supabase', SUPABASE_HELP);
  if ('exitCode' in start) return start.exitCode;
  const { out, args, config } = start;
  const upstream = config.upstream!;
  const team = config.team!;
  const database = config.database!;
  const clock = options.clock ?? systemClock;

  // Storage: one transport, the same SQL functions either way.
  let transport: PostgresTransport | RpcTransport;
  let supabase: ReturnType<typeof createClient> | null = null;
  if (database.kind === 'postgres') {
    transport = createPostgresTransport({
      connectionString: database.url,
      schema: config.schema,
      applicationName: 'racesync-runner',
    });
  } else {
    supabase = createClient(database.url, database.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
    transport = createSupabaseTransport({ client: supabase, schema: config.schema });
  }
  const storage = createPostgresStorage({ transport, schema: config.schema });
  const forwarders: Forwarder[] = [];
  try {
    out.line(`racesync: storage ${describeDatabase(database, config.schema)}`);
    try {
      if (config.migrate) {
        const result = await migrate({ transport: transport as PostgresTransport, schema: config.schema });
        out.line(
          `racesync: migrations ${result.applied.length > 0 ? `applied: ${result.applied.join(', ')}` : 'up to date'}`,
        );
      }
      await storage.verify();
    } catch (error) {
      out.error(`racesync: the database is not usable: ${errorText(error)}`);
      if (!config.migrate && error instanceof MigrationsMissingError)
        out.error('racesync: to create the schema, run once with RACESYNC_MIGRATE=1 and DATABASE_URL');
      return 1;
    }

    const bases = {
      ...(upstream.baseUrl ? { baseUrl: upstream.baseUrl } : {}),
      ...(upstream.siteBaseUrl ? { siteBaseUrl: upstream.siteBaseUrl } : {}),
      ...(upstream.zwiftBaseUrl ? { zwiftBaseUrl: upstream.zwiftBaseUrl } : {}),
    };
    const engineStorage = isVirtualClock(clock) ? trackStorage(storage, clock) : storage;
    const requests = recordRequests(options.fetch ?? globalThis.fetch, () => clock.now(), bases);
    const client = createZwiftClient({
      apiKey: upstream.apiKey,
      tier: upstream.tier,
      ...bases,
      fetch: requests.fetch,
      clock,
      // Shared budget: every instance using this database takes its tokens from the same rows.
      rateLimitStore: engineStorage.rateLimitStore,
      ...zwiftAuthOf(config),
    });
    if (config.wsUrl)
      forwarders.push(createWebSocketForwarder(config.wsUrl, { onError: (m) => out.error(m) }));
    if (config.realtimeChannel && supabase) {
      forwarders.push(
        createRealtimeForwarder(supabase, config.realtimeChannel, { onError: (m) => out.error(m) }),
      );
    }
    out.line(
      `racesync: team ${[team.clubId ? `club ${team.clubId}` : '', team.riderIds ? `${team.riderIds.length} riders` : ''].filter(Boolean).join(' + ')} · ${upstream.tier} tier · shared rate limits and leases in the database`,
    );
    out.line(followerFeedLine(config));
    for (const f of forwarders) out.line(`racesync: forwarding change events to ${f.description}`);

    const shutdown = handleShutdown(out, options.signals, options.exit, options.signalRepeatWindowMs);
    try {
      const mode = modeOf(args);
      const result = await runSession({
        out,
        args,
        mode,
        shutdown,
        clock,
        client,
        limits: limitsOf(upstream.tier),
        requests,
        storage: engineStorage,
        team,
        followerFeed: config.zwift !== null,
        forwarders,
        title: `${database.kind === 'supabase' ? 'Supabase' : 'PostgreSQL'} storage`,
        reportSubtitle: `${describeDatabase(database, config.schema)} · ${upstream.tier} tier`,
        clockLabel: isVirtualClock(clock) ? 'sim ' : '',
      });
      return (mode.kind === 'once' || mode.kind === 'due') && result.failedRuns > 0 ? 1 : 0;
    } finally {
      shutdown.dispose();
    }
  } finally {
    await storage.close().catch(() => undefined);
    if (supabase) await supabase.removeAllChannels().catch(() => undefined);
  }
}
