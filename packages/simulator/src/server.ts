/** The loopback HTTP server: routing, auth, sliding-window limits, faults. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Clock, isVirtualClock } from './clock.ts';
import { driftBody, FAULT_KINDS, type FaultInjector, type FaultKind } from './faults.ts';
import type { BucketName, BucketSpec, SlidingWindowLimiter } from './limits.ts';
import type { SimEvent } from './world/events.ts';
import {
  ByteList,
  resultsObject,
  siteEventsBody,
  siteRoutesJson,
  siteSignupsBody,
  zpResultsJson,
  zwiftEventsJson,
} from './world/payloads.ts';
import type { World } from './world/world.ts';

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

export interface SimulationStats {
  requests: { total: number; byEndpoint: Record<string, number> };
  /** Every 429 served: limit violations and injected bursts. */
  served429: number;
  /** Requests over a limit (each answered 429), by bucket. */
  violations: { total: number; byBucket: Record<string, number> };
  /** Faults injected (decisions; requests refused during a 429 burst are not counted again). */
  faultsInjected: { total: number; byKind: Record<FaultKind, number> };
  /** Responses by status code (hung requests that were never answered are not counted). */
  responses: { byStatus: Record<string, number> };
}

export function emptyStats(): SimulationStats {
  const byKind = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  return {
    requests: { total: 0, byEndpoint: {} },
    served429: 0,
    violations: { total: 0, byBucket: {} },
    faultsInjected: { total: 0, byKind },
    responses: { byStatus: {} },
  };
}

interface Route {
  endpoint: EndpointName;
  bucket: BucketName | null;
  auth: boolean;
  method: 'GET' | 'POST';
  params: string[];
}

const MAX_BULK_IDS = 1000;
const MAX_BODY_BYTES = 256 * 1024;
const EPOCH_RE = /^\d{1,12}$/;
const INT_RE = /^\d{1,15}$/;

export interface ServerDeps {
  world: World;
  clock: Clock;
  limiter: SlidingWindowLimiter;
  faults: FaultInjector;
  stats: () => SimulationStats;
  limits: Record<BucketName, BucketSpec>;
  apiKeys: Set<string>;
  clubPageSize: number;
  /** Shuffle stream for bulk answers (deterministic per request sequence). */
  shuffleSeed: () => number;
}

interface Held {
  res: ServerResponse;
  token: string | undefined;
  abort: AbortController;
}

