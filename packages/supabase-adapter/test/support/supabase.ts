import { randomBytes } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';

/** Keys of the loopback API (random per run; never JWT-shaped, so only key-based redaction hides them). */
export const SERVICE_KEY = `svc-key-${randomBytes(12).toString('hex')}`;
export const ANON_KEY = `anon-key-${randomBytes(12).toString('hex')}`;

/** A real supabase-js client. */
export function supabaseClient(url: string, key: string, schema: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    db: { schema },
  }) as unknown as SupabaseClient;
}
