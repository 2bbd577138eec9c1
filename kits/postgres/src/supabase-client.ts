/**
 * supabase-js clients for the tests: `supabaseClient` for a Supabase URL (a real project, or a proxy
 * that serves `/rest/v1` like Supabase's gateway), `postgrestClient` for a bare PostgREST.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';

const options = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/** A real supabase-js client for a Supabase URL (it sends `<url>/rest/v1/…`). */
export function supabaseClient(url: string, key: string, schema: string): SupabaseClient {
  return createClient(url, key, { auth: options, db: { schema } }) as unknown as SupabaseClient;
}

/**
 * A `fetch` that removes supabase-js's `/rest/v1` from the path, the job Supabase's API gateway
 * does in front of PostgREST (which serves `/rpc/<fn>` at its root).
 */
export function stripRestV1(inner: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    if (input instanceof Request) {
      const url = new URL(input.url);
      url.pathname = url.pathname.replace(/^\/rest\/v1(?=\/|$)/, '') || '/';
      return inner(new Request(url, input), init);
    }
    const url = new URL(String(input));
    url.pathname = url.pathname.replace(/^\/rest\/v1(?=\/|$)/, '') || '/';
    return inner(url, init);
  };
}

/**
 * A real supabase-js client for a bare PostgREST at `url` (a `PostgrestEndpoint`'s): its `fetch`
 * strips `/rest/v1` (see {@link stripRestV1}).
 */
export function postgrestClient(url: string, key: string, schema: string): SupabaseClient {
  return createClient(url, key, {
    auth: options,
    db: { schema },
    global: { fetch: stripRestV1() },
  }) as unknown as SupabaseClient;
}
