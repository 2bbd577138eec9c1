-- Storage schema, part 2 of 4: the functions the storage calls.
--
-- Every storage call is ONE call of one of these functions: one round trip, one transaction per
-- batch. Each takes a single unnamed jsonb argument (the request body, when called through
-- Supabase's REST API: `supabase.schema('racesync').rpc('write_riders', { writes })`) and returns
-- jsonb. They run as the caller (SECURITY INVOKER) with a pinned, empty search_path; every name is
-- schema-qualified. Times travel as epoch milliseconds and are stored as timestamptz, exactly.
-- Batch functions plan without nested loops: the planner cannot know a jsonb array's length and
-- would otherwise join large batches quadratically; hash joins keep every batch linear.
-- All time logic uses the caller's clock (`at`, `now` arguments), never the database's.

-- ---------------------------------------------------------------------------------------------
-- team
-- ---------------------------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------------------------
-- riders
-- ---------------------------------------------------------------------------------------------

-- {riderIds?} -> RiderRecord[] sorted by riderId.
create or replace function racesync.get_riders(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'riderId', r.rider_id,
           'name', r.name,
           'country', r.country,
           'gender', r.gender,
           'category', r.category,
           'weight', r.weight,
           'height', r.height,
           'ftp', r.ftp,
           'rating', r.rating,
           'ratingMax30', r.rating_max30,
           'ratingMax90', r.rating_max90,
           'finishes', r.finishes,
           'wins', r.wins,
           'podiums', r.podiums,
           'dnfs', r.dnfs,
           'clubId', r.club_id,
           'data', r.data,
           'hash', r.hash,
           'fetchedAt', (extract(epoch from r.fetched_at) * 1000)::float8,
           'changedAt', (extract(epoch from r.changed_at) * 1000)::float8) order by r.rider_id), '[]'::jsonb)
  from racesync.riders r
  where jsonb_typeof($1->'riderIds') is distinct from 'array'
     or r.rider_id = any (array(select (x)::bigint from jsonb_array_elements_text($1->'riderIds') as x))
$fn$;

-- {writes: [{rider, history|null, expectedHash|null}]} -> {applied, touched, conflicts}.
-- Compare-and-set per rider against the stored hash; the rider and its history row are written in
-- this one transaction. Rows are locked in rider-id order, so concurrent batches serialise per
-- rider without deadlocking. A rider listed twice is processed in list order (in rounds).
create or replace function racesync.write_riders(jsonb) returns jsonb
language plpgsql set search_path = '' set enable_nestloop = off as $fn$
declare
  p alias for $1;
  v_bad bigint;
  v_rounds integer;
  v_round integer;
  v_new bigint[];
  v_out jsonb := '[]'::jsonb;
  v_part jsonb;
