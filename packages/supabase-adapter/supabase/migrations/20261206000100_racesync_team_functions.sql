-- Storage functions, the team roster: get_team, replace_team.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

create or replace function racesync.get_team(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'riderId', t.rider_id,
           'addedAt', (extract(epoch from t.added_at) * 1000)::float8,
           'source', t.source) order by t.rider_id), '[]'::jsonb)
  from racesync.team_members t
$fn$;

-- {source, riderIds, at} -> {added, removed}: members of `source` become exactly `riderIds`.
create or replace function racesync.replace_team(jsonb) returns jsonb
language plpgsql set search_path = '' set enable_nestloop = off as $fn$
declare
  p alias for $1;
  v_source text := p->>'source';
  v_at timestamptz := to_timestamp((p->>'at')::float8 / 1000);
  v_result jsonb;
begin
  if v_source is null or v_at is null then
    raise exception using errcode = '22023', message = 'replace_team: source and at are required';
  end if;
  -- One team replacement at a time (the table is small).
  lock table racesync.team_members in share row exclusive mode;
  with wanted as (
    select distinct (x)::bigint as rider_id from jsonb_array_elements_text(p->'riderIds') as x
  ),
  del as (
    delete from racesync.team_members t
    where t.source = v_source and not exists (select 1 from wanted w where w.rider_id = t.rider_id)
    returning t.rider_id
  ),
  ins as (
    insert into racesync.team_members (rider_id, added_at, source)
    select w.rider_id, v_at, v_source from wanted w order by w.rider_id
    on conflict (rider_id) do nothing
    returning rider_id
  )
  select jsonb_build_object(
    'added', coalesce((select jsonb_agg(rider_id order by rider_id) from ins), '[]'::jsonb),
    'removed', coalesce((select jsonb_agg(rider_id order by rider_id) from del), '[]'::jsonb))
  into v_result;
  return v_result;
end
$fn$;

insert into racesync.schema_migrations (name) values ('20261206000100_racesync_team_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
