/**
 * Supabase Edge Function `racesync-sync`: runs the sync jobs that are due, then returns — invoked
 * every minute by pg_cron (see ../../cron.sql and examples/runner/README.md). Each invocation is a
 * fresh engine; what to do next lives in the database (job states, results queue), the API budget
 * too (the shared rate-limit store), and leases keep overlapping invocations from running the same
 * job twice.
 *
 * Deploy:   supabase functions deploy racesync-sync
 * Secrets:  supabase secrets set ZWIFTRACING_API_KEY=… TEAM_CLUB_ID=… RACESYNC_INVOKE_SECRET=…
 *           (SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are provided by the platform)
 *
 * Optional: ZWIFTRACING_BASE_URL, ZWIFTRACING_SITE_BASE_URL, ZWIFTRACING_ZWIFT_BASE_URL (upstream base
 * URLs, as for the Node runner), ZWIFTRACING_TIER, TEAM_RIDER_IDS, RACESYNC_SCHEMA.
 *
 * Runs on Deno (the Edge runtime), not on Node. examples/runner/test/edge-function.test.ts executes
 * this file as it is under Deno (the `deno` devDependency; the `npm:` specifiers resolve to the
 * workspace's built packages through node_modules) against a real PostgreSQL, a loopback stand-in
 * for Supabase's REST API and the simulator. Not covered there: the Supabase platform itself (the
 * Edge runtime's limits and Deno version, pg_cron + pg_net invoking it from ../../cron.sql). It is
 * not type-checked (tsc excludes supabase/; Deno is declared below).
 */
import { createPostgresStorage, createSupabaseTransport } from 'npm:@racesync/supabase-adapter@^0';
import { createSyncEngine } from 'npm:@racesync/sync-core@^0';
import { createZwiftClient } from 'npm:@racesync/zwift-client@^0';
import { createClient } from 'npm:@supabase/supabase-js@^2';

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(handler: (request: Request) => Response | Promise<Response>): unknown;
};

function required(name: string): string {
  const value = Deno.env.get(name)?.trim();
  if (!value) throw new Error(`${name} is missing — set it with: supabase secrets set ${name}=…`);
  return value;
}

function team(): { riderIds?: number[]; clubId?: number } {
  const ids = Deno.env.get('TEAM_RIDER_IDS')?.trim();
  const club = Deno.env.get('TEAM_CLUB_ID')?.trim();
  const out: { riderIds?: number[]; clubId?: number } = {};
  if (ids) out.riderIds = ids.split(',').map((s) => Number(s.trim()));
  if (club) out.clubId = Number(club);
  if (!out.riderIds && out.clubId === undefined)
    throw new Error('TEAM_RIDER_IDS or TEAM_CLUB_ID is required');
  return out;
}

/** Optional upstream base URLs (same variables as the Node runner); the client's defaults otherwise. */
function upstream(): { baseUrl?: string; siteBaseUrl?: string; zwiftBaseUrl?: string } {
  const out: { baseUrl?: string; siteBaseUrl?: string; zwiftBaseUrl?: string } = {};
  const baseUrl = Deno.env.get('ZWIFTRACING_BASE_URL')?.trim();
  const siteBaseUrl = Deno.env.get('ZWIFTRACING_SITE_BASE_URL')?.trim();
  const zwiftBaseUrl = Deno.env.get('ZWIFTRACING_ZWIFT_BASE_URL')?.trim();
  if (baseUrl) out.baseUrl = baseUrl;
  if (siteBaseUrl) out.siteBaseUrl = siteBaseUrl;
  if (zwiftBaseUrl) out.zwiftBaseUrl = zwiftBaseUrl;
  return out;
}

Deno.serve(async (request) => {
  // Only the scheduler knows this secret (pg_cron sends it); anything else is turned away.
  if (request.headers.get('x-racesync-secret') !== required('RACESYNC_INVOKE_SECRET')) {
    return new Response('forbidden', { status: 403 });
  }
  const supabase = createClient(required('SUPABASE_URL'), required('SUPABASE_SERVICE_ROLE_KEY'), {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const storage = createPostgresStorage({
    transport: createSupabaseTransport({ client: supabase }),
    schema: Deno.env.get('RACESYNC_SCHEMA') ?? 'racesync',
  });
  const tier = Deno.env.get('ZWIFTRACING_TIER') === 'premium' ? 'premium' : 'standard';
  const engine = createSyncEngine({
    source: createZwiftClient({
      apiKey: required('ZWIFTRACING_API_KEY'),
      tier,
      rateLimitStore: storage.rateLimitStore,
      ...upstream(),
    }),
    storage,
    team: team(),
  });
  // Stay well inside the function's wall-clock limit: waits and calls are aborted, batches finish.
  const runs = await engine.runDue({ signal: AbortSignal.timeout(100_000) });
  return Response.json({
    runs: runs.map((r) => ({
      job: r.job,
      status: r.status,
      apiCalls: r.apiCalls,
      changes: r.changes,
      error: r.errorKind,
    })),
    nextDueAt: new Date(engine.nextDueAt()).toISOString(),
  });
});
