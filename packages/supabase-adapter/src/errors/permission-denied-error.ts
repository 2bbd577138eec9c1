import { PostgresStorageError, type PostgresStorageErrorDetails } from './postgres-storage-error.js';

/**
 * The role the storage connects as lacks a privilege on racesync's schema. The message names the
 * fix: use the schema owner's connection string or Supabase's service-role key (which the
 * migrations grant what the storage needs), or grant the privileges to the role.
 */
export class PermissionDeniedError extends PostgresStorageError {
  override name = 'PermissionDeniedError';
  readonly schema: string;

  /**
   * @param refused `'login'` when the database refused the connection itself (SQLSTATE 28xxx: a
   * wrong password, an unknown role): the message is then about the credentials, not grants.
   */
  constructor(
    operation: string,
    schema: string,
    problem: string,
    details: Omit<PostgresStorageErrorDetails, 'reason'> = {},
    refused: 'grants' | 'login' = 'grants',
  ) {
    super(
      operation,
      refused === 'login'
        ? `${problem}. The database refused the login: check the user and password in the connection ` +
            'string (percent-encode special characters in the password, e.g. # as %23), or the key.'
        : `${problem}. The storage must connect as the owner of schema "${schema}" (the role that ran the ` +
            "migrations, e.g. Supabase's postgres connection string) or with Supabase's service-role key " +
            '(never the anon key). To use another role, grant it: ' +
            `grant usage on schema ${schema} to <role>; ` +
            `grant select, insert, update, delete on all tables in schema ${schema} to <role>; ` +
            `grant usage, select on all sequences in schema ${schema} to <role>; ` +
            `grant execute on all functions in schema ${schema} to <role>; ` +
            'and give it BYPASSRLS or RLS policies (row-level security is enabled on every table).',
      { ...details, reason: 'permission_denied' },
    );
    this.schema = schema;
  }
}
