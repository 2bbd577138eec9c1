-- Storage functions, signups and signup checks: apply_signups, list_signups, get_signup_checks,
-- put_signup_checks.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

-- {eventId, present: [{riderId, pen}], at} -> {added, withdrawn, penChanged, unchanged}.
-- Applies a COMPLETE list atomically, under the event's row lock in signup_lists; a list older than
-- the last one applied to the event is ignored; replaying a list is a no-op.
-- An active signup was in the event's latest list by definition, so its lastSeenAt is that list's
-- time (signup_lists.applied_at): an unchanged list rewrites one row, not one per rider.
-- signups.last_seen_at is exact for withdrawn rows; list_signups derives it for active ones.
create or replace function racesync.apply_signups(jsonb) returns jsonb
language plpgsql set search_path = '' set enable_nestloop = off as $fn$
declare
  p alias for $1;
  v_event text := p->>'eventId';
  v_at timestamptz := to_timestamp((p->>'at')::float8 / 1000);
  v_at_ms float8 := (p->>'at')::float8;
  v_prev timestamptz;
  v_bad bigint;
  v_result jsonb;
begin
  if coalesce(v_event, '') = '' or v_at is null or jsonb_typeof(p->'present') is distinct from 'array' then
    raise exception using errcode = '22023', message = 'apply_signups: eventId, present (array) and at are required';
  end if;
  select a.ord - 1 into v_bad
  from jsonb_array_elements(p->'present') with ordinality as a(e, ord)
  where jsonb_typeof(a.e->'riderId') is distinct from 'number'
  order by a.ord limit 1;
  if found then
    raise exception using errcode = '22023',
      message = format('apply_signups: present[%s].riderId must be a number; nothing was written', v_bad);
  end if;

  -- The event's lock and stale-list guard.
  select l.applied_at into v_prev from racesync.signup_lists l where l.event_id = v_event for update;
  if not found then
    insert into racesync.signup_lists (event_id, applied_at) values (v_event, v_at)
    on conflict (event_id) do nothing;
    if not found then -- another writer created it first: wait for it, then read its time
      select l.applied_at into v_prev from racesync.signup_lists l where l.event_id = v_event for update;
    end if;
  end if;
  if v_prev > v_at then
    return '{"added": [], "withdrawn": [], "penChanged": [], "unchanged": 0}'::jsonb; -- stale list
  end if;
  if v_prev < v_at then
    update racesync.signup_lists l set applied_at = v_at where l.event_id = v_event;
  end if;

  with listed as (
    select distinct on (s.rider_id) s.rider_id, s.pen, s.first_ord
    from (select (a.e->>'riderId')::bigint as rider_id, a.e->>'pen' as pen, a.ord,
                 min(a.ord) over (partition by (a.e->>'riderId')::bigint) as first_ord
          from jsonb_array_elements(p->'present') with ordinality as a(e, ord)) s
    order by s.rider_id, s.ord desc
  ),
  cls as (
    select l.rider_id, l.pen, l.first_ord, x.first_seen_at as old_first,
      case when x.rider_id is null or x.withdrawn_at is not null then 'added'
           when x.pen is distinct from l.pen then 'pen'
           else 'same' end as k
    from listed l
    left join racesync.signups x on x.event_id = v_event and x.rider_id = l.rider_id
  ),
  ups as (
    insert into racesync.signups as s (event_id, rider_id, pen, first_seen_at, last_seen_at, withdrawn_at)
    select v_event, c.rider_id, c.pen, v_at, v_at, null from cls c where c.k <> 'same' order by c.rider_id
    on conflict (event_id, rider_id) do update
      set pen = excluded.pen, last_seen_at = excluded.last_seen_at, withdrawn_at = null
  ),
  wd as (
    update racesync.signups s set withdrawn_at = v_at, last_seen_at = coalesce(v_prev, s.last_seen_at)
    where s.event_id = v_event and s.withdrawn_at is null
      and not exists (select 1 from listed l where l.rider_id = s.rider_id)
    returning s.rider_id, s.pen, s.first_seen_at, s.last_seen_at
  )
  select jsonb_build_object(
    'added', coalesce((select jsonb_agg(jsonb_build_object(
        'eventId', v_event, 'riderId', c.rider_id, 'pen', c.pen,
        'firstSeenAt', coalesce((extract(epoch from c.old_first) * 1000)::float8, v_at_ms),
        'lastSeenAt', v_at_ms, 'withdrawnAt', null) order by c.first_ord)
      from cls c where c.k = 'added'), '[]'::jsonb),
    'withdrawn', coalesce((select jsonb_agg(jsonb_build_object(
        'eventId', v_event, 'riderId', d.rider_id, 'pen', d.pen,
        'firstSeenAt', (extract(epoch from d.first_seen_at) * 1000)::float8,
        'lastSeenAt', (extract(epoch from d.last_seen_at) * 1000)::float8,
        'withdrawnAt', v_at_ms) order by d.first_seen_at, d.rider_id)
      from wd d), '[]'::jsonb),
    'penChanged', coalesce((select jsonb_agg(jsonb_build_object(
        'eventId', v_event, 'riderId', c.rider_id, 'pen', c.pen,
        'firstSeenAt', (extract(epoch from c.old_first) * 1000)::float8,
        'lastSeenAt', v_at_ms, 'withdrawnAt', null) order by c.first_ord)
      from cls c where c.k = 'pen'), '[]'::jsonb),
    'unchanged', (select count(*) from cls c where c.k = 'same'))
  into v_result;
  return v_result;
