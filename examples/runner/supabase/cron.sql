-- Invoke the `racesync-sync` Edge Function every minute with pg_cron + pg_net (Supabase SQL editor).
-- Enable the extensions first (Dashboard → Database → Extensions: pg_cron, pg_net).
-- Secrets live in Vault, not in the job's text.

select vault.create_secret('https://<project-ref>.supabase.co', 'racesync_project_url');
select vault.create_secret('<the project''s anon key>', 'racesync_anon_key');
select vault.create_secret('<the same value as the function''s RACESYNC_INVOKE_SECRET>', 'racesync_invoke_secret');

select cron.schedule(
  'racesync-sync',
  '* * * * *',
  $$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'racesync_project_url')
           || '/functions/v1/racesync-sync',
    headers := jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'racesync_anon_key'),
      'x-racesync-secret', (select decrypted_secret from vault.decrypted_secrets where name = 'racesync_invoke_secret')
    ),
    body := '{}'::jsonb,
    timeout_milliseconds := 120000
  );
  $$
);

-- Stop it:  select cron.unschedule('racesync-sync');
-- Watch it: select * from racesync.sync_health_24h;  select * from cron.job_run_details order by start_time desc limit 20;