/** Route a request path (without query) to an endpoint. */
export function route(method: string, path: string): Route | { endpoint: 'not-found'; allow?: string } {
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

/** An error answer (not an Error subclass: no stack trace to capture on hot 404 paths). */
class HttpError {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

export class SimServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<Held>();
  /** Injected 429 bursts: limiter key → until (clock ms). */
  private readonly bursts = new Map<string, number>();
  private closed = false;

  constructor(private readonly deps: ServerDeps) {
    this.server = createServer(
      { keepAlive: true, keepAliveTimeout: 65_000, requestTimeout: 0 },
      (req, res) => {
        this.handle(req, res).catch((error: unknown) => {
          this.safeEnd(res, 500, JSON.stringify({ message: `internal simulator error: ${String(error)}` }));
        });
      },
    );
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    this.server.on('clientError', (_err, socket: Socket) => {
      if (socket.writable && !socket.destroyed) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else {
        socket.destroy();
      }
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: unknown): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const clock = this.deps.clock;
    for (const h of this.held) {
      if (h.token && isVirtualClock(clock)) clock.unpark(h.token);
      h.abort.abort();
      h.res.destroy();
    }
    this.held.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections?.();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.sendDate = false;
    const { deps } = this;
    const stats = deps.stats();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const method = req.method ?? 'GET';
    const found = route(method, path);
    stats.requests.total++;
    stats.requests.byEndpoint[found.endpoint] = (stats.requests.byEndpoint[found.endpoint] ?? 0) + 1;
    if (!('bucket' in found)) {
      req.resume();
      if (found.allow) {
        return this.send(res, 405, JSON.stringify({ message: `Method ${method} not allowed` }), {
          allow: found.allow,
        });
      }
      return this.send(res, 404, JSON.stringify({ message: `Not found: ${path}` }));
    }
    let key = '';
    if (found.auth) {
      const header = req.headers.authorization;
      key = typeof header === 'string' ? header : '';
      if (!key || !deps.apiKeys.has(key)) {
        req.resume();
        return this.send(res, 401, JSON.stringify({ message: 'Unauthorized: missing or invalid API key' }));
      }
    }
    let body: unknown;
    if (found.method === 'POST') {
      try {
        body = await readJson(req);
        validateBulkBody(body);
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 400;
        return this.send(res, status, JSON.stringify({ message: (error as { message: string }).message }));
      }
    } else {
      req.resume();
    }
    try {
      validateParams(found);
    } catch (error) {
      return this.send(
        res,
        (error as HttpError).status,
        JSON.stringify({ message: (error as HttpError).message }),
      );
    }

    const clock = deps.clock;
    const bucket = found.bucket as BucketName;
    const spec = deps.limits[bucket];
    const limiterKey = found.auth ? `${key}\u0000${bucket}` : bucket;
    let now = clock.now();

    const burstUntil = this.bursts.get(limiterKey);
    if (burstUntil !== undefined && burstUntil > now) {
      stats.served429++;
      return this.tooMany(res, burstUntil - now);
    }
    const check = deps.limiter.check(limiterKey, spec, now);
    if (!check.ok) {
      stats.served429++;
      stats.violations.total++;
      stats.violations.byBucket[bucket] = (stats.violations.byBucket[bucket] ?? 0) + 1;
      return this.tooMany(res, check.retryAfterMs);
    }
    const fault = deps.faults.decide();
    if (fault) {
      stats.faultsInjected.total++;
      stats.faultsInjected.byKind[fault]++;
    }
    if (fault === 'burst429') {
      const [lo, hi] = deps.faults.settings.burstSeconds;
      const seconds = lo + Math.floor(deps.faults.params.next() * (hi - lo + 1));
      this.bursts.set(limiterKey, now + seconds * 1000);
      stats.served429++;
      return this.tooMany(res, seconds * 1000);
    }
    deps.limiter.commit(limiterKey, now);

    if (fault === 'serverError') {
      const status = [500, 502, 503][Math.floor(deps.faults.params.next() * 3)] as number;
      if (status === 502) {
        return this.send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', {
          'content-type': 'text/html',
        });
      }
      return this.send(
        res,
        status,
        JSON.stringify({ message: status === 500 ? 'Internal Server Error' : 'Service Unavailable' }),
      );
    }

    const tokenHeader = isVirtualClock(clock) ? req.headers[clock.activityHeader] : undefined;
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    if (fault === 'hang') {
      await this.hold(res, token, deps.faults.settings.hangMs);
      if (!res.destroyed) res.destroy();
      return;
    }
    if (fault === 'slow') {
      const completed = await this.hold(res, token, deps.faults.settings.slowMs);
      if (!completed || res.destroyed) return;
      now = clock.now();
    }

    let status = 200;
    let payload: Body;
    try {
      payload = this.respond(found, now, body);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      payload = JSON.stringify({ message: error.message });
    }
    if (status === 200 && fault === 'drift') {
      payload = driftBody(found.endpoint, bodyBuffer(payload).toString(), deps.faults.params);
    }
    if (status === 200 && fault === 'truncated') return this.truncate(res, payload);
    return this.send(res, status, payload);
  }

  /**
   * Hold a request for `ms` of clock time without counting it as activity on a virtual clock.
   * Resolves true when the time elapsed, false when the client went away or the server closed.
   */
  private hold(res: ServerResponse, token: string | undefined, ms: number): Promise<boolean> {
    const clock = this.deps.clock;
    const virtual = isVirtualClock(clock) ? clock : null;
    const entry: Held = { res, token, abort: new AbortController() };
    this.held.add(entry);
    if (token && virtual) virtual.park(token);
    return new Promise<boolean>((resolve) => {
      const onClose = (): void => entry.abort.abort();
      res.on('close', onClose);
      clock.sleep(ms, entry.abort.signal).then(
        () => {
          res.off('close', onClose);
          this.held.delete(entry);
          // Count it as activity again before answering, so the clock waits for the client.
          if (token && virtual) virtual.unpark(token);
          resolve(!this.closed);
        },
        () => {
          res.off('close', onClose);
          this.held.delete(entry);
          resolve(false);
        },
      );
    });
  }

  private respond(found: Route, now: number, body: unknown): Body {
    const { world } = this.deps;
    const p = found.params;
    switch (found.endpoint) {
      case 'riders': {
        const id = Number(p[0]);
        const at = p[1] === undefined ? now : Math.min(now, Number(p[1]) * 1000);
        const buf = world.riderBufAt(id, at);
        if (buf === null) throw new HttpError(404, `Rider ${p[0]} not found`);
        return buf;
      }
      case 'riders-bulk': {
        const ids = body as number[];
        const at = p[0] === undefined ? now : Math.min(now, Number(p[0]) * 1000);
        const seen = new Set<number>();
        const parts: Buffer[] = [];
        for (const id of ids) {
          if (seen.has(id)) continue;
          seen.add(id);
          const buf = world.riderBufAt(id, at);
          if (buf !== null) parts.push(buf);
        }
        // Answer order deliberately differs from request order: clients must key by riderId.
        let s = this.deps.shuffleSeed();
        for (let i = parts.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          const tmp = parts[i] as Buffer;
          parts[i] = parts[j] as Buffer;
          parts[j] = tmp;
        }
        return joinJson('[', parts, ']');
      }
      case 'clubs': {
        const clubId = Number(p[0]);
        if (clubId !== world.team.clubId) throw new HttpError(404, `Club ${p[0]} not found`);
        const from = p[1] === undefined ? 0 : Number(p[1]);
        const ids = world.teamRiderIds;
        let lo = 0;
        while (lo < ids.length && (ids[lo] as number) < from) lo++;
        const page = ids.slice(lo, lo + this.deps.clubPageSize);
        return joinJson(
          `{"clubId":${clubId},"name":${JSON.stringify(world.team.name)},"riders":[`,
          page.map((id) => world.riderBufAt(id, now) as Buffer),
          ']}',
        );
      }
      case 'results': {
        const ev = this.eventOr404(p[0] as string);
        const rows = world.resultsAt(ev, now);
        if (rows === null) throw new HttpError(404, `Results for event ${ev.eventId} not found`);
        return JSON.stringify(resultsObject(ev, rows));
      }
      case 'results-zp': {
        const ev = this.eventOr404(p[0] as string);
        const rows = world.resultsAt(ev, now);
        if (rows === null) throw new HttpError(404, `Results for event ${ev.eventId} not found`);
        return zpResultsJson(world, ev, rows);
      }
      case 'site-events':
        return siteEventsBody(world, now);
      case 'site-signups': {
        const ev = this.eventOr404(p[0] as string);
        return siteSignupsBody(world, ev, now);
      }
      case 'site-routes':
        return siteRoutesJson();
      case 'zwift-events':
        return zwiftEventsJson(world, now);
      default:
        throw new HttpError(404, 'Not found');
    }
  }

  private eventOr404(id: string): SimEvent {
    const ev = this.deps.world.eventById.get(id);
    if (!ev) throw new HttpError(404, `Event ${id} not found`);
    return ev;
  }

  private tooMany(res: ServerResponse, retryAfterMs: number): void {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    this.send(res, 429, JSON.stringify({ message: 'Too Many Requests', retryAfter: seconds }), {
      'retry-after': String(seconds),
    });
  }

  private headers(length: number, extra?: Record<string, string>): Record<string, string | number> {
    return {
      'content-type': 'application/json; charset=utf-8',
      'content-length': length,
      date: new Date(this.deps.clock.now()).toUTCString(),
      ...extra,
    };
  }

  private send(res: ServerResponse, status: number, body: Body, extra?: Record<string, string>): void {
    if (res.destroyed || res.headersSent) return;
    const stats = this.deps.stats();
    stats.responses.byStatus[status] = (stats.responses.byStatus[status] ?? 0) + 1;
    if (body instanceof ByteList) {
      // A few 64 KB chunks, recycled once the response is flushed (or the client went away).
      res.writeHead(status, this.headers(body.byteLength, extra));
      const release = (): void => body.release();
      res.once('finish', release);
      res.once('close', release);
      const chunks = body.chunks;
      for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]);
      res.end(chunks[chunks.length - 1]);
      return;
    }
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, this.headers(buf.length, extra));
    res.end(buf);
  }

  private safeEnd(res: ServerResponse, status: number, body: string): void {
    try {
      this.send(res, status, body);
    } catch {
      res.destroy();
    }
  }

  /** Cut the JSON mid-way: usually a short but well-framed body, sometimes a dropped connection. */
  private truncate(res: ServerResponse, body: Body): void {
    if (res.destroyed) return;
    const rng = this.deps.faults.params;
    const buf = bodyBuffer(body);
    const cut = Math.max(1, Math.floor(buf.length * (0.2 + 0.6 * rng.next())));
    const dropConnection = rng.next() < 1 / 3;
    const stats = this.deps.stats();
    stats.responses.byStatus[200] = (stats.responses.byStatus[200] ?? 0) + 1;
    if (dropConnection) {
      res.writeHead(200, this.headers(buf.length));
      res.write(buf.subarray(0, cut), () => res.destroy());
      return;
    }
    res.writeHead(200, this.headers(cut));
    res.end(buf.subarray(0, cut));
  }
}