begin
  if jsonb_typeof(p->'writes') is distinct from 'array' then
    raise exception using errcode = '22023', message = 'write_riders: writes must be an array';
  end if;
  select a.ord - 1 into v_bad
  from jsonb_array_elements(p->'writes') with ordinality as a(e, ord)
  where jsonb_typeof(a.e->'rider'->'riderId') is distinct from 'number'
     or coalesce(a.e->'rider'->>'hash', '') = ''
     or jsonb_typeof(a.e->'rider'->'fetchedAt') is distinct from 'number'
     or jsonb_typeof(a.e->'rider'->'changedAt') is distinct from 'number'
     or (jsonb_typeof(a.e->'history') = 'object'
         and ((a.e->'history'->>'riderId') is distinct from (a.e->'rider'->>'riderId')
              or jsonb_typeof(a.e->'history'->'at') is distinct from 'number'
              or coalesce(a.e->'history'->>'hash', '') = ''))
  order by a.ord
  limit 1;
  if found then
    raise exception using errcode = '22023',
      message = format('write_riders: writes[%s] is invalid (riderId, hash, fetchedAt, changedAt and a matching history are required); nothing of the batch was written', v_bad);
  end if;

  select coalesce(max(s.rn), 0) into v_rounds
  from (select row_number() over (partition by a.e->'rider'->>'riderId') as rn
        from jsonb_array_elements(p->'writes') as a(e)) s;

  for v_round in 1 .. v_rounds loop
    -- 1. First sight: insert riders not stored yet, with their history rows.
    with w as (
      select s.* from (
        select a.ord, a.e->'rider' as r, a.e->'history' as h,
               (a.e->'rider'->>'riderId')::bigint as rider_id, a.e->>'expectedHash' as expected_hash,
               row_number() over (partition by (a.e->'rider'->>'riderId')::bigint order by a.ord) as rn
        from jsonb_array_elements(p->'writes') with ordinality as a(e, ord)) s
      where s.rn = v_round and jsonb_typeof(s.h) = 'object' and s.expected_hash is null
    ),
    ins as (
      insert into racesync.riders (rider_id, name, country, gender, category, weight, height, ftp, rating,
        rating_max30, rating_max90, finishes, wins, podiums, dnfs, club_id, data, hash, fetched_at, changed_at)
      select w.rider_id, w.r->>'name', w.r->>'country', w.r->>'gender', w.r->>'category',
        (w.r->>'weight')::float8, (w.r->>'height')::float8, (w.r->>'ftp')::float8, (w.r->>'rating')::float8,
        (w.r->>'ratingMax30')::float8, (w.r->>'ratingMax90')::float8,
        (w.r->>'finishes')::integer, (w.r->>'wins')::integer, (w.r->>'podiums')::integer, (w.r->>'dnfs')::integer,
        (w.r->>'clubId')::bigint, coalesce(w.r->'data', '{}'::jsonb), w.r->>'hash',
        to_timestamp((w.r->>'fetchedAt')::float8 / 1000), to_timestamp((w.r->>'changedAt')::float8 / 1000)
      from w order by w.rider_id
      on conflict (rider_id) do nothing
      returning rider_id
    ),
    hist as (
      insert into racesync.rider_history (rider_id, at, changed_fields, snapshot, hash)
      select w.rider_id, to_timestamp((w.h->>'at')::float8 / 1000),
        array(select jsonb_array_elements_text(coalesce(w.h->'changedFields', '[]'::jsonb))),
        coalesce(w.h->'snapshot', '{}'::jsonb), w.h->>'hash'
      from w join ins on ins.rider_id = w.rider_id
      on conflict (rider_id, hash, at) do nothing
    )
    select coalesce(array_agg(ins.rider_id), '{}'),
           coalesce(jsonb_agg(jsonb_build_object('o', w.ord, 'id', w.rider_id, 'k', 'a')), '[]'::jsonb)
    into v_new, v_part
    from ins join w on w.rider_id = ins.rider_id;
    v_out := v_out || v_part;

    -- 2. Lock the stored riders of this round, in id order.
    perform 1 from racesync.riders x
    where x.rider_id = any (array(
      select (a.e->'rider'->>'riderId')::bigint
      from (select e, row_number() over (partition by (e->'rider'->>'riderId')::bigint order by ord) as rn
            from jsonb_array_elements(p->'writes') with ordinality as b(e, ord)) a
      where a.rn = v_round))
      and not (x.rider_id = any (v_new))
    order by x.rider_id
    for update;

    -- 3. Classify against the (now locked) stored hash and write.
    with w as (
      select s.* from (
        select a.ord, a.e->'rider' as r, a.e->'history' as h,
               (a.e->'rider'->>'riderId')::bigint as rider_id, a.e->>'expectedHash' as expected_hash,
               row_number() over (partition by (a.e->'rider'->>'riderId')::bigint order by a.ord) as rn
        from jsonb_array_elements(p->'writes') with ordinality as a(e, ord)) s
      where s.rn = v_round and not (s.rider_id = any (v_new))
    ),
    cls as (
      select w.*, case
          when jsonb_typeof(w.h) = 'object' and x.hash is not distinct from w.expected_hash then 'a'
          when x.hash is not null and x.hash = w.r->>'hash' then 't'
          else 'c' end as k
      from w left join racesync.riders x on x.rider_id = w.rider_id
    ),
    upd as (
      update racesync.riders x set
        name = c.r->>'name', country = c.r->>'country', gender = c.r->>'gender', category = c.r->>'category',
        weight = (c.r->>'weight')::float8, height = (c.r->>'height')::float8, ftp = (c.r->>'ftp')::float8,
        rating = (c.r->>'rating')::float8, rating_max30 = (c.r->>'ratingMax30')::float8,
        rating_max90 = (c.r->>'ratingMax90')::float8, finishes = (c.r->>'finishes')::integer,
        wins = (c.r->>'wins')::integer, podiums = (c.r->>'podiums')::integer, dnfs = (c.r->>'dnfs')::integer,
        club_id = (c.r->>'clubId')::bigint, data = coalesce(c.r->'data', '{}'::jsonb), hash = c.r->>'hash',
        fetched_at = to_timestamp((c.r->>'fetchedAt')::float8 / 1000),
        changed_at = to_timestamp((c.r->>'changedAt')::float8 / 1000)
      from cls c
      where c.k = 'a' and x.rider_id = c.rider_id
      returning x.rider_id
    ),
    tch as (
      update racesync.riders x
      set fetched_at = greatest(x.fetched_at, to_timestamp((c.r->>'fetchedAt')::float8 / 1000))
      from cls c
      where c.k = 't' and x.rider_id = c.rider_id
        and x.fetched_at < to_timestamp((c.r->>'fetchedAt')::float8 / 1000)
    ),
    hist as (
      insert into racesync.rider_history (rider_id, at, changed_fields, snapshot, hash)
      select c.rider_id, to_timestamp((c.h->>'at')::float8 / 1000),
        array(select jsonb_array_elements_text(coalesce(c.h->'changedFields', '[]'::jsonb))),
        coalesce(c.h->'snapshot', '{}'::jsonb), c.h->>'hash'
      from cls c join upd on upd.rider_id = c.rider_id
      on conflict (rider_id, hash, at) do nothing
    )
    select coalesce(jsonb_agg(jsonb_build_object('o', c.ord, 'id', c.rider_id, 'k', c.k)), '[]'::jsonb)
    into v_part
    from cls c;
    v_out := v_out || v_part;
  end loop;

  return jsonb_build_object(
    'applied', coalesce((select jsonb_agg(e->'id' order by (e->>'o')::bigint) from jsonb_array_elements(v_out) e
                         where e->>'k' = 'a'), '[]'::jsonb),
    'touched', coalesce((select jsonb_agg(e->'id' order by (e->>'o')::bigint) from jsonb_array_elements(v_out) e
                         where e->>'k' = 't'), '[]'::jsonb),
    'conflicts', coalesce((select jsonb_agg(e->'id' order by (e->>'o')::bigint) from jsonb_array_elements(v_out) e
                           where e->>'k' = 'c'), '[]'::jsonb));
