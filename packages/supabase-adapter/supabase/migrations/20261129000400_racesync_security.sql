-- Storage schema, part 4 of 4: row-level security and privileges.
--
-- * Row-level security is enabled on every table, with no policy: a role that does not bypass RLS
--   sees no row and can change none, even if somebody grants it table privileges.
-- * Nothing is granted to PUBLIC, `anon` or `authenticated` (tables, views, functions, sequences).
-- * Supabase's `service_role` (which bypasses RLS) gets what the storage needs; the role that ran
--   the migrations owns everything and needs no grant. The roles are optional: on plain PostgreSQL
--   without them these statements are skipped.
-- * Read-only dashboard access is opt-in: `select racesync.grant_dashboard_read('authenticated');`
--   (run as the owner, e.g. in Supabase's SQL editor). See the package README.
-- Re-run after every migration (it is idempotent), so new objects get the same treatment.

do $rls$
declare
  t record;
begin
  for t in select c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'racesync' and c.relkind in ('r', 'p') loop
    execute format('alter table racesync.%I enable row level security', t.relname);
  end loop;
end
$rls$;

revoke all on schema racesync from public;
revoke all on all tables in schema racesync from public;
revoke all on all sequences in schema racesync from public;
revoke all on all functions in schema racesync from public;
alter default privileges in schema racesync revoke all on tables from public;
alter default privileges in schema racesync revoke all on sequences from public;
alter default privileges in schema racesync revoke execute on functions from public;

do $grants$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated'] loop
    if exists (select from pg_catalog.pg_roles where rolname = r) then
      execute format('revoke all on schema racesync from %I', r);
      execute format('revoke all on all tables in schema racesync from %I', r);
      execute format('revoke all on all sequences in schema racesync from %I', r);
      execute format('revoke all on all functions in schema racesync from %I', r);
    end if;
  end loop;
  if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    grant usage on schema racesync to service_role;
    grant select, insert, update, delete on all tables in schema racesync to service_role;
    grant usage, select on all sequences in schema racesync to service_role;
    grant execute on all functions in schema racesync to service_role;
  end if;
end
$grants$;

-- Opt-in read-only access for a dashboard role (default `authenticated`): the dashboard views,
-- plus SELECT and a read-all RLS policy on the tables those views read (the views are
-- security_invoker). Never grants any write, nor the storage functions. Run as the schema owner.
create or replace function racesync.grant_dashboard_read(p_role text default 'authenticated') returns void
language plpgsql set search_path = '' as $fn$
declare
  t text;
  v_policy text := 'racesync_dashboard_read_' || p_role;
begin
  if not exists (select from pg_catalog.pg_roles where rolname = p_role) then
    raise exception using errcode = '42704', message = format('role "%s" does not exist', p_role);
  end if;
  execute format('grant usage on schema racesync to %I', p_role);
  foreach t in array array['team_members', 'riders', 'rider_history', 'events', 'signups', 'job_states',
                           'sync_log', 'rate_limit_usage'] loop
    execute format('grant select on racesync.%I to %I', t, p_role);
    execute format('drop policy if exists %I on racesync.%I', v_policy, t);
    execute format('create policy %I on racesync.%I for select to %I using (true)', v_policy, t, p_role);
  end loop;
  foreach t in array array['sync_health_24h', 'api_calls_hourly', 'rate_limit_usage_hourly',
                           'latest_rider_changes', 'team_signups_upcoming'] loop
    execute format('grant select on racesync.%I to %I', t, p_role);
  end loop;
end
$fn$;

-- Undoes grant_dashboard_read for a role.
create or replace function racesync.revoke_dashboard_read(p_role text default 'authenticated') returns void
language plpgsql set search_path = '' as $fn$
declare
  t text;
  v_policy text := 'racesync_dashboard_read_' || p_role;
begin
  foreach t in array array['team_members', 'riders', 'rider_history', 'events', 'signups', 'job_states',
                           'sync_log', 'rate_limit_usage'] loop
    execute format('drop policy if exists %I on racesync.%I', v_policy, t);
    execute format('revoke select on racesync.%I from %I', t, p_role);
  end loop;
  foreach t in array array['sync_health_24h', 'api_calls_hourly', 'rate_limit_usage_hourly',
                           'latest_rider_changes', 'team_signups_upcoming'] loop
    execute format('revoke select on racesync.%I from %I', t, p_role);
  end loop;
  execute format('revoke usage on schema racesync from %I', p_role);
end
$fn$;

-- Privilege management is for the owner only.
revoke all on function racesync.grant_dashboard_read(text) from public;
revoke all on function racesync.revoke_dashboard_read(text) from public;
do $owner_only$
begin
  if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    revoke all on function racesync.grant_dashboard_read(text) from service_role;
    revoke all on function racesync.revoke_dashboard_read(text) from service_role;
  end if;
end
$owner_only$;

insert into racesync.schema_migrations (name) values ('20261129000400_racesync_security')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache, so the new functions are callable at once
-- (a no-op without a listener).
notify pgrst, 'reload schema';
