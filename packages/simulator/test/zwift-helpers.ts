import type { VirtualClock } from '../src/index.ts';
import type { Harness } from './helpers.ts';

export const TOKEN_PATH = '/auth/realms/zwift/protocol/openid-connect/token';

type Res = { status: number; headers: Headers; text: string };

/** A token request (form body) with `fields`; `client_id` defaults to Zwift's. */
export function tokenRequest(h: Harness, fields: Record<string, string>): Promise<Res> {
  return h.req(`${h.info.zwiftAuthBaseUrl}${TOKEN_PATH}`, {
    auth: false,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'Zwift_Mobile_Link', ...fields }).toString(),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
  token_type: string;
}

/** Log in with the password grant (the account's current credentials unless given). */
export async function login(h: Harness, password = h.sim.zwiftAccount.password): Promise<Tokens> {
  const r = await tokenRequest(h, {
    grant_type: 'password',
    username: h.sim.zwiftAccount.username,
    password,
  });
  if (r.status !== 200) throw new Error(`login: HTTP ${r.status} ${r.text}`);
  return JSON.parse(r.text) as Tokens;
}

/** A refresh grant. */
export function refresh(h: Harness, refreshToken: string): Promise<Res> {
  return tokenRequest(h, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** `POST /api/events/search` for [from, to] with a bearer token. */
export function search(h: Harness, token: string, from: number, to: number, limit?: number): Promise<Res> {
  return h.req(`${h.info.zwiftBaseUrl}/api/events/search${limit === undefined ? '' : `?limit=${limit}`}`, {
    auth: false,
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      dateRangeStartISOString: new Date(from).toISOString(),
      dateRangeEndISOString: new Date(to).toISOString(),
    }),
  });
}

/** One entrants page. */
export function entrantsPage(
  h: Harness,
  token: string,
  subgroupId: number | string,
  query: { type?: string; start?: number; limit?: number; participation?: string } = {},
): Promise<Res> {
  const q = new URLSearchParams({
    participation: query.participation ?? 'signed_up',
    type: query.type ?? 'following',
    start: String(query.start ?? 0),
    limit: String(query.limit ?? 100),
  });
  return h.req(`${h.info.zwiftBaseUrl}/api/events/subgroups/entrants/${subgroupId}?${q}`, {
    auth: false,
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Every page of a pen's entrants, as a client pages them (start += limit until a short page). */
export async function allEntrants(
  h: Harness,
  token: string,
  subgroupId: number,
  type: 'following' | 'all',
  limit = 100,
): Promise<{ pages: Record<string, unknown>[][]; ids: number[] }> {
  const pages: Record<string, unknown>[][] = [];
  for (let start = 0; ; start += limit) {
    const r = await entrantsPage(h, token, subgroupId, { type, start, limit });
    if (r.status !== 200) throw new Error(`entrants: HTTP ${r.status} ${r.text}`);
    const page = JSON.parse(r.text) as Record<string, unknown>[];
    pages.push(page);
    if (page.length < limit) break;
  }
  const ids = pages.flat().map((p) => p['id'] as number);
  return { pages, ids };
}

export const clockOf = (h: Harness): VirtualClock => h.sim.clock as VirtualClock;
