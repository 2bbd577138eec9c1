/**
 * The loopback HTTP server: connections and lifecycle, and the request pipeline — route, auth,
 * body and parameter checks, rate limits, faults, the endpoint's answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '@racesync/zwift-client';
import { isVirtualClock } from '../clock/virtual-clock.ts';
import { driftBody, type FaultInjector } from '../faults.ts';
import type { BucketName, BucketSpec, SlidingWindowLimiter, ZwiftAccountBucket } from '../limits.ts';
import type { World } from '../world/world.ts';
import type { ZwiftAccount, ZwiftAccounts } from '../zwift-auth/accounts.ts';
import { type Body, bodyBuffer } from './body.ts';
import { sendServerError, sendTruncated } from './fault-responses.ts';
import { readForm } from './form-body.ts';
import { respond } from './handlers/respond.ts';
import { accountLocked } from './handlers/zwift-api.ts';
import { HeldRequests } from './held-requests.ts';
import { HttpError } from './http-error.ts';
import { validateParams } from './path-params.ts';
import { RateGate } from './rate-gate.ts';
import { readJson, validateBulkBody } from './request-body.ts';
import { ResponseWriter } from './response-writer.ts';
import { type Route, route } from './routes.ts';
import type { SimulationStats } from './stats.ts';
import { parseEntrants, parseSearch, parseTokenForm, type TokenRequest } from './zwift-requests.ts';

/** What the server serves and with what. */
export interface ServerDeps {
  world: World;
  clock: Clock;
  limiter: SlidingWindowLimiter;
  faults: FaultInjector;
  stats: () => SimulationStats;
  limits: Record<BucketName, BucketSpec>;
  /** Limits of Zwift's authenticated API, per account. */
  zwiftLimits: Record<ZwiftAccountBucket, BucketSpec>;
  apiKeys: Set<string>;
  /** The Zwift captain accounts (tokens, locks, follow graphs). */
  accounts: ZwiftAccounts;
  clubPageSize: number;
  /** Shuffle stream for bulk answers (deterministic per request sequence). */
  shuffleSeed: () => number;
}