end
$fn$;

-- {riderIds?, since?} -> RiderHistoryRow[], oldest first.
create or replace function racesync.list_rider_history(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'riderId', h.rider_id,
           'at', (extract(epoch from h.at) * 1000)::float8,
           'changedFields', to_jsonb(h.changed_fields),
           'snapshot', h.snapshot,
           'hash', h.hash) order by h.at, h.rider_id, h.id), '[]'::jsonb)
  from racesync.rider_history h
  where (jsonb_typeof($1->'riderIds') is distinct from 'array'
         or h.rider_id = any (array(select (x)::bigint from jsonb_array_elements_text($1->'riderIds') as x)))
    and (jsonb_typeof($1->'since') is distinct from 'number'
         or h.at >= to_timestamp(($1->>'since')::float8 / 1000))
$fn$;

-- ---------------------------------------------------------------------------------------------
-- events
-- ---------------------------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------------------------
-- signups
-- ---------------------------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------------------------
-- results
-- ---------------------------------------------------------------------------------------------

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

-- ---------------------------------------------------------------------------------------------
-- sync state and log
-- ---------------------------------------------------------------------------------------------

-- {} -> JobState[] by job.
create or replace function racesync.get_job_states(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'job', s.job,
           'nextDueAt', (extract(epoch from s.next_due_at) * 1000)::float8,
           'lastRunAt', (extract(epoch from s.last_run_at) * 1000)::float8,
           'lastSuccessAt', (extract(epoch from s.last_success_at) * 1000)::float8,
           'cursor', s.cursor) order by s.job), '[]'::jsonb)
  from racesync.job_states s
$fn$;

