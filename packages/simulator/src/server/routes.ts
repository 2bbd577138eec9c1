/** Routing: which endpoint a method and path name, its rate-limit bucket and how it authenticates. */
import type { BucketName, ZwiftAccountBucket } from '../limits.ts';

/** The endpoints the simulator serves (`not-found` counts every unrouted request). */
export type EndpointName =
  | 'riders'
  | 'riders-bulk'
  | 'clubs'
  | 'results'
  | 'results-zp'
  | 'site-events'
  | 'site-signups'
  | 'site-routes'
  | 'zwift-events'
  | 'zwift-token'
  | 'zwift-search'
  | 'zwift-entrants'
  | 'not-found';

/** How a request authenticates: the public API's raw key, a Zwift bearer token, or not at all. */
export type RouteAuth = 'key' | 'bearer' | null;

/** What a request's body holds: rider ids (JSON), a JSON object, a form, or nothing. */
export type RouteBody = 'ids' | 'json' | 'form' | null;

/** The token endpoint's path under the Zwift auth base (Keycloak's). */
export const ZWIFT_TOKEN_PATH = '/auth/realms/zwift/protocol/openid-connect/token';

/** A routed request. */
export interface Route {
  endpoint: EndpointName;
  bucket: BucketName | ZwiftAccountBucket | null;
  auth: RouteAuth;
  method: 'GET' | 'POST';
  body: RouteBody;
  /** Path parameters, in order (ids, epochs), unvalidated. */
  params: string[];
}

/** An unrouted request; `allow` lists the methods of a known path requested with another one (405). */
export interface NotFound {
  endpoint: 'not-found';
  allow?: string;
}

/** Route a request path (without query) to an endpoint. */
export function route(method: string, path: string): Route | NotFound {
  const seg = path.split('/');
  // seg[0] is '' (leading slash)
  if (seg[1] === 'zr' && seg[2] === 'api' && seg[3] === 'public') {
    const kind = seg[4];
    const rest = seg.slice(5);
    if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop();
    if (kind === 'riders') {
      if (method === 'POST' && rest.length <= 1) return r('riders-bulk', 'riders-bulk', 'POST', rest);
      if (method === 'GET' && (rest.length === 1 || rest.length === 2))
        return r('riders', 'riders', 'GET', rest);
      return {
        endpoint: 'not-found',
        allow: rest.length === 0 ? 'POST' : rest.length <= 2 ? 'GET, POST' : undefined,
      };
    }
    if (kind === 'clubs' && (rest.length === 1 || rest.length === 2)) {
      return method === 'GET' ? r('clubs', 'clubs', 'GET', rest) : { endpoint: 'not-found', allow: 'GET' };
    }
    if (kind === 'results' && rest.length === 1) {
      return method === 'GET'
        ? r('results', 'results', 'GET', rest)
        : { endpoint: 'not-found', allow: 'GET' };
    }
    if (kind === 'zp' && rest.length === 2 && rest[1] === 'results') {
      return method === 'GET'
        ? r('results-zp', 'results-zp', 'GET', [rest[0] as string])
        : { endpoint: 'not-found', allow: 'GET' };
    }
    return { endpoint: 'not-found' };
  }
  if (seg[1] === 'site' && seg[2] === 'api') {
    const rest = seg.slice(3);
    if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop();
    let found: Route | null = null;
    if (rest.length === 2 && rest[0] === 'events' && rest[1] === 'upcoming') found = site('site-events', []);
    else if (rest.length === 3 && rest[0] === 'events' && rest[2] === 'signups')
      found = site('site-signups', [rest[1] as string]);
    else if (rest.length === 1 && rest[0] === 'routes') found = site('site-routes', []);
    if (!found) return { endpoint: 'not-found' };
    return method === 'GET' ? found : { endpoint: 'not-found', allow: 'GET' };
  }
  if (seg[1] === 'zwift' && path.replace(/\/$/, '') === '/zwift/api/public/events/upcoming') {
    return method === 'GET'
      ? { endpoint: 'zwift-events', bucket: 'zwift', auth: null, method: 'GET', params: [], body: null }
      : { endpoint: 'not-found', allow: 'GET' };
  }
  if (seg[1] === 'zwift' && seg[2] === 'api' && seg[3] === 'events') {
    const rest = seg.slice(4);
    if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop();
    if (rest.length === 1 && rest[0] === 'search') {
      return method === 'POST'
        ? zwift('zwift-search', 'zwift-search', 'POST', [], 'json')
        : { endpoint: 'not-found', allow: 'POST' };
    }
    if (rest.length === 3 && rest[0] === 'subgroups' && rest[1] === 'entrants') {
      return method === 'GET'
        ? zwift('zwift-entrants', 'zwift-entrants', 'GET', [rest[2] as string], null)
        : { endpoint: 'not-found', allow: 'GET' };
    }
    return { endpoint: 'not-found' };
  }
  if (seg[1] === 'zwift-auth' && path.replace(/\/$/, '') === `/zwift-auth${ZWIFT_TOKEN_PATH}`) {
    return method === 'POST'
      ? {
          endpoint: 'zwift-token',
          bucket: 'zwift-auth',
          auth: null,
          method: 'POST',
          params: [],
          body: 'form',
        }
      : { endpoint: 'not-found', allow: 'POST' };
  }
  return { endpoint: 'not-found' };
}

function r(endpoint: EndpointName, bucket: BucketName, method: 'GET' | 'POST', params: string[]): Route {
  return { endpoint, bucket, auth: 'key', method, params, body: method === 'POST' ? 'ids' : null };
}

function site(endpoint: EndpointName, params: string[]): Route {
  return { endpoint, bucket: 'site', auth: null, method: 'GET', params, body: null };
}

function zwift(
  endpoint: EndpointName,
  bucket: ZwiftAccountBucket,
  method: 'GET' | 'POST',
  params: string[],
  body: RouteBody,
): Route {
  return { endpoint, bucket, auth: 'bearer', method, params, body };
}
