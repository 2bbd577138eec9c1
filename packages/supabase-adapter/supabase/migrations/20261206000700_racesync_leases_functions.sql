-- Storage functions, leases (fencing tokens): lease_acquire, lease_renew, lease_release.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

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

insert into racesync.schema_migrations (name) values ('20261206000700_racesync_leases_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
