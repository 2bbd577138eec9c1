-- Storage functions, riders and their history: get_riders, write_riders, list_rider_history.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

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

insert into racesync.schema_migrations (name) values ('20261206000200_racesync_riders_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
