import { exposeSchemas, type PostgrestEndpoint } from '@racesync/postgres-kit';
import { describe, inject } from 'vitest';
import { adminSql } from './db.ts';

/** Why the real-PostgREST tests skip here, or `null` (they run; always so in CI on linux-x64). */
export const postgrestSkip: string | null = inject('postgrestSkip');

/** The run's real PostgREST (started by the global setup). Only call it inside `describeRealPostgrest`. */
export function postgrest(): PostgrestEndpoint {
  const endpoint = inject('postgrest');
  if (!endpoint) throw new Error(`no real PostgREST: ${postgrestSkip}`);
  return endpoint;
}

/** The JWT secret of the run's PostgREST. */
export function postgrestJwtSecret(): string {
  const secret = inject('postgrestJwtSecret');
  if (!secret) throw new Error(`no real PostgREST: ${postgrestSkip}`);
  return secret;
}

/** `describe` that skips, with the reason in its name, where real PostgREST cannot run. */
export function describeRealPostgrest(name: string, body: () => void): void {
  describe.skipIf(postgrestSkip !== null)(
    postgrestSkip === null ? name : `${name} — skipped: ${postgrestSkip}`,
    body,
  );
}

const exposer = (() => {
  let sql: ReturnType<typeof adminSql> | undefined;
  return () => {
    sql ??= adminSql(1);
    return sql;
  };
})();

/** Exposes `schemas` through the run's PostgREST and waits until it serves them with their functions. */
export async function expose(...schemas: string[]): Promise<void> {
  await exposeSchemas(exposer(), { add: schemas, postgrest: postgrest() });
}

/** Stops exposing `schemas` and waits until PostgREST answers PGRST106 for them. */
export async function hide(...schemas: string[]): Promise<void> {
  await exposeSchemas(exposer(), { remove: schemas, postgrest: postgrest() });
}
