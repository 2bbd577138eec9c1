/**
 * Checks of requests to Zwift's authenticated API and its token endpoint: the token form, the
 * search body and range, the entrants query. Each throws a 400 `HttpError` naming what is wrong.
 */
import { HttpError } from './http-error.ts';

const HOUR = 3_600_000;
/** The Zwift client id of the companion app, the one the token endpoint accepts. */
export const ZWIFT_CLIENT_ID = 'Zwift_Mobile_Link';
/** A search range may start at most this long before now. */
export const SEARCH_MAX_LOOKBACK_MS = HOUR;
/** A search range may span at most this long. */
export const SEARCH_MAX_RANGE_MS = 7 * 24 * HOUR;
/** Events per search answer: the default and the cap of `limit`. */
export const SEARCH_LIMIT_MAX = 200;
/** Entrants per page: the default and the cap of `limit`. */
export const ENTRANTS_LIMIT_MAX = 100;

/** A token request: the password grant or the refresh grant. */
export type TokenRequest =
  | { grant: 'password'; username: string; password: string }
  | { grant: 'refresh_token'; refreshToken: string };

/** A search: events starting in [from, to] (epoch ms), at most `limit`. */
export interface SearchRequest {
  from: number;
  to: number;
  limit: number;
}

/** A page of a pen's entrants. */
export interface EntrantsRequest {
  type: 'following' | 'all';
  start: number;
  limit: number;
}

function oauth(status: number, error: string, description: string): HttpError {
  return new HttpError(status, description, { error, error_description: description });
}

/** The token request a form holds. */
export function parseTokenForm(form: URLSearchParams): TokenRequest {
  const clientId = form.get('client_id');
  if (clientId !== ZWIFT_CLIENT_ID)
    throw oauth(401, 'invalid_client', 'Invalid client or Invalid client credentials');
  const grant = form.get('grant_type');
  if (grant === 'password') {
    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === null)
      throw oauth(400, 'invalid_request', 'Missing parameter: username or password');
    return { grant, username, password };
  }
  if (grant === 'refresh_token') {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) throw oauth(400, 'invalid_request', 'Missing parameter: refresh_token');
    return { grant, refreshToken };
  }
  throw oauth(400, 'unsupported_grant_type', `Unsupported grant_type: ${grant ?? '(missing)'}`);
}

function integer(query: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min) throw new HttpError(400, `Invalid ${name}: ${raw}`);
  return Number(raw);
}

/** The search a body and query ask for at `now`; `limit` above the cap is capped. */
export function parseSearch(body: unknown, query: URLSearchParams, now: number): SearchRequest {
  const limit = Math.min(SEARCH_LIMIT_MAX, integer(query, 'limit', SEARCH_LIMIT_MAX, 1));
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'Body must be { dateRangeStartISOString, dateRangeEndISOString }');
  const o = body as Record<string, unknown>;
  const time = (name: string): number => {
    const v = o[name];
    const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(ms)) throw new HttpError(400, `Invalid ${name}: ${JSON.stringify(v ?? null)}`);
    return ms;
  };
  const from = time('dateRangeStartISOString');
  const to = time('dateRangeEndISOString');
  if (to < from) throw new HttpError(400, 'dateRangeEndISOString is before dateRangeStartISOString');
  if (from < now - SEARCH_MAX_LOOKBACK_MS)
    throw new HttpError(400, 'dateRangeStartISOString is more than 1 hour before now');
  if (to - from > SEARCH_MAX_RANGE_MS) throw new HttpError(400, 'Date range is longer than 7 days');
  return { from, to, limit };
}

/** The entrants page a query asks for; `limit` above the cap is capped. */
export function parseEntrants(query: URLSearchParams): EntrantsRequest {
  const participation = query.get('participation') ?? 'signed_up';
  if (participation !== 'signed_up') throw new HttpError(400, `Unsupported participation: ${participation}`);
  const type = query.get('type') ?? 'all';
  if (type !== 'following' && type !== 'all') throw new HttpError(400, `Unsupported type: ${type}`);
  return {
    type,
    start: integer(query, 'start', 0, 0),
    limit: Math.min(ENTRANTS_LIMIT_MAX, integer(query, 'limit', ENTRANTS_LIMIT_MAX, 1)),
  };
}
