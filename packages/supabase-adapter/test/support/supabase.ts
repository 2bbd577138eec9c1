/**
 * TRANSITIONAL — for examples/runner's Edge Function test only (its key for postgrest-loopback.ts);
 * the supabase-js client helpers moved to @racesync/postgres-kit. Delete with postgrest-loopback.ts.
 */
import { randomBytes } from 'node:crypto';

/** Key of the loopback API (random per run; never JWT-shaped, so only key-based redaction hides it). */
export const SERVICE_KEY = `svc-key-${randomBytes(12).toString('hex')}`;
