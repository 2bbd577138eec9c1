-- Storage schema, part 1 of 4: schema, tables and indexes.
--
-- Every statement is idempotent, so this file may be applied by the Supabase CLI
-- (`supabase db push`) or by `migrate()` from the package, in any order, any number of times.
-- Every name is schema-qualified; the schema name is substituted when another one is configured.
--
-- Types follow the data: rider ids bigint; event and route ids text (route ids exceed 2^31);
-- times timestamptz (millisecond exact); race times and ratings double precision; payloads jsonb.
-- Pen labels are free text: no CHECK constraint can reject a batch because of a new label.

create schema if not exists racesync;

comment on schema racesync is
  'A Zwift racing team''s riders, races, signups and results, kept fresh by the sync engine.';

-- Which migrations are applied (each migration records itself at its end).
create table if not exists racesync.schema_migrations (
  name text primary key,
  applied_at timestamptz not null default now()
);

-- Team members: from configuration (manual) or from a club's member list (club).
create table if not exists racesync.team_members (
  rider_id bigint primary key,
  added_at timestamptz not null,
  source text not null
);

-- Riders as last fetched. `data` is the normalised payload the hash was computed from.
create table if not exists racesync.riders (
  rider_id bigint primary key,
  name text,
  country text,
  gender text,
  category text,
  weight double precision,
  height double precision,
  ftp double precision,
  rating double precision,
  rating_max30 double precision,
  rating_max90 double precision,
  finishes integer,
  wins integer,
  podiums integer,
  dnfs integer,
  club_id bigint,
  data jsonb not null,
  hash text not null,
  fetched_at timestamptz not null,
  changed_at timestamptz not null
) with (fillfactor = 90);

-- One row on first sight and on every real change; (rider_id, hash, at) makes replays no-ops.
create table if not exists racesync.rider_history (
  id bigint generated always as identity primary key,
  rider_id bigint not null references racesync.riders (rider_id) on delete cascade,
  at timestamptz not null,
  changed_fields text[] not null,
  snapshot jsonb not null,
  hash text not null,
  constraint rider_history_rider_hash_at_key unique (rider_id, hash, at)
);
create index if not exists rider_history_at_idx on racesync.rider_history (at, rider_id);

-- Upcoming (and recently started) races.
create table if not exists racesync.events (
  event_id text primary key,
  starts_at timestamptz not null,
  route_id text,
  distance_meters double precision,
  laps integer,
  title text,
  type text,
  sub_type text,
  categories text[] not null default '{}',
  signup_counts jsonb not null default '{}',
  source text not null,
  hash text not null,
  fetched_at timestamptz not null,
  changed_at timestamptz not null,
  removed_at timestamptz
) with (fillfactor = 90);
create index if not exists events_starts_at_idx on racesync.events (starts_at);

-- Team riders' signups. Set semantics per event: withdrawals are recorded, never deleted.
create table if not exists racesync.signups (
  event_id text not null,
  rider_id bigint not null,
  pen text,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  withdrawn_at timestamptz,
  primary key (event_id, rider_id)
) with (fillfactor = 90);
create index if not exists signups_rider_idx on racesync.signups (rider_id);
comment on column racesync.signups.last_seen_at is
  'Exact for withdrawn rows. A signup still active was in the event''s latest list, so its last sighting is signup_lists.applied_at (list_signups returns that).';

-- Per event: when its last complete signup list was applied (older lists are ignored). Its row
-- lock serialises writers of one event.
create table if not exists racesync.signup_lists (
  event_id text primary key,
  applied_at timestamptz not null
);

-- The signup cache's persisted state.
create table if not exists racesync.signup_checks (
  event_id text primary key,
  fetched_at timestamptz not null,
  counts_at_fetch jsonb not null default '{}',
  team_signups integer not null default 0
);

-- Result rows of races team riders rode.
create table if not exists racesync.results (
  event_id text not null,
  rider_id bigint not null,
  name text,
  position integer,
  position_in_category integer,
  category text,
  time_seconds double precision,
  gap double precision,
  rating double precision,
  rating_before double precision,
  rating_delta double precision,
  hash text not null,
  fetched_at timestamptz not null,
  removed_at timestamptz,
  primary key (event_id, rider_id)
) with (fillfactor = 90);
create index if not exists results_rider_idx on racesync.results (rider_id);

-- Per event: when its last complete result set was applied (older sets are ignored).
create table if not exists racesync.result_sets (
  event_id text primary key,
  applied_at timestamptz not null
);

-- The persisted results queue, keyed by (event, phase).
create table if not exists racesync.result_jobs (
  event_id text not null,
  phase text not null,
  due_at timestamptz not null,
  attempts integer not null default 0,
  priority double precision not null default 0,
  event_starts_at timestamptz,
  created_at timestamptz,
  primary key (event_id, phase)
);
create index if not exists result_jobs_due_idx on racesync.result_jobs (due_at);

-- Per-job scheduling state.
create table if not exists racesync.job_states (
  job text primary key,
  next_due_at timestamptz,
  last_run_at timestamptz,
  last_success_at timestamptz,
  cursor jsonb
);

-- One row per sync run: the health and API-usage views are queries over it.
create table if not exists racesync.sync_log (
  id bigint generated always as identity primary key,
  run_id text not null,
  job text not null,
  started_at timestamptz not null,
  finished_at timestamptz,
  status text not null,
  api_calls integer,
  records integer,
  changes integer,
  error_kind text,
  message text
);
create index if not exists sync_log_started_idx on racesync.sync_log (started_at desc);
create index if not exists sync_log_job_started_idx on racesync.sync_log (job, started_at desc);

-- Leases with fencing: `token` grows every time a lease is taken and is kept after release.
create table if not exists racesync.leases (
  name text primary key,
  holder text,
  token bigint not null default 0,
  expires_at timestamptz
);

-- Shared rate-limit buckets (sliding windows). `grants` holds the epoch-millisecond times of the
-- grants still inside the window, ascending; `blocked_until` is set by a 429.
create table if not exists racesync.rate_limit_buckets (
  key text primary key,
  capacity double precision not null,
  interval_ms double precision not null,
  grants double precision[] not null default '{}',
  blocked_until timestamptz
);

-- Tokens granted and takes refused per bucket per hour (of the callers' clock), for the views.
create table if not exists racesync.rate_limit_usage (
  key text not null,
  hour timestamptz not null,
  granted integer not null default 0,
  denied integer not null default 0,
  capacity double precision,
  interval_ms double precision,
  primary key (key, hour)
);

insert into racesync.schema_migrations (name) values ('20261129000100_racesync_schema')
on conflict (name) do nothing;
