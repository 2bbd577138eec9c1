/**
 * `@racesync/supabase-adapter`: racesync's storage in Supabase/PostgreSQL — SQL migrations, batched
 * writes as SQL functions (one round trip and one transaction per batch), a shared rate-limit
 * store and leases with fencing, so several runner instances can share one API key.
 *
 * @packageDocumentation
 */

export { MigrationsMissingError } from './errors/migrations-missing-error.js';
export { PermissionDeniedError } from './errors/permission-denied-error.js';
export type {
  PostgresStorageErrorDetails,
  PostgresStorageErrorReason,
} from './errors/postgres-storage-error.js';
export { PostgresStorageError } from './errors/postgres-storage-error.js';
export { connectionStringRedactor, type Redact } from './errors/redact.js';
export { SchemaNotExposedError } from './errors/schema-not-exposed-error.js';
export type { MigrateOptions, MigrateResult } from './migrations/migrate.js';
export { migrate } from './migrations/migrate.js';
export type { Migration, MigrationsOptions } from './migrations/migrations.js';
export { migrations } from './migrations/migrations.js';
export { DEFAULT_SCHEMA } from './schema-name.js';
export type { PostgresStorage, PostgresStorageOptions } from './storage/postgres-storage.js';
export { createPostgresStorage } from './storage/postgres-storage.js';
export type { PostgresRateLimitStoreOptions } from './storage/rate-limit-store.js';
export { createPostgresRateLimitStore } from './storage/rate-limit-store.js';
export type { PostgresTransport, PostgresTransportOptions } from './transport/postgres-transport.js';
export { createPostgresTransport } from './transport/postgres-transport.js';
export type {
  PostgrestErrorLike,
  RpcResponseLike,
  SupabaseClientLike,
  SupabaseTransportOptions,
} from './transport/supabase-transport.js';
export { createSupabaseTransport } from './transport/supabase-transport.js';
export type { RpcTransport } from './transport/transport.js';
