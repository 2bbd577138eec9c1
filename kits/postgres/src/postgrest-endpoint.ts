/**
 * What tests need to reach a running PostgREST: its URL and the per-run keys. Plain strings, so a
 * vitest `globalSetup` can `provide` it to the test files.
 */
export interface PostgrestEndpoint {
  /** PostgREST's root, e.g. `http://127.0.0.1:41234` (no `/rest/v1`: see `postgrestClient`). */
  url: string;
  /** HS256 JWT `{role: "service_role", iss: "supabase"}` signed with this run's secret. */
  serviceRoleKey: string;
  /** HS256 JWT `{role: "anon"}`. */
  anonKey: string;
  /** HS256 JWT `{role: "authenticated"}`. */
  authenticatedKey: string;
}