/** The simulation's HTTP server. */
export class SimServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly held: HeldRequests;
  private readonly gate: RateGate;
  private readonly out: ResponseWriter;

  constructor(private readonly deps: ServerDeps) {
    this.held = new HeldRequests(deps.clock);
    this.gate = new RateGate(deps.limiter);
    this.out = new ResponseWriter(deps.clock, deps.stats);
    this.server = createServer(
      { keepAlive: true, keepAliveTimeout: 65_000, requestTimeout: 0 },
      (req, res) => {
        this.handle(req, res).catch((error: unknown) => {
          this.out.safeEnd(
            res,
            500,
            JSON.stringify({ message: `internal simulator error: ${String(error)}` }),
          );
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

  /** Listen on `host:port` (0: an ephemeral port); resolves to the port. */
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

  /** Drop held requests and every connection, and stop listening. */
  async close(): Promise<void> {
    this.held.releaseAll();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections?.();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.sendDate = false;
    const { deps, out } = this;
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
        return out.send(res, 405, JSON.stringify({ message: `Method ${method} not allowed` }), {
          allow: found.allow,
        });
      }
      return out.send(res, 404, JSON.stringify({ message: `Not found: ${path}` }));
    }
    let key = '';
    let account: ZwiftAccount | null = null;
    if (found.auth === 'key') {
      const header = req.headers.authorization;
      key = typeof header === 'string' ? header : '';
      if (!key || !deps.apiKeys.has(key)) {
        req.resume();
        return out.send(res, 401, JSON.stringify({ message: 'Unauthorized: missing or invalid API key' }));
      }
    } else if (found.auth === 'bearer') {
      const bearer = this.bearer(req.headers.authorization, deps.clock.now());
      if (bearer instanceof HttpError) {
        req.resume();
        return out.send(res, bearer.status, bearer.json());
      }
      account = bearer;
    }
    const query = found.endpoint.startsWith('zwift-')
      ? new URLSearchParams(q >= 0 ? url.slice(q + 1) : '')
      : null;
    let body: unknown;
    if (found.method === 'POST') {
      try {
        if (found.body === 'form') body = parseTokenForm(await readForm(req));
        else {
          body = await readJson(req);
          if (found.body === 'ids') validateBulkBody(body);
          else body = parseSearch(body, query as URLSearchParams, deps.clock.now());
        }
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 400;
        const json =
          error instanceof HttpError
            ? error.json()
            : JSON.stringify({ message: (error as { message: string }).message });
        return out.send(res, status, json);
      }
    } else {
      req.resume();
    }
    try {
      validateParams(found);
      if (found.endpoint === 'zwift-entrants') body = parseEntrants(query as URLSearchParams);
    } catch (error) {
      return out.send(res, (error as HttpError).status, (error as HttpError).json());
    }

    const clock = deps.clock;
    const bucket = found.bucket as BucketName | ZwiftAccountBucket;
    const limiterKey = this.limiterKey(found, key, account, body);
    const spec =
      bucket in deps.limits
        ? deps.limits[bucket as BucketName]
        : deps.zwiftLimits[bucket as ZwiftAccountBucket];
    let now = clock.now();

    const retryAfterMs = this.gate.refuse(limiterKey, bucket, spec, now, stats);
    if (retryAfterMs !== null) return out.tooMany(res, retryAfterMs);
    const fault = deps.faults.decide();
    if (fault) {
      stats.faultsInjected.total++;
      stats.faultsInjected.byKind[fault]++;
    }
    if (fault === 'burst429') {
      const burstMs = this.gate.startBurst(limiterKey, now, deps.faults);
      stats.served429++;
      return out.tooMany(res, burstMs);
    }
    this.gate.commit(limiterKey, now);

    if (fault === 'serverError') return sendServerError(out, res, deps.faults.params);

    const tokenHeader = isVirtualClock(clock) ? req.headers[clock.activityHeader] : undefined;
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;
    if (fault === 'hang') {
      await this.held.hold(res, token, deps.faults.settings.hangMs);
      if (!res.destroyed) res.destroy();
      return;
    }
    if (fault === 'slow') {
      const completed = await this.held.hold(res, token, deps.faults.settings.slowMs);
      if (!completed || res.destroyed) return;
      now = clock.now();
    }

    let status = 200;
    let payload: Body;
    try {
      payload = respond(deps, found, now, { body, account });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      payload = error.json();
    }
    if (status === 200 && fault === 'drift') {
      payload = driftBody(found.endpoint, bodyBuffer(payload).toString(), deps.faults.params);
    }
    if (status === 200 && fault === 'truncated') return sendTruncated(out, res, payload, deps.faults.params);
    return out.send(res, status, payload);
  }

  /** The account of a live bearer token at `now`, or the 401/403 to answer. */
  private bearer(header: string | undefined, now: number): ZwiftAccount | HttpError {
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) return new HttpError(401, 'Unauthorized: missing bearer token');
    const check = this.deps.accounts.check(m[1] as string, 'access', now);
    if (!check.ok) {
      const message =
        check.reason === 'expired' ? 'Unauthorized: token expired' : 'Unauthorized: invalid token';
      return new HttpError(401, message, { error: 'invalid_token', message });
    }
    const account = this.deps.accounts.byUsername(check.account) as ZwiftAccount;
    return account.lockedAtTime(now) ? accountLocked() : account;
  }

  /**
   * The rate-limit key of a request: per API key on the public API, per Zwift account on Zwift's
   * authenticated API and its token endpoint (the account a password grant names or a refresh
   * token belongs to), global otherwise.
   */
  private limiterKey(found: Route, key: string, account: ZwiftAccount | null, body: unknown): string {
    const bucket = found.bucket as string;
    if (found.auth === 'key') return `${key}\u0000${bucket}`;
    if (account) return `zwift:${account.username}\u0000${bucket}`;
    if (found.endpoint === 'zwift-token') {
      const r = body as TokenRequest;
      const owner = r.grant === 'password' ? r.username : this.deps.accounts.tokens.ownerOf(r.refreshToken);
      return `zwift:${owner ?? '(unknown)'}\u0000${bucket}`;
    }
    return bucket;
  }
}
