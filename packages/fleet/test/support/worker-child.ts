/**
 * One fleet worker process for the multi-process test: the real worker (pg-boss, PostgreSQL storage
 * and rate-limit store, real clients) against the simulator served by the parent, on a virtual
 * clock moved in lockstep with the parent's and the other workers' (see `lockstep.ts`): every
 * database call, job run and request is tracked, so time never moves while one is in flight.
 *
 * Config is JSON in argv[2]. Without `until` it runs until killed; with `until` it stops gracefully
 * then, prints one JSON line and leaves. With `reportJobs`, it tells the parent (IPC) when a job
 * starts, so the parent can SIGKILL it in the middle of a run.
 */
import { createVirtualClock } from '@racesync/simulator';
import { createFleetWorker } from '../../src/index.ts';
import { followLockstep } from './lockstep-follower.ts';

export interface WorkerConfig {
  url: string;
  schema: string;
  bossSchema: string;
  workerId: string;
  start: number;
  until?: number;
  keys: Record<string, string>;
  baseUrl: string;
  siteBaseUrl: string;
  zwiftBaseUrl: string;
  reportJobs?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const clock = createVirtualClock({ start: config.start, stallTimeoutMs: 0 });
const say = (level: string) => (fields: Record<string, unknown>, message: string) => {
  process.stderr.write(
    `${JSON.stringify({ level, at: clock.now(), id: config.workerId, message, fields })}\n`,
  );
};
const worker = createFleetWorker({
  databaseUrl: config.url,
  schema: config.schema,
  bossSchema: config.bossSchema,
  workerId: config.workerId,
  clock,
  track: (p) => clock.track(p),
  resolveApiKey: (ref) => config.keys[ref],
  client: {
    baseUrl: config.baseUrl,
    siteBaseUrl: config.siteBaseUrl,
    zwiftBaseUrl: config.zwiftBaseUrl,
    fetch: clock.trackFetch(),
  },
  logger: { warn: say('warn'), error: say('error') },
  ...(config.reportJobs
    ? { onJobStart: (key: string) => process.send?.({ fleet: 'job-start', key, at: clock.now() }) }
    : {}),
});

let peakRss = process.memoryUsage().rss;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 1000).unref();

async function main(): Promise<void> {
  await clock.track(worker.start());
  followLockstep(clock);
  process.stdout.write('ready\n');
  if (config.until === undefined) return;
  await clock.sleep(Math.max(0, config.until - clock.now()));
  await clock.track(worker.stop());
  process.stdout.write(
    `${JSON.stringify({ stopped: config.workerId, at: clock.now(), peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20) })}\n`,
  );
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', message: String((error as Error)?.stack ?? error) })}\n`,
  );
  process.exit(1);
});
