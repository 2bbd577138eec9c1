import { FleetError } from './errors.js';

/** A valid, unquoted PostgreSQL identifier (schema and role names are interpolated into SQL). */
export function identifier(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new FleetError(
      'config',
      `${what} must match /^[a-z_][a-z0-9_]{0,62}$/, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/**
 * The fleet's SQL, on top of the storage schema of `@racesync/supabase-adapter` (same schema, same
 * tables and batched functions). Idempotent: safe to apply any number of times.
 *
 * - `fleet_teams`: the teams (data, not configuration). An API key is referenced by the name of the
 *   environment variable that holds it on the workers (`api_key_env`), never stored.
 * - `fleet_team_members`: the team dimension. Rows of the world (events, signup lists, results) are
 *   shared; a row is a team's when its rider is one of the team's members.
 * - `fleet_job_runs`: one row per job run (start and end by the database clock), for audits such as
 *   "no job ran twice at once".
 * - `fleet_job_pulls`: jobs brought forward (a team's riders after its results landed): due at
 *   `due_at` (the workers' clock), served by the first run of the job that starts at or after it.
 * - `fleet_grant_team_read(team_id, role)`: row-level security so a team's dashboard role reads only
 *   its team's rows (its members, their riders, history, signups and the results of races they rode)
 *   and the world's events.
 */
export function fleetSql(schemaName: string): string {
  const s = identifier(schemaName, 'schema');
  return `
create schema if not exists ${s};

create table if not exists ${s}.fleet_teams (
  team_id text primary key check (team_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  club_id bigint,
  rider_ids bigint[] not null default '{}',
  api_key_env text not null check (api_key_env ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  tier text not null default 'standard' check (tier in ('standard', 'premium')),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  check (club_id is not null or cardinality(rider_ids) > 0)
);

create table if not exists ${s}.fleet_team_members (
  team_id text not null references ${s}.fleet_teams (team_id) on delete cascade,
  rider_id bigint not null,
  added_at timestamptz not null,
  source text not null,
  primary key (team_id, rider_id)
);
create index if not exists fleet_team_members_rider_idx on ${s}.fleet_team_members (rider_id);

create table if not exists ${s}.fleet_job_runs (
  id bigint generated always as identity primary key,
  job_key text not null,
  worker text not null,
  started_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  virtual_started_at timestamptz,
  status text
);
create index if not exists fleet_job_runs_key_idx on ${s}.fleet_job_runs (job_key, started_at);

create table if not exists ${s}.fleet_job_pulls (
  job_key text primary key,
  due_at timestamptz not null
);

alter table ${s}.fleet_teams enable row level security;
alter table ${s}.fleet_team_members enable row level security;
alter table ${s}.fleet_job_runs enable row level security;
alter table ${s}.fleet_job_pulls enable row level security;

do $grants$
begin
  if exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    grant select, insert, update, delete on ${s}.fleet_teams, ${s}.fleet_team_members, ${s}.fleet_job_runs, ${s}.fleet_job_pulls to service_role;
    grant usage, select on all sequences in schema ${s} to service_role;
  end if;
end
$grants$;

-- Did a rider of the team ride the race? (security definer: a policy on results cannot read results
-- under its own policy without recursing.)
create or replace function ${s}.fleet_team_rode(p_event_id text, p_team_id text) returns boolean
language sql stable security definer set search_path = '' as $fn$
  select exists (
    select 1 from ${s}.results r join ${s}.fleet_team_members m on m.rider_id = r.rider_id
    where r.event_id = p_event_id and m.team_id = p_team_id
  )
$fn$;
revoke all on function ${s}.fleet_team_rode(text, text) from public;

create or replace function ${s}.fleet_grant_team_read(p_team_id text, p_role text) returns void
language plpgsql set search_path = '' as $fn$
declare
  v_policy text := 'fleet_team_read_' || p_role;
  v_members text := format('select m.rider_id from ${s}.fleet_team_members m where m.team_id = %L', p_team_id);
begin
  if not exists (select from pg_catalog.pg_roles where rolname = p_role) then
    raise exception using errcode = '42704', message = format('role "%s" does not exist', p_role);
  end if;
  execute format('grant usage on schema ${s} to %I', p_role);
  execute format('grant select on ${s}.fleet_team_members, ${s}.riders, ${s}.rider_history, ${s}.events, ${s}.signups, ${s}.results to %I', p_role);
  execute format('drop policy if exists %I on ${s}.fleet_team_members', v_policy);
  execute format('create policy %I on ${s}.fleet_team_members for select to %I using (team_id = %L)', v_policy, p_role, p_team_id);
  execute format('drop policy if exists %I on ${s}.events', v_policy);
  execute format('create policy %I on ${s}.events for select to %I using (true)', v_policy, p_role);
  execute format('drop policy if exists %I on ${s}.riders', v_policy);
  execute format('create policy %I on ${s}.riders for select to %I using (rider_id in (%s))', v_policy, p_role, v_members);
  execute format('drop policy if exists %I on ${s}.rider_history', v_policy);
  execute format('create policy %I on ${s}.rider_history for select to %I using (rider_id in (%s))', v_policy, p_role, v_members);
  execute format('drop policy if exists %I on ${s}.signups', v_policy);
  execute format('create policy %I on ${s}.signups for select to %I using (rider_id in (%s))', v_policy, p_role, v_members);
  execute format('drop policy if exists %I on ${s}.results', v_policy);
  execute format('grant execute on function ${s}.fleet_team_rode(text, text) to %I', p_role);
  execute format('create policy %I on ${s}.results for select to %I using (${s}.fleet_team_rode(event_id, %L))',
    v_policy, p_role, p_team_id);
end
$fn$;
revoke all on function ${s}.fleet_grant_team_read(text, text) from public;
`;
}
