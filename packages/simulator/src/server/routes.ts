/** Routing: which endpoint a method and path name, its rate-limit bucket and whether it needs a key. */
import type { BucketName } from '../limits.ts';

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
  | 'not-found';

/** A routed request. */
export interface Route {
  endpoint: EndpointName;
  bucket: BucketName | null;
  /** Needs an API key (the public API). */
  auth: boolean;
  method: 'GET' | 'POST';
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
      ? { endpoint: 'zwift-events', bucket: 'zwift', auth: false, method: 'GET', params: [] }
      : { endpoint: 'not-found', allow: 'GET' };
  }
  return { endpoint: 'not-found' };
}

function r(endpoint: EndpointName, bucket: BucketName, method: 'GET' | 'POST', params: string[]): Route {
  return { endpoint, bucket, auth: true, method, params };
}

function site(endpoint: EndpointName, params: string[]): Route {
  return { endpoint, bucket: 'site', auth: false, method: 'GET', params };
}
