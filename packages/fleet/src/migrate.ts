import { connectionStringRedactor, createPostgresTransport, migrate } from '@racesync/supabase-adapter';
import { PgBoss } from 'pg-boss';
import postgres from 'postgres';
import { FleetError } from './errors.js';
import { fleetSql, identifier } from './sql.js';
import { FLEET_QUEUE } from './worker.js';

/** Options of {@link migrateFleet}. */
export interface MigrateFleetOptions {
  /** PostgreSQL connection string. Required. Never logged. */
  databaseUrl: string;
  /**
   * Schema of racesync's storage and the fleet tables.
   * @default 'racesync'
   */
  schema?: string;
  /**
   * Schema of pg-boss's tables.
   * @default 'racesync_boss'
   */
  bossSchema?: string;
  /**
   * pg-boss heartbeat of the fleet queue (real seconds, at least 10).
   * @default 10
   */
  heartbeatSeconds?: number;
  /**
   * Stops the migration: racesync's storage migration is cancelled while it waits for another
   * process's (its transaction rolls back), later steps are not started, and `migrateFleet()`
   * rejects with `signal.reason`.
   * @default undefined (runs to the end)
   */
  signal?: AbortSignal;
}

/**
 * Creates (or brings up to date) everything a fleet needs, idempotently: racesync's storage schema
 * (the supabase-adapter's migrations), the fleet tables and row-level security helpers, pg-boss's
 * schema and the fleet queue.
 */
export async function migrateFleet(options: MigrateFleetOptions): Promise<void> {
  const schema = identifier(options.schema ?? 'racesync', 'schema');
  const bossSchema = identifier(options.bossSchema ?? 'racesync_boss', 'bossSchema');
  const transport = createPostgresTransport({ connectionString: options.databaseUrl, max: 1 });
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  const { signal } = options;
  try {
    signal?.throwIfAborted();
    await migrate({ transport, schema, ...(signal ? { signal } : {}) });
    signal?.throwIfAborted();
    await sql.unsafe(fleetSql(schema));
    signal?.throwIfAborted();
    const boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: bossSchema,
      max: 1,
      supervise: false,
      schedule: false,
    });
    boss.on('error', () => undefined);
    await boss.start();
    try {
      if (!(await boss.getQueue(FLEET_QUEUE))) {
        await boss.createQueue(FLEET_QUEUE, {
          policy: 'exclusive',
          heartbeatSeconds: options.heartbeatSeconds ?? 10,
          retryLimit: 2,
          expireInSeconds: 3600,
        });
      }
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof FleetError) throw error;
    const message = connectionStringRedactor(options.databaseUrl)((error as Error).message);
    throw new FleetError('database', `migration failed: ${message}`, { cause: error });
  } finally {
    await sql.end({ timeout: 5 });
    await transport.close();
  }
}
