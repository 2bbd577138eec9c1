-- Storage functions, events (the race list): upsert_events, mark_events_removed, list_events.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

-- {events: EventRecord[]} -> {added, updated, unchanged} (event ids, in input order).
-- New -> added; older fetchedAt than stored -> unchanged (stale write ignored); different hash or
-- previously removed -> updated (replaced, removedAt cleared); else only fetchedAt moves.
create or replace function racesync.upsert_events(jsonb) returns jsonb
language plpgsql set search_path = '' set enable_nestloop = off as $fn$
declare
  p alias for $1;
  v_bad bigint;
  v_rounds integer;
  v_round integer;
  v_new text[];
  v_out jsonb := '[]'::jsonb;
  v_part jsonb;
begin
  if jsonb_typeof(p->'events') is distinct from 'array' then
    raise exception using errcode = '22023', message = 'upsert_events: events must be an array';
  end if;
  select a.ord - 1 into v_bad
  from jsonb_array_elements(p->'events') with ordinality as a(e, ord)
  where coalesce(a.e->>'eventId', '') = '' or coalesce(a.e->>'hash', '') = ''
     or jsonb_typeof(a.e->'startsAt') is distinct from 'number'
     or jsonb_typeof(a.e->'fetchedAt') is distinct from 'number'
     or jsonb_typeof(a.e->'changedAt') is distinct from 'number'
  order by a.ord
  limit 1;
  if found then
    raise exception using errcode = '22023',
      message = format('upsert_events: events[%s] is invalid (eventId, hash, startsAt, fetchedAt and changedAt are required); nothing of the batch was written', v_bad);
  end if;

  select coalesce(max(s.rn), 0) into v_rounds
  from (select row_number() over (partition by a.e->>'eventId') as rn
        from jsonb_array_elements(p->'events') as a(e)) s;

  for v_round in 1 .. v_rounds loop
    with w as (
      select s.* from (
        select a.ord, a.e, a.e->>'eventId' as event_id,
               row_number() over (partition by a.e->>'eventId' order by a.ord) as rn
        from jsonb_array_elements(p->'events') with ordinality as a(e, ord)) s
      where s.rn = v_round
    ),
    ins as (
      insert into racesync.events (event_id, starts_at, route_id, distance_meters, laps, title, type, sub_type,
        categories, signup_counts, source, hash, fetched_at, changed_at, removed_at)
      select w.event_id, to_timestamp((w.e->>'startsAt')::float8 / 1000), w.e->>'routeId',
        (w.e->>'distanceMeters')::float8, (w.e->>'laps')::integer, w.e->>'title', w.e->>'type', w.e->>'subType',
        array(select jsonb_array_elements_text(coalesce(w.e->'categories', '[]'::jsonb))),
        coalesce(w.e->'signupCounts', '{}'::jsonb), coalesce(w.e->>'source', 'zwiftracing'), w.e->>'hash',
        to_timestamp((w.e->>'fetchedAt')::float8 / 1000), to_timestamp((w.e->>'changedAt')::float8 / 1000), null
      from w order by w.event_id
      on conflict (event_id) do nothing
      returning event_id
    )
    select coalesce(array_agg(ins.event_id), '{}'),
           coalesce(jsonb_agg(jsonb_build_object('o', w.ord, 'id', w.event_id, 'k', 'added')), '[]'::jsonb)
    into v_new, v_part
    from ins join w on w.event_id = ins.event_id;
    v_out := v_out || v_part;

    perform 1 from racesync.events x
    where x.event_id = any (array(
      select a.e->>'eventId'
      from (select e, row_number() over (partition by e->>'eventId' order by ord) as rn
            from jsonb_array_elements(p->'events') with ordinality as b(e, ord)) a
      where a.rn = v_round))
      and not (x.event_id = any (v_new))
    order by x.event_id
    for update;

    with w as (
      select s.* from (
        select a.ord, a.e, a.e->>'eventId' as event_id, to_timestamp((a.e->>'fetchedAt')::float8 / 1000) as fetched_at,
               row_number() over (partition by a.e->>'eventId' order by a.ord) as rn
        from jsonb_array_elements(p->'events') with ordinality as a(e, ord)) s
      where s.rn = v_round and not (s.event_id = any (v_new))
    ),
    cls as (
      select w.*, case
          when w.fetched_at < x.fetched_at then 'stale'
          when x.hash is distinct from w.e->>'hash' or x.removed_at is not null then 'updated'
          else 'unchanged' end as k
      from w join racesync.events x on x.event_id = w.event_id
    ),
    upd as (
      update racesync.events x set
        starts_at = to_timestamp((c.e->>'startsAt')::float8 / 1000), route_id = c.e->>'routeId',
        distance_meters = (c.e->>'distanceMeters')::float8, laps = (c.e->>'laps')::integer,
        title = c.e->>'title', type = c.e->>'type', sub_type = c.e->>'subType',
        categories = array(select jsonb_array_elements_text(coalesce(c.e->'categories', '[]'::jsonb))),
        signup_counts = coalesce(c.e->'signupCounts', '{}'::jsonb),
        source = coalesce(c.e->>'source', 'zwiftracing'), hash = c.e->>'hash',
        fetched_at = c.fetched_at, changed_at = to_timestamp((c.e->>'changedAt')::float8 / 1000), removed_at = null
      from cls c
      where c.k = 'updated' and x.event_id = c.event_id
    ),
    tch as (
      update racesync.events x set fetched_at = c.fetched_at
      from cls c
      where c.k = 'unchanged' and x.event_id = c.event_id and x.fetched_at < c.fetched_at
    )
    select coalesce(jsonb_agg(jsonb_build_object('o', c.ord, 'id', c.event_id,
             'k', case when c.k = 'stale' then 'unchanged' else c.k end)), '[]'::jsonb)
    into v_part
    from cls c;
    v_out := v_out || v_part;
  end loop;

  return jsonb_build_object(
    'added', coalesce((select jsonb_agg(e->'id' order by (e->>'o')::bigint) from jsonb_array_elements(v_out) e
                       where e->>'k' = 'added'), '[]'::jsonb),
    'updated', coalesce((select jsonb_agg(e->'id' order by (e->>'o')::bigint) from jsonb_array_elements(v_out) e
                         where e->>'k' = 'updated'), '[]'::jsonb),
    'unchanged', coalesce((select jsonb_agg(e->'id' order by (e->>'o')::bigint) from jsonb_array_elements(v_out) e
                           where e->>'k' = 'unchanged'), '[]'::jsonb));
