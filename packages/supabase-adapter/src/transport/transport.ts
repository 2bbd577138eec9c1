/**
 * How the storage reaches its SQL functions. Every storage method is ONE call of one function
 * that takes one jsonb argument and returns jsonb, so supabase-js `rpc()` and a direct connection
 * run exactly the same SQL.
 */
export interface RpcTransport {
  /** `'postgres'` (direct connection) or `'supabase'` (supabase-js `rpc()`); informational. */
  readonly kind: string;
  /**
   * Calls function `fn` (`"schema.function"`, or a bare name in the transport's default schema)
   * with `args` as its single jsonb argument; resolves to the function's result (parsed JSON).
   * Rejects with a typed error (`MigrationsMissingError`, `SchemaNotExposedError`,
   * `PermissionDeniedError`, `LeaseLostError`, `PostgresStorageError`) that never contains secrets.
   */
  call(fn: string, args: Record<string, unknown>): Promise<unknown>;
  /** Releases connections the transport opened itself (idempotent). */
  close(): Promise<void>;
}
