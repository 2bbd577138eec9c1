export { freePort } from './free-port.ts';
export {
  type MintOptions,
  mintSupabaseKeys,
  type SupabaseKeyClaims,
  type SupabaseKeys,
  signHs256,
} from './jwt.ts';
export { PASSWORD, PASSWORD_ROLE, type PgCluster, type StartOptions, startPgCluster } from './pg-cluster.ts';
export { type PostgrestServer, type StartPostgrestOptions, startPostgrest } from './postgrest.ts';
export {
  type FindPostgrestOptions,
  findPostgrest,
  POSTGREST_PACKAGE,
  POSTGREST_PACKAGE_VERSION,
  POSTGREST_SHA256,
  POSTGREST_VERSION,
  type PostgrestBinary,
} from './postgrest-binary.ts';
export type { PostgrestEndpoint } from './postgrest-endpoint.ts';
export {
  type FaultFilter,
  type FaultProxyOptions,
  type PostgrestFaultProxy,
  startPostgrestFaultProxy,
} from './postgrest-fault-proxy.ts';
export { type ExposeOptions, exposedSchemas, exposeSchemas } from './schema-exposure.ts';
export { type SupabaseApi, startSupabaseApi } from './supabase-api.ts';
export { postgrestClient, stripRestV1, supabaseClient } from './supabase-client.ts';
export { API_ROLES, AUTHENTICATOR, ensureSupabaseRoles } from './supabase-roles.ts';
