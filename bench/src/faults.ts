import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSimulation, FAULT_KINDS, type FaultKind, type VirtualClock } from '@racesync/simulator';
import {
  type ChangeEvent,
  createMemoryStorage,
  createSyncEngine,
  type StorageAdapter,
} from '@racesync/sync-core';
import { compareWithTruth, seeded } from '@racesync/verify';
import { createZwiftClient } from '@racesync/zwift-client';
import { numberArg, parseArgs } from './args.js';

/**
 * `pnpm bench:faults -- --json [--seed S] [--days D] [--rate R] [--catchup-hours H] [--riders N]
 * [--kinds burst429,serverError,...] [--follow]`
 *
 * Fault soak: the adaptive engine, the real client over loopback HTTP and the memory storage run a
 * simulated week (`--days`, default 7) on the simulator's virtual clock while a fraction `--rate`
 * (default 0.1) of the upstream's responses are faulted — 429 bursts, 5xx, hangs past the client's
 * timeout, slow answers, truncated JSON and schema drift, all kinds equally likely. Then the faults
 * stop and the engine runs `--catchup-hours` (default 6) more; then it is stopped and storage is
 * compared with the simulator's ground truth (see `truth-compare.ts` for exactly what each part
 * covers). Prints one JSON line. `--follow` adds the follower feed (the simulated captain's Zwift
 * account): Zwift's search, entrants and token endpoints are faulted like the rest.
 *
 * Figures: faults injected by kind (the simulator's count), client retries (the client's own
 * "retrying" log lines, by cause), rate-limit violations counted by the simulator (must be 0), runs
 * by status (from the engine's `sync.completed` / `sync.failed` events), records skipped as
 * malformed, and RSS / heap (after a full GC) at the start, each simulated day and the end.
 */
const DAY = 86_400_000;
const HOUR = 3_600_000;

const args = parseArgs(process.argv.slice(2));
const seed = numberArg(args, 'seed', 1);
const days = numberArg(args, 'days', 7);
const rate = numberArg(args, 'rate', 0.1);
const catchupHours = numberArg(args, 'catchup-hours', 6);
const riders = numberArg(args, 'riders', 80);
const follow = args.has('follow');
const kindsArg = args.get('kinds');
const kinds =
  typeof kindsArg === 'string'
    ? Object.fromEntries(
        kindsArg.split(',').map((k) => {
          if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`--kinds: unknown kind ${k}`);
          return [k, 1];
        }),
      )
    : undefined;
if (!(days > 0) || !(rate >= 0 && rate <= 1) || !(catchupHours >= 0)) {
  throw new Error('--days must be > 0, --rate within [0, 1], --catchup-hours ≥ 0');
}

// A full GC before each memory reading, so RSS/heap figures are comparable over the week.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
function memory() {
  gc();
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), arrayBuffersMb: mb(m.arrayBuffers) };
}
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
sampler.unref();

const wallStart = performance.now();
const memBeforeSimulator = memory();
const sim = createSimulation({
  seed,
  teamSize: riders,
  days: Math.ceil(days + catchupHours / 24) + 1,
  faults: rate > 0 ? { rate, ...(kinds ? { kinds } : {}) } : null,
});
const urls = await sim.listen();
const clock = sim.clock as VirtualClock;
const start = clock.now();
const faultsEnd = start + days * DAY;
const end = faultsEnd + catchupHours * HOUR;

// Client retries, by cause, from the client's own log lines (one line per retry).
const retries = { total: 0, http5xx: 0, network: 0, timeout: 0, http429: 0 };
let clientGaveUp429 = 0;
const client = createZwiftClient({
  apiKey: urls.apiKey,
  baseUrl: urls.baseUrl,
  siteBaseUrl: urls.siteBaseUrl,
  zwiftBaseUrl: urls.zwiftBaseUrl,
  fetch: sim.fetch,
  clock,
  retry: { random: seeded(seed) },
  ...(follow ? { zwiftAuth: urls.zwiftAccount, zwiftAuthBaseUrl: urls.zwiftAuthBaseUrl } : {}),
  logger: {
    warn(object, message) {
      if (message.endsWith('retrying after the block')) {
        retries.total++;
        retries.http429++;
      } else if (message.endsWith('; retrying')) {
        retries.total++;
        if (typeof object['status'] === 'number') retries.http5xx++;
        else if (object['kind'] === 'timeout') retries.timeout++;
        else retries.network++;
      } else if (message.endsWith('HTTP 429; giving up')) clientGaveUp429++;
    },
  },
});
// The memory storage behind a handle, so its data can be released at the end to measure what
// the rest of the process (engine, client, simulator) holds.
const held: { inner: StorageAdapter | null } = { inner: createMemoryStorage({ maxSyncLogEntries: 1000 }) };
const storage = new Proxy({} as StorageAdapter, {
  get(_target, name) {
    const inner = held.inner as unknown as Record<string | symbol, unknown>;
    const value = inner[name];
    return typeof value === 'function' ? value.bind(inner) : value;
  },
  has: (_target, name) => name in (held.inner as object),
});
const runs = {
  total: 0,
  ok: 0,
  partial: 0,
  failed: 0,
  skipped: 0,
  failedByKind: {} as Record<string, number>,
};
const changeEvents: Record<string, number> = {};
const engineLog = { warn: 0, error: 0 };
const engine = createSyncEngine({
  source: client,
  storage,
  team: { clubId: urls.clubId },
  clock,
  instanceId: 'faults',
  ...(follow ? { followerFeed: true } : {}),
  logger: {
    warn: () => {
      engineLog.warn++;
    },
    error: () => {
      engineLog.error++;
    },
  },
});
engine.on('*', (event: ChangeEvent) => {
  changeEvents[event.type] = (changeEvents[event.type] ?? 0) + 1;
  if (event.type === 'sync.completed') {
    runs.total++;
    runs[event.status]++;
  } else if (event.type === 'sync.failed') {
    runs.total++;
    runs.failed++;
    runs.failedByKind[event.errorKind] = (runs.failedByKind[event.errorKind] ?? 0) + 1;
  }
});

