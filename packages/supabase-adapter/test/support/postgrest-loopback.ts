/**
 * TRANSITIONAL — for examples/runner's Edge Function test only; no test of this package uses it any
 * more (they run against real PostgREST 12.0.2: see @racesync/postgres-kit, and the list of what this
 * imitation got wrong in issue 15's closing note). Delete it when that test switches to the kit's
 * `startPostgrest` + `startPostgrestFaultProxy`.
 *
 * A loopback stand-in for Supabase's REST API (PostgREST 12), enough for supabase-js `rpc()`:
 * `POST /rest/v1/rpc/<fn>` with the schema in `Content-Profile`, the API key in `apikey` /
 * `Authorization: Bearer`, and PostgREST's rules:
 * - the schema must be exposed, else 406 `PGRST106`;
 * - the function must exist in the schema (looked up in pg_proc like PostgREST's schema cache),
 *   else 404 `PGRST202`;
 * - a function with a single unnamed json/jsonb parameter receives the whole body; otherwise the
 *   body's keys are named arguments;
 * - the call runs in a transaction under the key's role (`set local role`), so grants, RLS and
 *   `service_role`'s BYPASSRLS apply for real;
 * - PostgreSQL errors come back as `{code, details, hint, message}` with PostgREST's HTTP statuses.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';

export interface LoopbackOptions {
  /** Superuser connection string of the database behind the API. */
  connectionString: string;
  /** API key → database role, e.g. `{ [serviceKey]: 'service_role', [anonKey]: 'anon' }`. */
  keys: Record<string, string>;
  /** Exposed schemas (mutable: tests add their fresh schemas). Default `public, graphql_public`. */
  exposedSchemas?: Set<string>;
}

export interface Loopback {
  /** Base URL to give `createClient` (the REST API is under `/rest/v1`). */
  url: string;
  exposedSchemas: Set<string>;
  /** RPC requests served (any status). */
  readonly calls: number;
  close(): Promise<void>;
}

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's HTTP status for a PostgreSQL error code. */
export function httpStatusOf(code: string, anonymous: boolean): number {
  if (code === '42501') return anonymous ? 401 : 403;
  if (code === '42883' || code === '42P01') return 404;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '53400') return 500;
  const cls = code.slice(0, 2);
  if (cls === '08' || cls === '53') return 503;
  if (cls === '28' || cls === '0L' || cls === '0P') return 403;
  if (
    ['09', '25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX'].includes(cls)
  ) {
    return code === 'P0001' ? 400 : 500;
  }
  return 400;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function startPostgrestLoopback(options: LoopbackOptions): Promise<Loopback> {
  const sql = postgres(options.connectionString, { max: 20, onnotice: () => {} });
  const exposed = options.exposedSchemas ?? new Set(['public', 'graphql_public']);
  let calls = 0;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(text);
  };
  const pgrst = (
    code: string,
    message: string,
    details: string | null = null,
    hint: string | null = null,
  ) => ({
    code,
    details,
    hint,
    message,
  });

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/rest\/v1\/rpc\/([^/?#]+)/.exec(req.url ?? '');
    if (!match || req.method !== 'POST') {
      send(res, 404, pgrst('PGRST125', 'Invalid path specified in request URL'));
      return;
    }
    calls++;
    const fn = decodeURIComponent(match[1] ?? '');
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const key = bearer ?? (req.headers.apikey as string | undefined);
    const role = key === undefined ? undefined : options.keys[key];
    if (!role) {
      send(res, 401, {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      });
      return;
    }
    const schema = String(req.headers['content-profile'] ?? [...exposed][0] ?? 'public');
    if (!exposed.has(schema)) {
      send(
        res,
        406,
        pgrst('PGRST106', `The schema must be one of the following: ${[...exposed].join(', ')}`),
      );
      return;
    }
    const bodyText = await readBody(req);
    let body: unknown;
    try {
      body = bodyText === '' ? {} : JSON.parse(bodyText);
    } catch {
      send(res, 400, pgrst('PGRST102', 'Empty or invalid json'));
      return;
    }
    const procs = await sql<{ argnames: string[] | null; argtypes: string[] }[]>`
      select p.proargnames as argnames,
             array(select format_type(t, null) from unnest(p.proargtypes) as t) as argtypes
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = ${schema} and p.proname = ${fn}`;
    const single = procs.find(
      (p) => p.argtypes.length === 1 && ['json', 'jsonb'].includes(p.argtypes[0] ?? '') && !p.argnames?.[0],
    );
    const named =
      body && typeof body === 'object' && !Array.isArray(body)
        ? procs.find((p) => {
            const names = p.argnames ?? [];
            return (
              names.length === p.argtypes.length &&
              Object.keys(body as object).every((k) => names.includes(k))
            );
          })
        : undefined;
    if (!single && !named) {
      const params = body && typeof body === 'object' ? Object.keys(body as object).join(', ') : '';
      send(
        res,
        404,
        pgrst(
          'PGRST202',
          `Could not find the function ${schema}.${fn}(${params}) in the schema cache`,
          `Searched for the function ${schema}.${fn} with parameters ${params} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
        ),
      );
      return;
    }
    const target = `${quoteIdent(schema)}.${quoteIdent(fn)}`;
    let query: string;
    let params: (string | null)[];
    if (single) {
      query = `select ${target}($1::text::${single.argtypes[0]})::text as result`;
      params = [bodyText === '' ? '{}' : bodyText];
    } else {
      const p = named!;
      const names = p.argnames ?? [];
      const values = body as Record<string, unknown>;
      const args = names.filter((n) => n in values);
      query = `select ${target}(${args
        .map((n, i) => `${quoteIdent(n)} => $${i + 1}::text::${p.argtypes[names.indexOf(n)]}`)
        .join(', ')})::text as result`;
      params = args.map((n) => {
        const v = values[n];
        if (v === null || v === undefined) return null;
        return typeof v === 'object' ? JSON.stringify(v) : String(v);
      });
    }
    try {
      const rows = await sql.begin(async (tx) => {
        await tx.unsafe(`set local role ${quoteIdent(role)}`);
        return tx.unsafe<{ result: string | null }[]>(query, params);
      });
      send(res, 200, rows[0]?.result ?? 'null');
    } catch (error) {
      const e = error as PgError;
      const code = e.code ?? 'XX000';
      send(
        res,
        httpStatusOf(code, role === 'anon'),
        pgrst(code, e.message ?? 'error', e.detail ?? null, e.hint ?? null),
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, pgrst('PGRST000', String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    exposedSchemas: exposed,
    get calls() {
      return calls;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sql.end({ timeout: 5 });
    },
  };
}
