/**
 * An HTTP proxy in front of a real PostgREST that injects the faults PostgREST cannot produce on
 * demand: a connection dropped in the middle of a response (after PostgREST committed the call),
 * bursts of 5xx answers from the gateway (Kong's bodies; the request never reaches PostgREST), and
 * PostgREST's own answer when a pooled database connection had died under it (real PostgREST sends
 * it only in a race window right after the database goes away).
 * Everything else is forwarded untouched, so every answer that is not a fault is real PostgREST's.
 *
 * Like Supabase's API gateway it strips supabase-js's `/rest/v1` from the path, so a client that
 * cannot be given a custom `fetch` (another process, e.g. an Edge Function under Deno) can use the
 * proxy's URL as its `SUPABASE_URL`. It counts the RPC calls it saw.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  /** PostgREST's root URL (a `PostgrestEndpoint`'s `url`). */
  target: string;
}

/** Which RPC calls a fault hits. */
export interface FaultFilter {
  /**
   * Only calls of functions whose name matches.
   * @default every function
   */
  fn?: RegExp;
}

export interface PostgrestFaultProxy {
  /** The proxy's URL: give it to `supabaseClient` / as `SUPABASE_URL` (it serves `/rest/v1/…`). */
  url: string;
  /** RPC calls received (`POST /rpc/<fn>`), faulted or not. */
  readonly calls: number;
  /** Faults injected so far (`failed`: answers sent without forwarding the call). */
  readonly faults: { dropped: number; failed: number };
  /**
   * The next `count` matching calls reach PostgREST, which runs (and commits) them; their answer's
   * status line, headers and the first half of the body are sent, then the connection is destroyed.
   */
  dropNext(count: number, filter?: FaultFilter): void;
  /** The next `count` matching calls get `status` (502, 503 or 504) from the "gateway", unforwarded. */
  failNext(count: number, status?: 502 | 503 | 504, filter?: FaultFilter): void;
  /**
   * The next `count` matching calls get, unforwarded, what PostgREST answers when the pooled
   * database connection it used had died: libpq reports the lost connection as an error without a
   * SQLSTATE or a message, which PostgREST renders with its default status, HTTP 400, and an empty
   * `code` and `message` (PostgREST 12; seen against real PostgREST right after the database went
   * away).
   */
  lostConnectionNext(count: number, filter?: FaultFilter): void;
  /** Forgets the faults not injected yet. */
  clearFaults(): void;
  close(): Promise<void>;
}

/** Kong's answers when its upstream fails (what Supabase's gateway sends). */
const GATEWAY_BODIES: Record<number, string> = {
  502: '{"message":"An invalid response was received from the upstream server"}',
  503: '{"message":"failure to get a peer from the ring-balancer"}',
  504: '{"message":"The upstream server is timing out"}',
};

/** PostgREST's body for a database error without a SQLSTATE or a message (a lost connection). */
const LOST_CONNECTION_BODY = '{"code":"","details":null,"hint":null,"message":""}';

interface Fault {
  kind: 'drop' | 'fail' | 'lost';
  status: number;
  left: number;
  fn: RegExp | undefined;
}

export async function startPostgrestFaultProxy(options: FaultProxyOptions): Promise<PostgrestFaultProxy> {
  const target = new URL(options.target);
  const queue: Fault[] = [];
  const faults = { dropped: 0, failed: 0 };
  let calls = 0;

  const takeFault = (fn: string | null): Fault | undefined => {
    if (fn === null) return undefined;
    const fault = queue.find((f) => f.left > 0 && (f.fn === undefined || f.fn.test(fn)));
    if (!fault) return undefined;
    fault.left--;
    if (fault.left === 0) queue.splice(queue.indexOf(fault), 1);
    return fault;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, path: string, drop: boolean) => {
    const headers = { ...req.headers, host: target.host };
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers },
      (answer) => {
        if (!drop) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          const head = { ...answer.headers, 'content-length': String(body.length) };
          delete head['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 200, head);
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
            faults.dropped++;
            res.socket?.destroy();
          });
        });
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `proxy: ${error.message}` }));
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/rest\/v1(?=\/|\?|$)/, '') || '/';
    const fn = req.method === 'POST' ? (/^\/rpc\/([^/?#]+)/.exec(path)?.[1] ?? null) : null;
    if (fn !== null) calls++;
    const fault = takeFault(fn === null ? null : decodeURIComponent(fn));
    if (fault?.kind === 'fail' || fault?.kind === 'lost') {
      faults.failed++;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        fault.kind === 'lost'
          ? LOST_CONNECTION_BODY
          : (GATEWAY_BODIES[fault.status] ?? '{"message":"upstream failure"}'),
      );
      return;
    }
    forward(req, res, path, fault?.kind === 'drop');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    faults,
    dropNext(count, filter = {}) {
      queue.push({ kind: 'drop', status: 0, left: count, fn: filter.fn });
    },
    failNext(count, status = 503, filter = {}) {
      queue.push({ kind: 'fail', status, left: count, fn: filter.fn });
    },
    lostConnectionNext(count, filter = {}) {
      queue.push({ kind: 'lost', status: 400, left: count, fn: filter.fn });
    },
    clearFaults() {
      queue.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
