/**
 * Supabase's database roles, as a Supabase project has them: `anon`, `authenticated` and
 * `service_role` (BYPASSRLS), all `nologin noinherit`; and the login role `authenticator`
 * (`noinherit`) that PostgREST connects as, granted the three so it can `set role` to the one a
 * request's JWT names.
 */
import type { Sql } from 'postgres';

/** The roles a request can run as. */
export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
/** The role PostgREST logs in as. */
export const AUTHENTICATOR = 'authenticator';

/**
 * Creates whichever of the four roles are missing and the grants (idempotent; safe when several
 * callers do it at once: they take turns on an advisory lock).
 */
export async function ensureSupabaseRoles(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('racesync-kit:supabase-roles'))`;
    await tx.unsafe(`
      do $$
      begin
        if not exists (select from pg_roles where rolname = 'anon') then
          create role anon nologin noinherit;
        end if;
        if not exists (select from pg_roles where rolname = 'authenticated') then
          create role authenticated nologin noinherit;
        end if;
        if not exists (select from pg_roles where rolname = 'service_role') then
          create role service_role nologin noinherit bypassrls;
        end if;
        if not exists (select from pg_roles where rolname = '${AUTHENTICATOR}') then
          create role ${AUTHENTICATOR} login noinherit;
        end if;
      end
      $$;
      grant anon, authenticated, service_role to ${AUTHENTICATOR};
    `);
  });
}