/** Size of everything the memory storage holds, as JSON (the data a database would hold). */
async function storedDataMb(): Promise<number> {
  let bytes = 0;
  for (const part of await Promise.all([
    storage.getTeam(),
    storage.getRiders(),
    storage.listRiderHistory(),
    storage.listEvents({ includeRemoved: true }),
    storage.listSignups(),
    storage.getSignupChecks(),
    storage.listResults({ includeRemoved: true }),
    storage.listResultJobs(),
    storage.getJobStates(),
    storage.listSyncLog(),
  ])) {
    bytes += JSON.stringify(part).length;
  }
  return mb(bytes);
}

const memStart = memory();
const byDay: {
  day: number;
  rssMb: number;
  heapUsedMb: number;
  arrayBuffersMb: number;
  storedDataMb: number;
}[] = [];
engine.start();
for (let day = 1; day * DAY <= end - start; day++) {
  await clock.runUntil(start + day * DAY);
  if (start + day * DAY === faultsEnd) sim.setFaults(null);
  byDay.push({ day, ...memory(), storedDataMb: await storedDataMb() });
}
sim.setFaults(null);
await clock.runUntil(end);
await clock.run(engine.stop());
const stats = sim.stats();
const memEnd = memory();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const comparison = await compareWithTruth({
  storage,
  truthAt: (t) => sim.truthAt(t),
  from: start,
  end,
});
await sim.close();
const pendingResultJobs = (await storage.listResultJobs()).length;
const storedAtEndMb = await storedDataMb();
const pendingTimers = clock.pendingTimers();
// What the process holds once the stored data is released: the engine's, client's and
// simulator's own state. Flat (≈ the start) means nothing but the data grew over the week.
held.inner = null;
const memReleased = memory();

const faultsInjected = Object.fromEntries(
  FAULT_KINDS.map((k: FaultKind) => [k, stats.faultsInjected.byKind[k] ?? 0]),
);
const result = {
  seed,
  days,
  rate,
  catchupHours,
  riders,
  follow,
  faultsInjected: { total: stats.faultsInjected.total, ...faultsInjected },
  rateLimitViolations: stats.violations.total,
  mismatches: comparison.mismatches,
  requests: stats.requests.total,
  requestsByEndpoint: stats.requests.byEndpoint,
  served429: stats.served429,
  retries: { ...retries, gaveUpOn429: clientGaveUp429 },
  runs,
  changeEvents,
  engineLog,
  pendingResultJobs,
  comparison,
  memory: {
    rssMb: { start: memStart.rssMb, end: memEnd.rssMb, peak: mb(peakRss) },
    heapUsedMb: {
      start: memStart.heapUsedMb,
      end: memEnd.heapUsedMb,
      endWithoutStoredData: memReleased.heapUsedMb,
      beforeSimulator: memBeforeSimulator.heapUsedMb,
    },
    arrayBuffersMb: { start: memStart.arrayBuffersMb, end: memEnd.arrayBuffersMb },
    storedDataMb: storedAtEndMb,
    pendingTimers,
    byDay,
  },
  wallMs: Math.round(performance.now() - wallStart),
  definitions: {
    window: `faults on for ${days} d from the simulation start, then off for ${catchupHours} h of catch-up; compared at the end`,
    riders:
      "every team rider: stored payload = truth's payload at its last fetch, last fetch within riders.intervalMs + 30 min of the end, a history row for the stored hash",
    eventsInWindow:
      'races on the site feed at the last list fetch T (start in (T, T + 7 d]): stored, not removed, same fields and per-pen counts as the feed at T; none extra',
    teamSignups:
      'every race starting in [start + 10 min, end]: stored active team signups (rider, pen) = team signups in effect 1 ms before its start',
    teamResults:
      'every race team riders rode that started after the start and published results by end − 30 min: stored rows (not removed) = published rows (corrected ones once the correction fetch is due)',
    mismatches: 'records missing, extra or different in any of the above (0 = identical)',
    retries: "client retries (one per re-sent request), from the client's log lines",
    rateLimitViolations: 'requests the simulator received beyond a sliding-window limit',
    memory:
      'after a full GC; the process holds the simulator too, whose field-rider payload cache (a bounded LRU) fills as signup lists are served, and the memory storage, i.e. the data a database would hold (storedDataMb = its JSON size); endWithoutStoredData = heap once that data is released; beforeSimulator = the process before the simulated world was built; arrayBuffersMb = off-heap buffers (part of RSS), mostly that payload cache (at most 40,000 entries of ~1 KB)',
  },
};
process.stdout.write(`${JSON.stringify(result, null, args.has('json') ? undefined : 2)}\n`);
