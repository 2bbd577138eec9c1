/**
 * TRANSITIONAL — for examples/runner only; nothing in this package imports it. The cluster moved to
 * the kit `@racesync/postgres-kit` (kits/postgres/src/pg-cluster.ts). examples/runner's tests still
 * import this path relatively until they import the kit by name; delete this file then.
 */
export {
  PASSWORD,
  PASSWORD_ROLE,
  type PgCluster,
  type StartOptions,
  startPgCluster,
} from '@racesync/postgres-kit';
