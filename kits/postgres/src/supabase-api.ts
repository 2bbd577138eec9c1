/**
 * Supabase's REST API on loopback, for a client in another process that cannot be given a custom
 * `fetch` (e.g. an Edge Function under Deno): real PostgREST ({@link startPostgrest}) behind the fault
 * proxy acting as Supabase's gateway (it strips supabase-js's `/rest/v1`). `url` is what such a
 * client takes as `SUPABASE_URL`, `serviceRoleKey` as its service-role key.
 */
import { type PostgrestServer, type StartPostgrestOptions, startPostgrest } from './postgrest.ts';
import { type PostgrestFaultProxy, startPostgrestFaultProxy } from './postgrest-fault-proxy.ts';

export interface SupabaseApi {
  /** The gateway's URL: a Supabase project URL (supabase-js appends `/rest/v1`). */
  url: string;
  serviceRoleKey: string;
  anonKey: string;
  authenticatedKey: string;
  /** RPC calls that reached the gateway. */
  readonly calls: number;
  /** The PostgREST behind it. */
  postgrest: PostgrestServer;
  /** The gateway, to inject faults. */
  gateway: PostgrestFaultProxy;
  /** Stops the gateway and PostgREST. */
  close(): Promise<void>;
}

/** Starts PostgREST (exposing `options.schemas`) and a gateway in front of it. */
export async function startSupabaseApi(options: StartPostgrestOptions): Promise<SupabaseApi> {
  const postgrest = await startPostgrest(options);
  let gateway: PostgrestFaultProxy;
  try {
    gateway = await startPostgrestFaultProxy({ target: postgrest.url });
  } catch (error) {
    await postgrest.stop();
    throw error;
  }
  return {
    url: gateway.url,
    serviceRoleKey: postgrest.serviceRoleKey,
    anonKey: postgrest.anonKey,
    authenticatedKey: postgrest.authenticatedKey,
    get calls() {
      return gateway.calls;
    },
    postgrest,
    gateway,
    async close() {
      await gateway.close();
      await postgrest.stop();
    },
  };
}
