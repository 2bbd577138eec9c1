-- Storage functions, results and result jobs: apply_results, list_results, list_result_jobs,
-- put_result_jobs, delete_result_jobs.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

-- {eventId, rows: ResultRecord[], at} -> {added, updated, unchanged, removed}.
-- Applies a complete result set atomically under the event's row lock in result_sets; rows are
-- compared by hash; rows no longer listed get removed_at (kept); an older set is ignored.
create or replace function racesync.apply_results(jsonb) returns jsonb
language plpgsql set search_path = '' set enable_nestloop = off as $fn$
declare
  p alias for $1;
  v_event text := p->>'eventId';
  v_at timestamptz := to_timestamp((p->>'at')::float8 / 1000);
  v_bad bigint;
  v_result jsonb;
begin
  if coalesce(v_event, '') = '' or v_at is null or jsonb_typeof(p->'rows') is distinct from 'array' then
    raise exception using errcode = '22023', message = 'apply_results: eventId, rows (array) and at are required';
  end if;
  select a.ord - 1 into v_bad
  from jsonb_array_elements(p->'rows') with ordinality as a(e, ord)
  where jsonb_typeof(a.e->'riderId') is distinct from 'number' or coalesce(a.e->>'hash', '') = ''
     or jsonb_typeof(a.e->'fetchedAt') is distinct from 'number'
  order by a.ord limit 1;
  if found then
    raise exception using errcode = '22023',
      message = format('apply_results: rows[%s] is invalid (riderId, hash and fetchedAt are required); nothing was written', v_bad);
  end if;

  insert into racesync.result_sets as l (event_id, applied_at) values (v_event, v_at)
  on conflict (event_id) do update set applied_at = excluded.applied_at
  where l.applied_at <= excluded.applied_at;
  if not found then
    return '{"added": 0, "updated": 0, "unchanged": 0, "removed": 0}'::jsonb; -- stale set
  end if;

  with listed as (
    select distinct on ((a.e->>'riderId')::bigint) (a.e->>'riderId')::bigint as rider_id, a.e as r
    from jsonb_array_elements(p->'rows') with ordinality as a(e, ord)
    order by (a.e->>'riderId')::bigint, a.ord desc
  ),
  cls as (
    select l.rider_id, l.r, to_timestamp((l.r->>'fetchedAt')::float8 / 1000) as fetched_at,
      case when x.rider_id is null then 'added'
           when x.hash is distinct from l.r->>'hash' or x.removed_at is not null then 'updated'
           else 'unchanged' end as k
    from listed l
    left join racesync.results x on x.event_id = v_event and x.rider_id = l.rider_id
  ),
  ups as (
    insert into racesync.results as x (event_id, rider_id, name, position, position_in_category, category,
      time_seconds, gap, rating, rating_before, rating_delta, hash, fetched_at, removed_at)
    select v_event, c.rider_id, c.r->>'name', (c.r->>'position')::integer, (c.r->>'positionInCategory')::integer,
      c.r->>'category', (c.r->>'timeSeconds')::float8, (c.r->>'gap')::float8, (c.r->>'rating')::float8,
      (c.r->>'ratingBefore')::float8, (c.r->>'ratingDelta')::float8, c.r->>'hash', c.fetched_at, null
    from cls c where c.k in ('added', 'updated') order by c.rider_id
    on conflict (event_id, rider_id) do update set
      name = excluded.name, position = excluded.position, position_in_category = excluded.position_in_category,
      category = excluded.category, time_seconds = excluded.time_seconds, gap = excluded.gap,
      rating = excluded.rating, rating_before = excluded.rating_before, rating_delta = excluded.rating_delta,
      hash = excluded.hash, fetched_at = excluded.fetched_at, removed_at = null
  ),
  tch as (
    update racesync.results x set fetched_at = c.fetched_at
    from cls c
    where c.k = 'unchanged' and x.event_id = v_event and x.rider_id = c.rider_id
      and x.fetched_at is distinct from c.fetched_at
  ),
  rem as (
    update racesync.results x set removed_at = v_at
    where x.event_id = v_event and x.removed_at is null
      and not exists (select 1 from listed l where l.rider_id = x.rider_id)
    returning 1
  )
  select jsonb_build_object(
    'added', (select count(*) from cls where k = 'added'),
    'updated', (select count(*) from cls where k = 'updated'),
    'unchanged', (select count(*) from cls where k = 'unchanged'),
    'removed', (select count(*) from rem))
  into v_result;
  return v_result;