const COMMA = Buffer.from(',');

type Body = Buffer | string | ByteList;

function bodyBuffer(body: Body): Buffer {
  if (body instanceof ByteList) return body.toBuffer();
  return typeof body === 'string' ? Buffer.from(body) : body;
}

function joinJson(head: string, parts: Buffer[], tail: string): ByteList {
  const out = new ByteList().text(head);
  parts.forEach((p, i) => {
    if (i > 0) out.bytes(COMMA);
    out.bytes(p);
  });
  return out.text(tail);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'Request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function validateBulkBody(body: unknown): void {
  if (!Array.isArray(body)) throw new HttpError(400, 'Request body must be a JSON array of rider ids');
  if (body.length > MAX_BULK_IDS) throw new HttpError(400, `At most ${MAX_BULK_IDS} rider ids per request`);
  for (const id of body) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new HttpError(400, 'Rider ids must be non-negative integers');
    }
  }
}

function validateParams(found: Route): void {
  const p = found.params;
  switch (found.endpoint) {
    case 'riders':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid rider id');
      if (p[1] !== undefined && !EPOCH_RE.test(p[1])) throw new HttpError(400, 'Invalid epoch');
      return;
    case 'riders-bulk':
      if (p[0] !== undefined && !EPOCH_RE.test(p[0])) throw new HttpError(400, 'Invalid epoch');
      return;
    case 'clubs':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid club id');
      if (p[1] !== undefined && !INT_RE.test(p[1])) throw new HttpError(400, 'Invalid rider id');
      return;
    case 'results':
    case 'results-zp':
    case 'site-signups':
      if (!INT_RE.test(p[0] as string)) throw new HttpError(400, 'Invalid event id');
      return;
    default:
      return;
  }
}
