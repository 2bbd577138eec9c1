import { SyncConfigError } from '@racesync/sync-core';

/**
 * Checks that a connection string is a PostgreSQL URL (`postgres://` or `postgresql://`) before a
 * driver sees it: postgres.js 4 defers parsing to the first query, where a typo would surface as a
 * connection error. Throws a `SyncConfigError` naming `connectionString`; never echoes the string
 * (it carries the password).
 */
export function checkConnectionString(connectionString: string): void {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new SyncConfigError(
      'connectionString',
      'is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/db)',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new SyncConfigError(
      'connectionString',
      `must start with postgres:// or postgresql:// (got ${url.protocol}//)`,
    );
  }
}
