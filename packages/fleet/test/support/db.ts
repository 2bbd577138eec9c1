import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { inject } from 'vitest';

export const pgUrl = (): string => inject('pgUrl');

/** A fresh, unused schema name (tests never share schemas, so files run in parallel). */
export const freshSchemaName = (prefix = 'fl_t'): string => `${prefix}${randomBytes(5).toString('hex')}`;

/** A superuser connection for setup and inspection. */
export function adminSql(max = 2): Sql {
  return postgres(pgUrl(), { max, onnotice: () => {} });
}
