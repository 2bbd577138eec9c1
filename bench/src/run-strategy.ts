import { peakUse, type ReportChange, type ReportRun, recordRequests } from '@racesync/report';
import {
  createSimulation,
  type FaultOptions,
  type TeamRaceTimesOptions,
  type TeamSignupLeadOptions,
  type VirtualClock,
} from '@racesync/simulator';
import { createMemoryStorage, createSyncEngine, type SyncPolicyInput } from '@racesync/sync-core';
import {
  missedChanges,
  nearDetail,
  recordingStorage,
  resultLag,
  resultLagSamples,
  riderLag,
  seeded,
  signupLag,
  signupLagSamples,
} from '@racesync/verify';
import { createZwiftClient, type Logger } from '@racesync/zwift-client';
import { createBaselineEngine } from './baseline/baseline-engine.js';
import { createOracleEngine } from './oracle/oracle-engine.js';
import { oracleTimeline } from './oracle/oracle-timeline.js';

const HOUR = 3_600_000;

/**
 * The strategies of the day benchmark: the original schedule, the adaptive engine on the site API
 * only, the adaptive engine with the follower feed (a Zwift account that follows the team), and the
 * oracle (reads the truth; the floor).
 */
export const STRATEGIES = ['baseline', 'adaptive', 'follow', 'oracle'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Report labels of the strategies. */
export const STRATEGY_LABELS: Record<Strategy, string> = {
  baseline: 'baseline (original schedule)',
  adaptive: 'adaptive (site API only)',
  follow: 'follow (adaptive + follower feed)',
  oracle: 'oracle (the floor)',
};

export interface StrategyRun {
  seed: number;
  riders: number;
  hours: number;
  faults?: FaultOptions | null;
  /** When the team races (the simulator's opt-in `teamRaceTimes`); any time when absent. */
  teamRaceTimes?: TeamRaceTimesOptions;
  /**
   * How long before the start the team signs up (the simulator's opt-in `teamSignupLead`); half
   * within 6 h when absent.
   */
  teamSignupLead?: TeamSignupLeadOptions;
  /** Policy overrides for the adaptive and follow engines (tuning experiments). */
  policy?: SyncPolicyInput;
  /** Also return the lag samples behind the percentiles (for pooling runs, e.g. over seeds). */
  samples?: boolean;
}

/**
 * Runs one strategy for `hours` of simulated time against a fresh simulated world (same seed →
 * same world), through the real client over loopback HTTP, into memory storage, on the
 * simulation's virtual clock. Returns the figures of the benchmark.
 */
export async function runStrategy(strategy: Strategy, run: StrategyRun, options: { report?: boolean } = {}) {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  sampler.unref();

  const sim = createSimulation({
    seed: run.seed,
    teamSize: run.riders,
    days: Math.ceil(run.hours / 24) + 1,
    faults: run.faults ?? null,
    ...(run.teamRaceTimes ? { teamRaceTimes: run.teamRaceTimes } : {}),
    ...(run.teamSignupLead ? { teamSignupLead: run.teamSignupLead } : {}),
  });
  const urls = await sim.listen();
  const clock = sim.clock as VirtualClock;
  const start = clock.now();
  const end = start + run.hours * HOUR;
  // Every request, time-stamped and classified to its bucket by a wrapped fetch (the client has no
  // request hook): the peak per minute of each bucket, and the report's call charts.
  const requests = recordRequests(sim.fetch, () => clock.now(), urls);
  const client = createZwiftClient({
    apiKey: urls.apiKey,
    baseUrl: urls.baseUrl,
    siteBaseUrl: urls.siteBaseUrl,
    zwiftBaseUrl: urls.zwiftBaseUrl,
    fetch: requests.fetch,
    clock,
    retry: { random: seeded(run.seed) },
    // The follower feed: the simulated team captain's Zwift account, which follows the team.
    ...(strategy === 'follow'
      ? { zwiftAuth: urls.zwiftAccount, zwiftAuthBaseUrl: urls.zwiftAuthBaseUrl }
      : {}),
  });
  const { storage, recording } = recordingStorage(createMemoryStorage(), clock);
  const debug = { byReason: {} as Record<string, number>, runs: {} as Record<string, number> };
  // The engine logs pino-style, `(fields, message)`: a finished run carries `job` and `status`.
  const logger: Logger = {
    debug(fields, message) {
      if (message === 'signup lists fetched') {
        for (const [k, v] of Object.entries((fields.byReason ?? {}) as Record<string, number>)) {
          debug.byReason[k] = (debug.byReason[k] ?? 0) + v;
        }
      }
      if (process.env.BENCH_TRACE)
        process.stderr.write(`${new Date(clock.now()).toISOString()} ${message} ${JSON.stringify(fields)}\n`);
      if (typeof fields.job === 'string' && typeof fields.status === 'string')
        debug.runs[fields.job] = (debug.runs[fields.job] ?? 0) + 1;
    },
  };
  const common = {
    logger,
    source: client,
    storage,
    team: { clubId: urls.clubId },
    clock,
    instanceId: strategy,
  };
  const engine =
    strategy === 'adaptive' || strategy === 'follow'
      ? createSyncEngine({
          ...common,
          ...(run.policy ? { policy: run.policy } : {}),
          ...(strategy === 'follow' ? { followerFeed: true } : {}),
        })
      : strategy === 'oracle'
        ? createOracleEngine({
            ...common,
            timeline: oracleTimeline(sim.truthAt(end), sim.truthAt(start), start, end),
          })
        : createBaselineEngine(common);
  const changes: ReportChange[] = [];
  if (options.report) {
    engine.on('*', (e) => {
      if (e.type !== 'sync.completed') changes.push({ at: e.at, type: e.type });
    });
  }
  engine.start();
  await clock.runUntil(end);
  await clock.run(engine.stop());
  const stats = sim.stats();
  await sim.close();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const truth = sim.truthAt(end);
  // The lag samples, once: for the report's distributions and for pooling (`run.samples`).
  const signups = signupLagSamples(truth, recording, start, end);
  const results = resultLagSamples(truth, recording, start, end);
  let report: ReportRun | undefined;
  if (options.report) {
    const signupStats = signupLag(truth, recording, start, end).all;
    const resultStats = resultLag(truth, recording, start, end);
    report = {
      label: STRATEGY_LABELS[strategy],
      start,
      end,
      buckets: [...requests.calls].map(([name, calls]) => ({
        name,
        calls,
        ...(client.rateLimits.table[name as keyof typeof client.rateLimits.table] ?? {
          capacity: 0,
          intervalMs: 60_000,
        }),
      })),
      signupLag: {
        samplesMs: signups.all,
        p50Ms: signupStats.p50Ms,
        p95Ms: signupStats.p95Ms,
        missed: signups.missed,
      },
      resultLag: {
        samplesMs: results.lags,
        p50Ms: resultStats.p50Ms,
        p95Ms: resultStats.p95Ms,
        missed: results.missed,
      },
      changes,
      figures: {
        'rate-limit violations': stats.violations.total,
        '429s served': stats.served429,
        'sync runs': Object.entries(
          (await storage.listSyncLog()).reduce<Record<string, number>>((n, e) => {
            n[e.status] = (n[e.status] ?? 0) + 1;
            return n;
          }, {}),
        )
          .map(([status, n]) => `${status} ${n}`)
          .join(' · '),
      },
    };
  }
  const detail = process.env.BENCH_DETAIL
    ? { near: nearDetail(truth, recording, start, end), missed: missedChanges(truth, recording, start, end) }
    : undefined;
  const peakPerMinute: Record<string, number> = {};
  for (const [bucket, times] of [...requests.calls].sort(([a], [b]) => a.localeCompare(b)))
    peakPerMinute[bucket] = peakUse(times, 60_000);
  const cpu = process.cpuUsage(cpuStart);
  return {
    ...(report ? { report } : {}),
    ...(detail ? { detail } : {}),
    ...(run.samples
      ? {
          samples: { nearSignupLagMs: signups.near, resultLagMs: results.lags },
        }
      : {}),
    calls: { total: stats.requests.total, byEndpoint: stats.requests.byEndpoint, peakPerMinute },
    rateLimitViolations: stats.violations.total,
    signupLag: signupLag(truth, recording, start, end),
    resultLag: resultLag(truth, recording, start, end),
    riderLag: riderLag(truth, recording, start, end),
    served429: stats.served429,
    faultsInjected: stats.faultsInjected,
    debug,
    wallMs: Math.round(performance.now() - wallStart),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Math.round((peakRss / 1024 / 1024) * 10) / 10,
    storage: {
      events: (await storage.listEvents({ includeRemoved: true })).length,
      teamSignups: (await storage.listSignups()).length,
      results: (await storage.listResults()).length,
      riders: (await storage.getRiders()).length,
      syncRuns: (await storage.listSyncLog()).length,
    },
  };
}
