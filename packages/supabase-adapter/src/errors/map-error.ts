import { LeaseLostError } from '@racesync/sync-core';
import { MigrationsMissingError } from './migrations-missing-error.js';
import { PermissionDeniedError } from './permission-denied-error.js';
import { PostgresStorageError, type PostgresStorageErrorReason } from './postgres-storage-error.js';
import { SchemaNotExposedError } from './schema-not-exposed-error.js';

/** A failed call, as either transport reports it (secrets already removed). */
export interface CallFailure {
  /** SQLSTATE, PostgREST code (`PGRST…`), or a Node error code (`ECONNREFUSED`). */
  code: string | null;
  message: string;
  details: string | null;
  hint: string | null;
  /** HTTP status (supabase-js), or `null` for a direct connection. */
  status: number | null;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * PostgREST's own "cannot reach the database" answers (HTTP 503): PGRST000 connection refused,
 * PGRST001 database client error, PGRST002 schema cache not loaded (database unreachable).
 */
const POSTGREST_CONNECTION_CODES = new Set(['PGRST000', 'PGRST001', 'PGRST002']);

/** The gateway in front of PostgREST failing (Kong's 502/503/504, no PostgREST or SQL code). */
const isGatewayFailure = (failure: CallFailure) =>
  failure.code === null && (failure.status === 502 || failure.status === 503 || failure.status === 504);

/**
 * PostgREST's answer when the pooled database connection it used had died: libpq reports the loss
 * as an error without a SQLSTATE or a message (every error the server sends has a SQLSTATE), and
 * PostgREST renders that with its default status, HTTP 400, and an empty code and message.
 */
const isLostConnection = (failure: CallFailure) =>
  failure.status === 400 && failure.code === null && failure.message === '';

function reasonOf(failure: CallFailure): PostgresStorageErrorReason {
  const code = failure.code ?? '';
  if (
    CONNECTION_CODES.has(code) ||
    POSTGREST_CONNECTION_CODES.has(code) ||
    code.startsWith('08') ||
    failure.status === 0 ||
    isGatewayFailure(failure) ||
    isLostConnection(failure)
  ) {
    return 'connection';
  }
  if (code.startsWith('28')) return 'permission_denied'; // invalid authorization (wrong password …)
  if (code.startsWith('22') || code.startsWith('23')) return 'invalid_input';
  return 'query_failed';
}

/**
 * Turns a failed call of `fn` (a function of `schema`) into the typed error that names the fix:
 * {@link MigrationsMissingError}, {@link SchemaNotExposedError}, {@link PermissionDeniedError},
 * sync-core's `LeaseLostError` (fenced write refused), or a {@link PostgresStorageError}.
 */
export function toStorageError(fn: string, schema: string, failure: CallFailure): Error {
  const { code, status } = failure;
  const extra = { code, hint: failure.hint, status, cause: summary(failure) };
  const text =
    failure.message ||
    (isLostConnection(failure)
      ? 'database connection lost (PostgREST answered HTTP 400 with an error without a SQLSTATE)'
      : 'unknown error');
  switch (code) {
    case 'RSL01': {
      const detail = parseJson(failure.details);
      const name = typeof detail?.name === 'string' ? detail.name : 'unknown';
      const token = typeof detail?.token === 'number' ? detail.token : Number.NaN;
      return new LeaseLostError(name, token);
    }
    case 'PGRST106':
      return new SchemaNotExposedError(fn, schema, extra);
    case 'PGRST202':
    case '3F000':
    case '42883':
    case '42P01':
      return new MigrationsMissingError(fn, schema, text, extra);
    case '42501':
    case 'PGRST301':
    case 'PGRST302':
      return new PermissionDeniedError(fn, schema, text, extra);
  }
  // PostgREST switches to the role a key's JWT names; a role the database lacks is a key problem
  // (HTTP 400, 22023 `role "…" does not exist`), not an invalid record.
  if (code === '22023' && status !== null && /^role ".*" does not exist$/.test(text)) {
    return new PermissionDeniedError(fn, schema, text, extra);
  }
  if (status === 401 || status === 403) {
    return new PermissionDeniedError(fn, schema, `${text} (HTTP ${status})`, extra);
  }
  const reason = reasonOf(failure);
  if (code?.startsWith('28')) return new PermissionDeniedError(fn, schema, text, extra, 'login');
  if (reason === 'permission_denied') return new PermissionDeniedError(fn, schema, text, extra);
  const hint = failure.hint ? ` (hint: ${failure.hint})` : '';
  return new PostgresStorageError(fn, `${text}${hint}`, { ...extra, reason });
}

function summary(failure: CallFailure): Error {
  const error = new Error(failure.details ? `${failure.message} — ${failure.details}` : failure.message);
  (error as Error & { code?: string | null }).code = failure.code;
  return error;
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
