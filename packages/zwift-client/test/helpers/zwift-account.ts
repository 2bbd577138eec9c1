import type { ZwiftClientOptions } from '../../src/index.ts';
import { setup } from './setup.ts';

/** Base of the fake token endpoint (nock). */
export const ZWIFT_AUTH = 'https://secure.test';
export const TOKEN_PATH = '/auth/realms/zwift/protocol/openid-connect/token';
/** A username and a password with characters that JSON, URLs and forms each escape. */
export const USERNAME = 'Captain.Hook+team@example.test';
export const PASSWORD = 'pa"ss\\w0rd &=+%/?#ü';

let serial = 0;

/** A token response as Keycloak sends it; every token unique (and recognisable in a leak). */
export function tokenResponse({
  expiresIn = 21_600,
  refreshExpiresIn = 2_592_000,
  refresh = true,
}: {
  expiresIn?: number;
  refreshExpiresIn?: number;
  refresh?: boolean;
} = {}) {
  serial++;
  return {
    access_token: `eyJACCESS.${serial}.${Math.random().toString(36).slice(2)}`,
    token_type: 'Bearer',
    expires_in: expiresIn,
    ...(refresh
      ? {
          refresh_token: `eyJREFRESH.${serial}.${Math.random().toString(36).slice(2)}`,
          refresh_expires_in: refreshExpiresIn,
        }
      : {}),
    'not-before-policy': 0,
    session_state: 'c0ffee',
    scope: 'profile email',
  };
}

/** What a token request carried. */
export interface TokenRequestSeen {
  form: Record<string, string>;
  headers: Record<string, string>;
  rawBody: string;
}

/** Reads a request nock hands a reply callback. */
export async function seen(request: Request): Promise<TokenRequestSeen> {
  const rawBody = await request.text();
  return {
    form: Object.fromEntries(new URLSearchParams(rawBody)),
    headers: Object.fromEntries(request.headers),
    rawBody,
  };
}

/** `setup()` with a Zwift login on the fake token endpoint, and generous API buckets unless told. */
export function accountSetup(options: ZwiftClientOptions = {}, flags: { auto?: boolean } = {}) {
  return setup(
    {
      zwiftAuth: { username: USERNAME, password: PASSWORD },
      zwiftAuthBaseUrl: ZWIFT_AUTH,
      ...options,
      limits: {
        'zwift-search': { capacity: 1000, intervalMs: 60_000 },
        'zwift-entrants': { capacity: 1000, intervalMs: 60_000 },
        ...options.limits,
      },
    },
    flags,
  );
}

/** A search range one hour long starting at `now`. */
export function hourFrom(now: number): { from: number; to: number } {
  return { from: now, to: now + 3_600_000 };
}
