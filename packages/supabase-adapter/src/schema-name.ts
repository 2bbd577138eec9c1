import { SyncConfigError } from '@racesync/sync-core';

/** The schema racesync uses unless told otherwise. */
export const DEFAULT_SCHEMA = 'racesync';

const VALID = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a schema name: lower-case letters, digits and underscores, not starting with a digit or
 * `pg_`, at most 63 characters — a name that needs no quoting anywhere (SQL, the Supabase CLI,
 * PostgREST's `Content-Profile` header).
 */
export function assertSchemaName(schema: unknown, option = 'schema'): string {
  if (typeof schema !== 'string' || !VALID.test(schema) || schema.startsWith('pg_')) {
    throw new SyncConfigError(
      option,
      `must be a lower-case PostgreSQL identifier (letters, digits, "_"; not starting with a digit or "pg_"; ≤ 63 characters), got ${JSON.stringify(schema)}`,
    );
  }
  return schema;
}

/** Splits `schema.function` (or a bare function name, with `fallback` as schema). */
export function splitQualified(fn: string, fallback: string): { schema: string; name: string } {
  const dot = fn.indexOf('.');
  const schema = dot === -1 ? fallback : fn.slice(0, dot);
  const name = dot === -1 ? fn : fn.slice(dot + 1);
  assertSchemaName(schema);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new SyncConfigError('fn', `must be a lower-case function name, got ${JSON.stringify(fn)}`);
  }
  return { schema, name };
}