end
$fn$;

-- {eventIds?, riderIds?, includeRemoved?} -> ResultRecord[] by (eventId, position, riderId).
create or replace function racesync.list_results(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'eventId', x.event_id,
           'riderId', x.rider_id,
           'name', x.name,
           'position', x.position,
           'positionInCategory', x.position_in_category,
           'category', x.category,
           'timeSeconds', x.time_seconds,
           'gap', x.gap,
           'rating', x.rating,
           'ratingBefore', x.rating_before,
           'ratingDelta', x.rating_delta,
           'hash', x.hash,
           'fetchedAt', (extract(epoch from x.fetched_at) * 1000)::float8,
           'removedAt', (extract(epoch from x.removed_at) * 1000)::float8)
         order by x.event_id, x.position nulls last, x.rider_id), '[]'::jsonb)
  from racesync.results x
  where (jsonb_typeof($1->'eventIds') is distinct from 'array'
         or x.event_id = any (array(select jsonb_array_elements_text($1->'eventIds'))))
    and (jsonb_typeof($1->'riderIds') is distinct from 'array'
         or x.rider_id = any (array(select (y)::bigint from jsonb_array_elements_text($1->'riderIds') as y)))
    and (x.removed_at is null or coalesce(($1->>'includeRemoved')::boolean, false))
$fn$;

-- {} -> ResultJob[] by due time.
create or replace function racesync.list_result_jobs(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'eventId', j.event_id,
           'phase', j.phase,
           'dueAt', (extract(epoch from j.due_at) * 1000)::float8,
           'attempts', j.attempts,
           'priority', j.priority,
           'eventStartsAt', (extract(epoch from j.event_starts_at) * 1000)::float8,
           'createdAt', (extract(epoch from j.created_at) * 1000)::float8)
         order by j.due_at, j.event_id, j.phase), '[]'::jsonb)
  from racesync.result_jobs j
$fn$;

-- {jobs: ResultJob[]} -> null. Insert or replace by (eventId, phase).
create or replace function racesync.put_result_jobs(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
begin
  insert into racesync.result_jobs as j (event_id, phase, due_at, attempts, priority, event_starts_at, created_at)
  select distinct on (a.e->>'eventId', a.e->>'phase')
    a.e->>'eventId', a.e->>'phase', to_timestamp((a.e->>'dueAt')::float8 / 1000),
    coalesce((a.e->>'attempts')::integer, 0), coalesce((a.e->>'priority')::float8, 0),
    to_timestamp((a.e->>'eventStartsAt')::float8 / 1000), to_timestamp((a.e->>'createdAt')::float8 / 1000)
  from jsonb_array_elements(coalesce($1->'jobs', '[]'::jsonb)) with ordinality as a(e, ord)
  order by a.e->>'eventId', a.e->>'phase', a.ord desc
  on conflict (event_id, phase) do update set
    due_at = excluded.due_at, attempts = excluded.attempts, priority = excluded.priority,
    event_starts_at = excluded.event_starts_at, created_at = excluded.created_at;
  return null;
end
$fn$;

-- {keys: [{eventId, phase}]} -> null.
create or replace function racesync.delete_result_jobs(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
begin
  delete from racesync.result_jobs j
  using jsonb_to_recordset(coalesce($1->'keys', '[]'::jsonb)) as k("eventId" text, phase text)
  where j.event_id = k."eventId" and j.phase = k.phase;
  return null;
end
$fn$;

insert into racesync.schema_migrations (name) values ('20261206000500_racesync_results_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