end
$fn$;

-- {eventIds, at} -> ids newly marked removed (input order).
create or replace function racesync.mark_events_removed(jsonb) returns jsonb
language plpgsql set search_path = '' set enable_nestloop = off as $fn$
declare
  p alias for $1;
  v_at timestamptz := to_timestamp((p->>'at')::float8 / 1000);
  v_result jsonb;
begin
  if v_at is null then
    raise exception using errcode = '22023', message = 'mark_events_removed: at is required';
  end if;
  with ids as (
    select x as event_id, min(o) as ord
    from jsonb_array_elements_text(coalesce(p->'eventIds', '[]'::jsonb)) with ordinality as a(x, o)
    group by x
  ),
  upd as (
    update racesync.events e set removed_at = v_at
    from ids
    where e.event_id = ids.event_id and e.removed_at is null
    returning e.event_id, ids.ord
  )
  select coalesce(jsonb_agg(upd.event_id order by upd.ord), '[]'::jsonb) into v_result from upd;
  return v_result;
end
$fn$;

-- {startsFrom?, startsBefore?, includeRemoved?, eventIds?} -> EventRecord[] by start time.
create or replace function racesync.list_events(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'eventId', e.event_id,
           'startsAt', (extract(epoch from e.starts_at) * 1000)::float8,
           'routeId', e.route_id,
           'distanceMeters', e.distance_meters,
           'laps', e.laps,
           'title', e.title,
           'type', e.type,
           'subType', e.sub_type,
           'categories', to_jsonb(e.categories),
           'signupCounts', e.signup_counts,
           'source', e.source,
           'hash', e.hash,
           'fetchedAt', (extract(epoch from e.fetched_at) * 1000)::float8,
           'changedAt', (extract(epoch from e.changed_at) * 1000)::float8,
           'removedAt', (extract(epoch from e.removed_at) * 1000)::float8) order by e.starts_at, e.event_id), '[]'::jsonb)
  from racesync.events e
  where (jsonb_typeof($1->'eventIds') is distinct from 'array'
         or e.event_id = any (array(select jsonb_array_elements_text($1->'eventIds'))))
    and (jsonb_typeof($1->'startsFrom') is distinct from 'number'
         or e.starts_at >= to_timestamp(($1->>'startsFrom')::float8 / 1000))
    and (jsonb_typeof($1->'startsBefore') is distinct from 'number'
         or e.starts_at < to_timestamp(($1->>'startsBefore')::float8 / 1000))
    and (e.removed_at is null or coalesce(($1->>'includeRemoved')::boolean, false))
$fn$;

insert into racesync.schema_migrations (name) values ('20261206000300_racesync_events_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