end
$fn$;

-- {eventIds?, riderIds?, activeOnly?} -> SignupRecord[] by (eventId, riderId).
create or replace function racesync.list_signups(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'eventId', s.event_id,
           'riderId', s.rider_id,
           'pen', s.pen,
           'firstSeenAt', (extract(epoch from s.first_seen_at) * 1000)::float8,
           'lastSeenAt', (extract(epoch from case when s.withdrawn_at is null
                                                  then coalesce(l.applied_at, s.last_seen_at)
                                                  else s.last_seen_at end) * 1000)::float8,
           'withdrawnAt', (extract(epoch from s.withdrawn_at) * 1000)::float8) order by s.event_id, s.rider_id), '[]'::jsonb)
  from racesync.signups s
  left join racesync.signup_lists l on l.event_id = s.event_id
  where (jsonb_typeof($1->'eventIds') is distinct from 'array'
         or s.event_id = any (array(select jsonb_array_elements_text($1->'eventIds'))))
    and (jsonb_typeof($1->'riderIds') is distinct from 'array'
         or s.rider_id = any (array(select (x)::bigint from jsonb_array_elements_text($1->'riderIds') as x)))
    and (s.withdrawn_at is null or not coalesce(($1->>'activeOnly')::boolean, false))
$fn$;

-- {eventIds?} -> SignupCheck[] by eventId.
create or replace function racesync.get_signup_checks(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'eventId', c.event_id,
           'fetchedAt', (extract(epoch from c.fetched_at) * 1000)::float8,
           'countsAtFetch', c.counts_at_fetch,
           'teamSignups', c.team_signups) order by c.event_id), '[]'::jsonb)
  from racesync.signup_checks c
  where jsonb_typeof($1->'eventIds') is distinct from 'array'
     or c.event_id = any (array(select jsonb_array_elements_text($1->'eventIds')))
$fn$;

-- {checks: SignupCheck[]} -> null. Insert or replace by eventId (the last of duplicates wins).
create or replace function racesync.put_signup_checks(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
begin
  insert into racesync.signup_checks as c (event_id, fetched_at, counts_at_fetch, team_signups)
  select distinct on (a.e->>'eventId') a.e->>'eventId', to_timestamp((a.e->>'fetchedAt')::float8 / 1000),
    coalesce(a.e->'countsAtFetch', '{}'::jsonb), coalesce((a.e->>'teamSignups')::integer, 0)
  from jsonb_array_elements(coalesce($1->'checks', '[]'::jsonb)) with ordinality as a(e, ord)
  order by a.e->>'eventId', a.ord desc
  on conflict (event_id) do update set
    fetched_at = excluded.fetched_at, counts_at_fetch = excluded.counts_at_fetch,
    team_signups = excluded.team_signups;
  return null;
end
$fn$;

insert into racesync.schema_migrations (name) values ('20261206000400_racesync_signups_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
