/**
 * One runner process for the reliability tests: the real client and engine with the PostgreSQL
 * storage (its shared rate-limit store, its leases), against a simulator served by the parent.
 * Config is JSON in argv[2]. It is spawned with an IPC channel and its clock is virtual, driven by
 * the parent together with the simulator's and the other runners' (see `lockstep.ts`): every
 * database call and request is tracked, so time never moves while one is in flight.
 *
 * Without `until` it runs until killed (the crash test SIGKILLs it); with `until` (virtual epoch
 * ms) it stops gracefully at that time, closes the storage, prints one JSON line and leaves.
 * stdout carries `ready` once the engine started; stderr carries warnings and errors.
 */
import { createVirtualClock } from '@racesync/simulator';
import { createSyncEngine, type SyncPolicyInput } from '@racesync/sync-core';
import { type BucketName, type BucketSpec, createZwiftClient } from '@racesync/zwift-client';
import { createPostgresStorage, createPostgresTransport, type RpcTransport } from '../../../src/index.ts';
import { followLockstep } from './lockstep-follower.ts';

export interface RunnerConfig {
  url: string;
  schema: string;
  instanceId: string;
  baseUrl: string;
  siteBaseUrl: string;
  zwiftBaseUrl: string;
  apiKey: string;
  clubId: number;
  /** Virtual time (epoch ms) at which this runner starts: the parent's clock when it spawns it. */
  start: number;
  /** Virtual epoch ms to stop at (graceful); absent = run until killed. */
  until?: number;
  /** Client limit overrides. */
  limits?: Partial<Record<BucketName, BucketSpec>>;
  policy?: SyncPolicyInput;
  /** Log debug lines too (stderr). */
  debug?: boolean;
  /** The simulated team captain's Zwift account: the engine runs with the follower feed. */
  zwift?: { username: string; password: string; authBaseUrl: string };
}

const config = JSON.parse(process.argv[2] ?? '{}') as RunnerConfig;
// No real-time stall limit: a slow machine makes a step slower, never wrong.
const clock = createVirtualClock({ start: config.start, stallTimeoutMs: 0 });
const direct = createPostgresTransport({ connectionString: config.url, max: 4 });
/** Every storage call is activity: virtual time waits for the database. */
const transport: RpcTransport = {
  kind: direct.kind,
  call: (fn, args) => clock.track(direct.call(fn, args)),
  close: () => direct.close(),
};
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
  fetch: clock.trackFetch(),
  rateLimitStore: storage.rateLimitStore,
  ...(config.limits ? { limits: config.limits } : {}),
  ...(config.zwift
    ? {
        zwiftAuth: { username: config.zwift.username, password: config.zwift.password },
        zwiftAuthBaseUrl: config.zwift.authBaseUrl,
      }
    : {}),
});
const engine = createSyncEngine({
  source: client,
  storage,
  team: { clubId: config.clubId },
  clock,
  instanceId: config.instanceId,
  logger: { warn: say('warn'), error: say('error'), ...(config.debug ? { debug: say('debug') } : {}) },
  ...(config.policy ? { policy: config.policy } : {}),
  ...(config.zwift ? { followerFeed: true } : {}),
});

async function main(): Promise<void> {
  await storage.verify();
  engine.start();
  followLockstep(clock);
  process.stdout.write('ready\n');
  if (config.until === undefined) return; // until killed
  await clock.sleep(Math.max(0, config.until - clock.now()));
  const stop = async () => {
    await engine.stop();
    await storage.close();
    process.stdout.write(`${JSON.stringify({ stoppedAt: clock.now() })}\n`);
    if (process.connected) process.disconnect();
  };
  // The whole shutdown is activity: this process never reports idle again, it leaves.
  await clock.track(stop());
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', message: String(error) })}\n`);
  await storage.close().catch(() => undefined);
  process.exit(1);
});
