-- Storage functions, job states and the sync log: get_job_states, put_job_state, append_sync_log,
-- list_sync_log.
--
-- Every domain's storage functions are defined in one 20261206..._racesync_<domain>_functions
-- file, and this is their current definition. 20261129000200_racesync_functions created them first
-- and stays as applied history, unchanged: never edit an applied migration, add a file. Conventions
-- as there: one unnamed jsonb argument and a jsonb result; SECURITY INVOKER with a pinned, empty
-- search_path and schema-qualified names; times as epoch milliseconds from the caller's clock; batch
-- functions turn nested loops off (hash joins keep large batches linear). `create or replace` keeps
-- each function's owner and grants (20261129000400_racesync_security); it cannot change an argument
-- list or return type (that takes drop, create and the grants again).

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

insert into racesync.schema_migrations (name) values ('20261206000600_racesync_sync_state_functions')
on conflict (name) do nothing;

-- Ask Supabase's PostgREST to reload its schema cache (a no-op without a listener).
notify pgrst, 'reload schema';
