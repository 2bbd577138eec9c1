/**
 * HS256 JSON Web Tokens, signed with `node:crypto` — the keys a Supabase project hands out
 * (`anon`, `service_role`) are such tokens, signed with the project's JWT secret.
 */
import { createHmac } from 'node:crypto';

/** The claims of a Supabase API key. */
export interface SupabaseKeyClaims {
  /** Database role PostgREST switches to: `anon`, `authenticated`, `service_role`. */
  role: string;
  iss: 'supabase';
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** Signs `payload` as a compact HS256 JWT with `secret`. */
export function signHs256(payload: object, secret: string): string {
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The per-run API keys of a PostgREST fixture. */
export interface SupabaseKeys {
  /** `role: service_role` (BYPASSRLS): what a server-side racesync uses. */
  serviceRoleKey: string;
  /** `role: anon`: what a browser holds. */
  anonKey: string;
  /** `role: authenticated`: a signed-in user's access token. */
  authenticatedKey: string;
}

export interface MintOptions {
  /**
   * Issue time, milliseconds since the epoch.
   * @default Date.now()
   */
  now?: number;
  /**
   * Lifetime in seconds.
   * @default 86_400 (a day: longer than any test run)
   */
  ttlSeconds?: number;
}

/** Mints the three keys `{role, iss: "supabase", iat, exp}` with `secret`, as Supabase does. */
export function mintSupabaseKeys(secret: string, options: MintOptions = {}): SupabaseKeys {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = iat + (options.ttlSeconds ?? 86_400);
  const key = (role: string) =>
    signHs256({ role, iss: 'supabase', iat, exp } satisfies SupabaseKeyClaims, secret);
  return {
    serviceRoleKey: key('service_role'),
    anonKey: key('anon'),
    authenticatedKey: key('authenticated'),
  };
}
