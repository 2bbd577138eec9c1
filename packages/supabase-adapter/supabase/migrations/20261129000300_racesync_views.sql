-- Storage schema, part 3 of 4: views for the team's dashboard and for operations.
--
-- All views are security_invoker: a reader sees through them only what the tables' grants and
-- row-level-security policies let that reader see (see grant_dashboard_read in part 4). Unlike the
-- storage functions, views use the database clock (now()) for "last 24 hours" and "upcoming".

-- Sync health per job over the last 24 hours (jobs with a state but no run in 24 h show 0 runs).
create or replace view racesync.sync_health_24h with (security_invoker = true) as
with recent as (
  select * from racesync.sync_log l where l.started_at >= now() - interval '24 hours'
),
jobs as (
  select job from racesync.job_states
  union
  select job from recent
)
select
  j.job,
  count(r.id) as runs,
  count(r.id) filter (where r.status = 'ok') as ok,
  count(r.id) filter (where r.status = 'partial') as partial,
  count(r.id) filter (where r.status = 'failed') as failed,
  count(r.id) filter (where r.status = 'skipped') as skipped,
  round(100.0 * count(r.id) filter (where r.status = 'ok')
        / nullif(count(r.id) filter (where r.status <> 'skipped'), 0), 1) as success_pct,
  coalesce(sum(r.api_calls), 0) as api_calls,
  coalesce(sum(r.records), 0) as records,
  coalesce(sum(r.changes), 0) as changes,
  round(avg(extract(epoch from (r.finished_at - r.started_at)) * 1000)) as avg_duration_ms,
  max(r.started_at) as last_run_at,
  (array_agg(r.status order by r.started_at desc, r.id desc) filter (where r.id is not null))[1] as last_status,
  max(r.finished_at) filter (where r.status = 'ok') as last_ok_at,
  (array_agg(r.error_kind order by r.started_at desc, r.id desc)
     filter (where r.status in ('failed', 'partial')))[1] as last_error_kind,
  (array_agg(r.message order by r.started_at desc, r.id desc)
     filter (where r.status in ('failed', 'partial')))[1] as last_error_message,
  s.next_due_at,
  s.last_success_at
from jobs j
left join recent r on r.job = j.job
left join racesync.job_states s on s.job = j.job
group by j.job, s.next_due_at, s.last_success_at;

comment on view racesync.sync_health_24h is 'Sync health per job over the last 24 hours.';

-- Upstream API calls per job per hour, from the sync log (each run records its API calls).
create or replace view racesync.api_calls_hourly with (security_invoker = true) as
select
  l.job,
  date_trunc('hour', l.started_at, 'UTC') as hour,
  count(*) as runs,
  coalesce(sum(l.api_calls), 0) as api_calls,
  count(*) filter (where l.status = 'failed') as failed_runs,
  count(*) filter (where l.error_kind = 'rate_limited') as rate_limited_runs
from racesync.sync_log l
group by l.job, date_trunc('hour', l.started_at, 'UTC');

comment on view racesync.api_calls_hourly is 'Upstream API calls per job per hour (UTC), from the sync log.';

-- Rate-limit usage per bucket per hour, from the shared rate-limit store: tokens granted, takes
-- refused (callers had to wait), and the share of the bucket's hourly budget used.
create or replace view racesync.rate_limit_usage_hourly with (security_invoker = true) as
select
  u.key,
  case when position(':' in u.key) > 0 then split_part(u.key, ':', 1) end as namespace,
  substr(u.key, position(':' in u.key) + 1) as bucket,
  u.hour,
  u.granted,
  u.denied,
  u.capacity,
  u.interval_ms,
  floor(u.capacity * 3600000 / nullif(u.interval_ms, 0)) as budget_per_hour,
  round((100.0 * u.granted / nullif(floor(u.capacity * 3600000 / nullif(u.interval_ms, 0)), 0))::numeric, 1)
    as used_pct
from racesync.rate_limit_usage u;

comment on view racesync.rate_limit_usage_hourly is
  'Tokens granted and refused per rate-limit bucket per hour (UTC, callers'' clock), with the share of the hourly budget used.';

-- Rider changes of the last 30 days, newest first per rider (recency = 1 is the latest change).
create or replace view racesync.latest_rider_changes with (security_invoker = true) as
select
  h.at,
  h.rider_id,
  r.name,
  h.changed_fields,
  h.changed_fields = array['*'] as first_sight,
  row_number() over (partition by h.rider_id order by h.at desc, h.id desc) as recency,
  r.category,
  r.rating,
  t.source as team_source,
  h.snapshot
from racesync.rider_history h
left join racesync.riders r on r.rider_id = h.rider_id
left join racesync.team_members t on t.rider_id = h.rider_id
where h.at >= now() - interval '30 days';

comment on view racesync.latest_rider_changes is 'Rider changes of the last 30 days; recency = 1 is each rider''s latest.';

-- Upcoming races with at least one team rider signed up (withdrawn riders excluded).
create or replace view racesync.team_signups_upcoming with (security_invoker = true) as
select
  e.event_id,
  e.starts_at,
  e.title,
  e.type,
  e.sub_type,
  e.route_id,
  e.distance_meters,
  e.laps,
  e.categories,
  e.signup_counts,
  count(s.rider_id) as team_signups,
  jsonb_agg(jsonb_build_object('riderId', s.rider_id, 'name', r.name, 'pen', s.pen,
                               'rating', r.rating, 'signedUpAt', s.first_seen_at)
            order by s.pen, r.name, s.rider_id) as riders
from racesync.events e
join racesync.signups s on s.event_id = e.event_id and s.withdrawn_at is null
left join racesync.riders r on r.rider_id = s.rider_id
where e.removed_at is null and e.starts_at >= now()
group by e.event_id;

comment on view racesync.team_signups_upcoming is 'Upcoming races with the team riders signed up for each.';

insert into racesync.schema_migrations (name) values ('20261129000300_racesync_views')
on conflict (name) do nothing;