-- {state: JobState, fence?: {name, token}} -> null. With a fence, the write applies only while
-- `token` is the latest token issued for that lease; otherwise SQLSTATE RSL01 (lease lost). The
-- lease row is share-locked, so no new token can be issued before this write commits.
create or replace function racesync.put_job_state(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
declare
  p alias for $1;
  v_state jsonb := p->'state';
  v_fence jsonb := p->'fence';
  v_token bigint;
begin
  if coalesce(v_state->>'job', '') = '' then
    raise exception using errcode = '22023', message = 'put_job_state: state.job is required';
  end if;
  if jsonb_typeof(v_fence) = 'object' then
    select l.token into v_token from racesync.leases l where l.name = v_fence->>'name' for share;
    if coalesce(v_token, 0) is distinct from (v_fence->>'token')::bigint then
      raise exception using errcode = 'RSL01',
        message = format('lease "%s" (token %s) is no longer held; write refused', v_fence->>'name', v_fence->>'token'),
        detail = jsonb_build_object('name', v_fence->>'name', 'token', (v_fence->>'token')::bigint,
                                    'currentToken', coalesce(v_token, 0))::text;
    end if;
  end if;
  insert into racesync.job_states as s (job, next_due_at, last_run_at, last_success_at, cursor)
  values (v_state->>'job', to_timestamp((v_state->>'nextDueAt')::float8 / 1000),
          to_timestamp((v_state->>'lastRunAt')::float8 / 1000),
          to_timestamp((v_state->>'lastSuccessAt')::float8 / 1000),
          case when jsonb_typeof(v_state->'cursor') = 'null' then null else v_state->'cursor' end)
  on conflict (job) do update set
    next_due_at = excluded.next_due_at, last_run_at = excluded.last_run_at,
    last_success_at = excluded.last_success_at, cursor = excluded.cursor;
  return null;
end
$fn$;

-- {entries: SyncLogEntry[]} -> null.
create or replace function racesync.append_sync_log(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
begin
  insert into racesync.sync_log (run_id, job, started_at, finished_at, status, api_calls, records, changes,
    error_kind, message)
  select a.e->>'runId', a.e->>'job', to_timestamp((a.e->>'startedAt')::float8 / 1000),
    to_timestamp((a.e->>'finishedAt')::float8 / 1000), a.e->>'status', (a.e->>'apiCalls')::integer,
    (a.e->>'records')::integer, (a.e->>'changes')::integer, a.e->>'errorKind', a.e->>'message'
  from jsonb_array_elements(coalesce($1->'entries', '[]'::jsonb)) with ordinality as a(e, ord)
  order by a.ord;
  return null;
end
$fn$;

-- {job?, since?, limit?} -> SyncLogEntry[], newest first.
create or replace function racesync.list_sync_log(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select coalesce(jsonb_agg(jsonb_build_object(
           'runId', l.run_id,
           'job', l.job,
           'startedAt', (extract(epoch from l.started_at) * 1000)::float8,
           'finishedAt', (extract(epoch from l.finished_at) * 1000)::float8,
           'status', l.status,
           'apiCalls', l.api_calls,
           'records', l.records,
           'changes', l.changes,
           'errorKind', l.error_kind,
           'message', l.message) order by l.started_at desc, l.finished_at desc, l.id), '[]'::jsonb)
  from (
    select * from racesync.sync_log s
    where ($1->>'job' is null or s.job = $1->>'job')
      and (jsonb_typeof($1->'since') is distinct from 'number'
           or s.started_at >= to_timestamp(($1->>'since')::float8 / 1000))
    order by s.started_at desc, s.finished_at desc, s.id
    limit (case when jsonb_typeof($1->'limit') = 'number' then ($1->>'limit')::bigint end)
  ) l
$fn$;

-- ---------------------------------------------------------------------------------------------
-- leases (fencing tokens)
-- ---------------------------------------------------------------------------------------------

-- {name, holder, ttlMs, now} -> Lease | null. Takes the lease unless another holder's lease is
-- unexpired; every take issues a new, higher token.
create or replace function racesync.lease_acquire(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
declare
  p alias for $1;
  v_name text := p->>'name';
  v_holder text := p->>'holder';
  v_now timestamptz := to_timestamp((p->>'now')::float8 / 1000);
  v_expires timestamptz := to_timestamp(((p->>'now')::float8 + (p->>'ttlMs')::float8) / 1000);
  v_lease racesync.leases;
begin
  if coalesce(v_name, '') = '' or v_holder is null or v_expires is null then
    raise exception using errcode = '22023', message = 'lease_acquire: name, holder, ttlMs and now are required';
  end if;
  insert into racesync.leases (name) values (v_name) on conflict (name) do nothing;
  select * into v_lease from racesync.leases l where l.name = v_name for update;
  if v_lease.holder is not null and v_lease.expires_at > v_now and v_lease.holder <> v_holder then
    return null;
  end if;
  update racesync.leases l set holder = v_holder, token = l.token + 1, expires_at = v_expires
  where l.name = v_name
  returning l.* into v_lease;
  return jsonb_build_object('name', v_lease.name, 'holder', v_lease.holder, 'token', v_lease.token,
                            'expiresAt', (extract(epoch from v_lease.expires_at) * 1000)::float8);
end
$fn$;

-- {lease, ttlMs, now} -> Lease | null: extends a lease still held (same holder and token, unexpired).
create or replace function racesync.lease_renew(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
declare
  p alias for $1;
  v_now timestamptz := to_timestamp((p->>'now')::float8 / 1000);
  v_lease racesync.leases;
begin
  update racesync.leases l
  set expires_at = to_timestamp(((p->>'now')::float8 + (p->>'ttlMs')::float8) / 1000)
  where l.name = p->'lease'->>'name' and l.token = (p->'lease'->>'token')::bigint
    and l.holder = p->'lease'->>'holder' and l.expires_at > v_now
  returning l.* into v_lease;
  if not found then
    return null;
  end if;
  return jsonb_build_object('name', v_lease.name, 'holder', v_lease.holder, 'token', v_lease.token,
                            'expiresAt', (extract(epoch from v_lease.expires_at) * 1000)::float8);
end
$fn$;

-- {lease} -> null: gives a lease up early (no-op when it was lost). The token counter is kept.
create or replace function racesync.lease_release(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
begin
  update racesync.leases l set holder = null, expires_at = null
  where l.name = $1->'lease'->>'name' and l.token = ($1->'lease'->>'token')::bigint;
  return null;
end
$fn$;

-- ---------------------------------------------------------------------------------------------
-- shared rate limits (sliding windows)
-- ---------------------------------------------------------------------------------------------

-- {key, capacity, intervalMs, now} -> {granted, waitMs}. Atomic under the bucket's row lock, so N
-- processes sharing one key share one budget. A grant is recorded at max(now, newest grant), so
-- callers whose requests reach the database slightly out of clock order never overfill a window.
create or replace function racesync.rate_limit_take(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
declare
  p alias for $1;
  v_key text := p->>'key';
  v_cap float8 := (p->>'capacity')::float8;
  v_int float8 := (p->>'intervalMs')::float8;
  v_now float8 := (p->>'now')::float8;
  v_bucket racesync.rate_limit_buckets;
  v_eff float8;
  v_live float8[];
  v_n integer;
  v_at float8;
  v_granted boolean;
begin
  if coalesce(v_key, '') = '' or v_cap is null or v_int is null or v_now is null then
    raise exception using errcode = '22023', message = 'rate_limit_take: key, capacity, intervalMs and now are required';
  end if;
  insert into racesync.rate_limit_buckets (key, capacity, interval_ms) values (v_key, v_cap, v_int)
  on conflict (key) do nothing;
  select * into v_bucket from racesync.rate_limit_buckets b where b.key = v_key for update;

  v_eff := greatest(v_now, coalesce(v_bucket.grants[cardinality(v_bucket.grants)], v_now));
  v_live := array(select g from unnest(v_bucket.grants) as g where g > v_eff - v_int order by g);
  v_n := cardinality(v_live);
  if v_n > v_cap then -- the spec shrank: only the newest `capacity` grants count
    v_live := v_live[v_n - floor(v_cap)::integer + 1 : v_n];
    v_n := cardinality(v_live);
  end if;
  v_at := greatest(v_now, coalesce((extract(epoch from v_bucket.blocked_until) * 1000)::float8, v_now));
  if v_n >= v_cap then
    v_at := greatest(v_at, v_live[1] + v_int);
  end if;
  v_granted := v_at <= v_now;
  if v_granted then
    v_live := v_live || v_eff;
  end if;
  update racesync.rate_limit_buckets b set grants = v_live, capacity = v_cap, interval_ms = v_int
  where b.key = v_key;
  insert into racesync.rate_limit_usage as u (key, hour, granted, denied, capacity, interval_ms)
  values (v_key, date_trunc('hour', to_timestamp(v_now / 1000), 'UTC'),
          case when v_granted then 1 else 0 end, case when v_granted then 0 else 1 end, v_cap, v_int)
  on conflict (key, hour) do update set granted = u.granted + excluded.granted, denied = u.denied + excluded.denied,
    capacity = excluded.capacity, interval_ms = excluded.interval_ms;
  return jsonb_build_object('granted', v_granted,
                            'waitMs', case when v_granted then 0 else greatest(1, ceil(v_at - v_now)) end);
end
$fn$;

-- {key, until, capacity, intervalMs} -> null: blocks the bucket until `until` (never shortens a block).
create or replace function racesync.rate_limit_block(jsonb) returns jsonb
language plpgsql set search_path = '' as $fn$
declare
  p alias for $1;
begin
  if coalesce(p->>'key', '') = '' or jsonb_typeof(p->'until') is distinct from 'number' then
    raise exception using errcode = '22023', message = 'rate_limit_block: key and until are required';
  end if;
  insert into racesync.rate_limit_buckets as b (key, capacity, interval_ms, blocked_until)
  values (p->>'key', coalesce((p->>'capacity')::float8, 1), coalesce((p->>'intervalMs')::float8, 1),
          to_timestamp((p->>'until')::float8 / 1000))
  on conflict (key) do update set blocked_until = greatest(b.blocked_until, excluded.blocked_until);
  return null;
end
$fn$;

-- {key, capacity, intervalMs, now} -> BucketState, without taking.
create or replace function racesync.rate_limit_peek(jsonb) returns jsonb
language plpgsql stable set search_path = '' as $fn$
declare
  p alias for $1;
  v_cap float8 := (p->>'capacity')::float8;
  v_int float8 := (p->>'intervalMs')::float8;
  v_now float8 := (p->>'now')::float8;
  v_bucket racesync.rate_limit_buckets;
  v_eff float8;
  v_live float8[];
  v_n integer;
  v_blocked float8;
  v_at float8;
begin
  select * into v_bucket from racesync.rate_limit_buckets b where b.key = p->>'key';
  v_eff := greatest(v_now, coalesce(v_bucket.grants[cardinality(v_bucket.grants)], v_now));
  v_live := array(select g from unnest(coalesce(v_bucket.grants, '{}')) as g where g > v_eff - v_int order by g);
  v_n := cardinality(v_live);
  if v_n > v_cap then
    v_live := v_live[v_n - floor(v_cap)::integer + 1 : v_n];
    v_n := cardinality(v_live);
  end if;
  v_blocked := (extract(epoch from v_bucket.blocked_until) * 1000)::float8;
  if v_blocked is not null and v_blocked <= v_now then
    v_blocked := null;
  end if;
  v_at := greatest(v_now, coalesce(v_blocked, v_now));
  if v_n >= v_cap then
    v_at := greatest(v_at, v_live[1] + v_int);
  end if;
  return jsonb_build_object(
    'capacity', v_cap,
    'intervalMs', v_int,
    'available', case when v_blocked is not null then 0 else greatest(0, floor(v_cap) - v_n) end,
    'nextAvailableAt', v_at,
    'blockedUntil', v_blocked);
end
$fn$;

-- ---------------------------------------------------------------------------------------------
-- housekeeping
-- ---------------------------------------------------------------------------------------------

-- {} -> {migrations: [names]}: lets the storage verify that every migration is applied.
create or replace function racesync.schema_status(jsonb) returns jsonb
language sql stable set search_path = '' as $fn$
  select jsonb_build_object('schema', 'racesync',
           'migrations', coalesce(jsonb_agg(m.name order by m.name), '[]'::jsonb))
  from racesync.schema_migrations m
$fn$;

insert into racesync.schema_migrations (name) values ('20261129000200_racesync_functions')
on conflict (name) do nothing;
