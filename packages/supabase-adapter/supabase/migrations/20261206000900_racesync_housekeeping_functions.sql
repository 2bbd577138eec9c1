-- Storage functions, housekeeping (which migrations are applied): schema_status.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

-- {} -> {migrations: [names]}: lets the storage verify that every migration is applied.
create or replace function racesync.schema_status(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select jsonb_build_object('schema', 'racesync',
           'migrations', coalesce(jsonb_agg(m.name order by m.name), '[]'::jsonb))
  from racesync.schema_migrations m
$fn$;

insert into racesync.schema_migrations (name) values ('20261206000900_racesync_housekeeping_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
