import { randomBytes } from 'node:crypto';
import { PASSWORD_ROLE } from '@racesync/postgres-kit';
import postgres, { type Sql } from 'postgres';
import { inject } from 'vitest';

export const pgUrl = (): string => inject('pgUrl');

/** URL of the password-protected role with `password` (right or wrong). */
export const passwordUrl = (password: string): string =>
  `postgres://${PASSWORD_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${inject('pgPort')}/postgres`;

/** A fresh, unused schema name (tests never share schemas, so files run in parallel). */
export const freshSchemaName = (prefix = 'rs_t'): string => `${prefix}${randomBytes(5).toString('hex')}`;

/** A superuser connection for setup and inspection. */
export function adminSql(max = 2): Sql {
  return postgres(pgUrl(), { max, onnotice: () => {} });
}
