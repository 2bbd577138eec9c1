import { SyncConfigError } from '@racesync/sync-core';
import postgres, { type Sql } from 'postgres';
import { type CallFailure, toStorageError } from '../errors/map-error.js';
import { connectionStringSecrets, createRedactor, type Redact } from '../errors/redact.js';
import { toJsonText } from '../json.js';
import { assertSchemaName, DEFAULT_SCHEMA, splitQualified } from '../schema-name.js';
import { checkConnectionString } from './check-connection-string.js';
import type { RpcTransport } from './transport.js';

/** Options of {@link createPostgresTransport}. Give `connectionString` or `sql`. */
export interface PostgresTransportOptions {
  /**
   * A PostgreSQL connection string, e.g. Supabase's (Project Settings → Database → Connection
   * string: direct, session pooler, or transaction pooler on port 6543). The transport opens its
   * own postgres.js pool and `close()` ends it. Its password never appears in errors.
   * @default undefined (then `sql`)
   */
  connectionString?: string;
  /**
   * An existing postgres.js instance to use instead (it stays yours: `close()` does not end it).
   * It must parse jsonb results (postgres.js does by default).
   * @default undefined (then `connectionString`)
   */
  sql?: Sql;
  /**
   * Pool size when the transport opens the pool.
   * @default 10
   */
  max?: number;
  /**
   * Use prepared statements (one round trip per call instead of two). With `sql`, an instance
   * created with `prepare: false` stays unprepared whatever this says.
   * @default true, except `false` when the connection string's port is `6543` (Supabase's
   * transaction-mode pooler, which does not keep prepared statements)
   */
  prepare?: boolean;
  /**
   * Seconds to wait for a connection. Ignored with `sql`.
   * @default 10
   */
  connectTimeoutSeconds?: number;
  /**
   * Close connections idle for this many seconds. Ignored with `sql`.
   * @default 30
   */
  idleTimeoutSeconds?: number;
  /**
   * `application_name` reported to the server. Ignored with `sql`.
   * @default 'racesync'
   */
  applicationName?: string;
  /**
   * Schema of bare function names passed to `call()`.
   * @default 'racesync'
   */
  schema?: string;
}

/** A transport over a direct PostgreSQL connection (postgres.js). */
export interface PostgresTransport extends RpcTransport {
  readonly kind: 'postgres';
  /**
   * The postgres.js instance (used by `migrate()`; handy for your own queries). Not enumerable, so
   * `util.inspect` and `JSON.stringify` of the transport do not print its options (the password).
   */
  readonly sql: Sql;
}

const kRedact = Symbol.for('racesync.supabase-adapter.redact');

/** The redactor of a transport created here (used by `migrate()`). */
export function transportRedactor(transport: RpcTransport): Redact {
  const redact = (transport as { [kRedact]?: Redact })[kRedact];
  return redact ?? createRedactor([]);
}

function portOf(connectionString: string): number | null {
  const match = /@[^/?#]*:(\d+)(?:[/?#]|$)/.exec(connectionString);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * A transport that calls racesync's functions over a direct PostgreSQL connection:
 * `select "schema"."fn"($1::text::jsonb)` with the arguments as ONE JSON parameter (no SQL is ever
 * built from data). Works with Supabase's direct connection and its poolers.
 *
 * @example
 * const transport = createPostgresTransport({ connectionString: process.env.DATABASE_URL });
 */
export function createPostgresTransport(options: PostgresTransportOptions): PostgresTransport {
  checkTransportOptions(options);
  const defaultSchema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const own = options.sql === undefined;
  const secrets = connectionStringSecrets(options.connectionString);
  const userPass = (options.sql as { options?: { pass?: unknown } } | undefined)?.options?.pass;
  if (typeof userPass === 'string') secrets.push(userPass);
  const redact = createRedactor(secrets);
  const prepare =
    options.prepare ?? (options.connectionString ? portOf(options.connectionString) !== 6543 : true);
  let sql: Sql;
  try {
    sql =
      options.sql ??
      postgres(options.connectionString as string, {
        max: options.max ?? 10,
        prepare,
        connect_timeout: options.connectTimeoutSeconds ?? 10,
        idle_timeout: options.idleTimeoutSeconds ?? 30,
        onnotice: () => {},
        connection: { application_name: options.applicationName ?? 'racesync' },
      });
  } catch (error) {
    // e.g. an unparsable connection string: never echo it.
    throw new SyncConfigError('connectionString', `is not a valid PostgreSQL URL (${redact(String(error))})`);
  }
  let closed = false;

  const transport: Omit<PostgresTransport, 'sql'> & { [kRedact]: Redact } = {
    kind: 'postgres',
    [kRedact]: redact,
    async call(fn, args) {
      const { schema, name } = splitQualified(fn, defaultSchema);
      // `$1::text::jsonb`: the argument travels as the JSON text built here (postgres.js would
      // JSON-encode a string sent as jsonb a second time).
      const text = `select "${schema}"."${name}"($1::text::jsonb) as result`;
      try {
        const rows = await sql.unsafe(text, [toJsonText(args)], { prepare });
        return rows[0]?.result ?? null;
      } catch (error) {
        throw toStorageError(name, schema, failureOf(error, redact));
      }
    },
    async close() {
      if (closed || !own) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
  // Not enumerable: the pool's options hold the password, and `util.inspect(transport)` (or of a
  // storage holding it) would print them.
  Object.defineProperty(transport, 'sql', { value: sql, enumerable: false });
  return transport as PostgresTransport & { [kRedact]: Redact };
}

/** Every option checked up front: a wrong one throws a `SyncConfigError` naming it. */
function checkTransportOptions(options: PostgresTransportOptions): void {
  if (!options || typeof options !== 'object') throw new SyncConfigError('options', 'must be an object');
  const { connectionString, sql } = options;
  if (sql !== undefined && connectionString !== undefined) {
    throw new SyncConfigError('sql', 'give `connectionString` or `sql`, not both');
  }
  if (sql !== undefined) {
    if (typeof sql !== 'function' || typeof (sql as { unsafe?: unknown }).unsafe !== 'function') {
      throw new SyncConfigError('sql', 'must be a postgres.js instance (`postgres(url)`)');
    }
  } else if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    throw new SyncConfigError(
      'connectionString',
      'is required (or pass `sql`): a PostgreSQL URL such as postgres://user:password@host:5432/db',
    );
  } else {
    checkConnectionString(connectionString);
  }
  if (options.max !== undefined && !(Number.isInteger(options.max) && options.max >= 1)) {
    throw new SyncConfigError('max', `must be an integer ≥ 1 (got ${String(options.max)})`);
  }
  if (options.prepare !== undefined && typeof options.prepare !== 'boolean') {
    throw new SyncConfigError('prepare', `must be true or false (got ${String(options.prepare)})`);
  }
  for (const name of ['connectTimeoutSeconds', 'idleTimeoutSeconds'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
      throw new SyncConfigError(name, `must be a number of seconds ≥ 0 (got ${String(value)})`);
    }
  }
  if (options.applicationName !== undefined && typeof options.applicationName !== 'string') {
    throw new SyncConfigError('applicationName', 'must be a string');
  }
}

/** A postgres.js (or socket) error as a secret-free {@link CallFailure}. */
export function failureOf(error: unknown, redact: Redact): CallFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
    detail?: unknown;
    hint?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : null;
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? redact(value) : null);
  return {
    code,
    message: str(e.message) ?? redact(String(error)),
    details: str(e.detail),
    hint: str(e.hint),
    status: null,
  };
}
