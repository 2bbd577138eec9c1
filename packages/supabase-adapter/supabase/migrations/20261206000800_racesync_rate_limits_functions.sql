-- Storage functions, shared rate limits (sliding windows): rate_limit_take, rate_limit_block,
-- rate_limit_peek.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

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

insert into racesync.schema_migrations (name) values ('20261206000800_racesync_rate_limits_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
