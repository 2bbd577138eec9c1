/** `pnpm start:supabase` — the Supabase / PostgreSQL runner (configuration from the environment). */
import { runCli } from './cli.ts';
import { runSupabaseRunner } from './supabase-runner.ts';

await runCli((o) => runSupabaseRunner(o));
