/**
 * One runner process for the reliability tests: the real client and engine with the PostgreSQL
 * storage (its shared rate-limit store, its leases), against a simulator served by the parent, on a
 * scaled clock shared through (start, speed, anchor). Config is JSON in argv[2].
 *
 * Without `until` it runs until killed (the crash test SIGKILLs it); with `until` (virtual epoch
 * ms) it stops gracefully at that time, closes the storage and prints one JSON line.
 * stdout carries `ready` once the engine started; stderr carries warnings and errors.
 */
import { createScaledClock } from '@racesync/simulator';
import { createSyncEngine, type SyncPolicyInput } from '@racesync/sync-core';
import { type BucketName, type BucketSpec, createZwiftClient } from '@racesync/zwift-client';
import { createPostgresStorage, createPostgresTransport } from '../../../src/index.ts';

export interface RunnerConfig {
  url: string;
  schema: string;
  instanceId: string;
  baseUrl: string;
  siteBaseUrl: string;
  zwiftBaseUrl: string;
  apiKey: string;
  clubId: number;
  /** Scaled clock shared with the simulator. */
  start: number;
  speed: number;
  anchor: number;
  /** Virtual epoch ms to stop at (graceful); absent = run until killed. */
  until?: number;
  /** Client limit overrides (e.g. a jitter margin on each interval). */
  limits?: Partial<Record<BucketName, BucketSpec>>;
  timeoutMs?: number;
  policy?: SyncPolicyInput;
  /** Log debug lines too (stderr). */
  debug?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as RunnerConfig;
const clock = createScaledClock({ start: config.start, speed: config.speed, anchor: config.anchor });
const transport = createPostgresTransport({ connectionString: config.url, max: 4 });
const storage = createPostgresStorage({ transport, schema: config.schema });
const say = (level: string) => (fields: Record<string, unknown>, message: string) => {
  process.stderr.write(
    `${JSON.stringify({ level, at: clock.now(), id: config.instanceId, message, fields })}\n`,
  );
};
const client = createZwiftClient({
  apiKey: config.apiKey,
  baseUrl: config.baseUrl,
  siteBaseUrl: config.siteBaseUrl,
  zwiftBaseUrl: config.zwiftBaseUrl,
  clock,
  rateLimitStore: storage.rateLimitStore,
  ...(config.limits ? { limits: config.limits } : {}),
  ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
});
const engine = createSyncEngine({
  source: client,
  storage,
  team: { clubId: config.clubId },
  clock,
  instanceId: config.instanceId,
  logger: { warn: say('warn'), error: say('error'), ...(config.debug ? { debug: say('debug') } : {}) },
  ...(config.policy ? { policy: config.policy } : {}),
});

async function main(): Promise<void> {
  await storage.verify();
  engine.start();
  process.stdout.write('ready\n');
  if (config.until === undefined) return; // until killed
  await clock.sleep(Math.max(0, config.until - clock.now()));
  await engine.stop();
  await storage.close();
  process.stdout.write(`${JSON.stringify({ stoppedAt: clock.now() })}\n`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', message: String(error) })}\n`);
  await storage.close().catch(() => undefined);
  process.exit(1);
});
