/**
 * `pnpm start`: memory storage. Without ZWIFTRACING_API_KEY it starts the simulated upstream and
 * syncs a simulated team (offline; a virtual clock with `--hours`/`--once`, otherwise a scaled
 * clock at `--speed`); with a key it talks to the real API on the system clock.
 */
import { recordRequests } from '@racesync/report';
import { createMemoryStorage } from '@racesync/sync-core';
import { type BucketName, type BucketSpec, createZwiftClient, systemClock } from '@racesync/zwift-client';
import { MEMORY_HELP, type RunnerArgs } from './args.ts';
import type { RunnerConfig } from './env.ts';
import { followerFeedLine, zwiftAuthOf } from './follower-feed.ts';
import { createWebSocketForwarder, type Forwarder } from './forward-ws.ts';
import { limitsOf } from './limits.ts';
import type { Output } from './output.ts';
import type { RunnerOptions } from './runner-options.ts';
import { modeOf, runSession } from './session.ts';
import { handleShutdown } from './shutdown.ts';
import { startSimulatedUpstream } from './simulated.ts';
import { startRunner } from './startup.ts';

export type { RunnerOptions } from './runner-options.ts';

/** Exit codes: 0 done, 1 a run failed (`--once`) or the runner could not start, 2 bad usage or configuration. */
export async function runMemoryRunner(options: RunnerOptions): Promise<number> {
  const start = startRunner(options, 'memory', MEMORY_HELP);
  if ('exitCode' in start) return start.exitCode;
  const { out, args, config } = start;
  const forwarders: Forwarder[] = config.wsUrl
    ? [createWebSocketForwarder(config.wsUrl, { onError: (m) => out.error(m) })]
    : [];
  const shutdown = handleShutdown(out, options.signals, options.exit, options.signalRepeatWindowMs);
  try {
    if (config.upstream && config.team) {
      if (args.follow) {
        out.error(
          'racesync: --follow is for the simulated upstream; with a real API key, set ZWIFT_USERNAME and ZWIFT_PASSWORD (a Zwift account that follows the team) instead',
        );
        return 2;
      }
      return await realUpstream(out, args, config, config.upstream, config.team, forwarders, shutdown);
    }
    return await simulatedUpstream(out, args, forwarders, shutdown);
  } finally {
    shutdown.dispose();
  }
}

async function simulatedUpstream(
  out: Output,
  args: RunnerArgs,
  forwarders: Forwarder[],
  shutdown: ReturnType<typeof handleShutdown>,
): Promise<number> {
  const virtual = args.hours !== null || args.once;
  const upstream = await startSimulatedUpstream({
    seed: args.seed,
    riders: args.riders,
    hours: virtual ? (args.hours ?? 1) : null,
    speed: args.speed,
  });
  try {
    const { clock, urls, sim } = upstream;
    const requests = recordRequests(sim.fetch, () => clock.now(), urls);
    const client = createZwiftClient({
      apiKey: urls.apiKey,
      baseUrl: urls.baseUrl,
      siteBaseUrl: urls.siteBaseUrl,
      zwiftBaseUrl: urls.zwiftBaseUrl,
      fetch: requests.fetch,
      clock,
      ...(virtual ? {} : scaledClockAllowances(args.speed)),
      // --follow: the simulated team captain's Zwift account, which follows most of the team.
      ...(args.follow ? { zwiftAuth: urls.zwiftAccount, zwiftAuthBaseUrl: urls.zwiftAuthBaseUrl } : {}),
    });
    out.line(
      `racesync: no ZWIFTRACING_API_KEY, so syncing a simulated team (seed ${args.seed}, ${args.riders} riders, club ${urls.clubId}) from the simulated upstream at ${urls.baseUrl.replace(/\/zr\/api$/, '')} into memory`,
    );
    out.line(
      virtual
        ? 'racesync: simulated time runs as fast as the machine allows (virtual clock)'
        : `racesync: simulated time runs ${args.speed}× real time (--speed); Ctrl-C stops and prints the summary`,
    );
    out.line(
      args.follow
        ? "racesync: follower feed on (--follow): signups come from the simulated Zwift account's followed riders, with a site-list safety net"
        : 'racesync: follower feed off: signups come from the ZwiftRacing site lists (pass --follow to try the feed)',
    );
    for (const f of forwarders) out.line(`racesync: forwarding change events to ${f.description}`);
    const mode = modeOf(args);
    const result = await runSession({
      out,
      args,
      mode: mode.kind === 'forever' ? { kind: 'forever', until: upstream.worldEnd } : mode,
      shutdown,
      clock,
      client,
      limits: limitsOf('standard'),
      requests,
      storage: upstream.storage,
      team: { clubId: urls.clubId },
      followerFeed: args.follow,
      forwarders,
      title: 'simulated upstream, memory storage',
      reportSubtitle: `Simulated upstream (seed ${args.seed}, ${args.riders} team riders) · memory storage · times are simulated`,
      clockLabel: 'sim ',
      simulated: {
        lag: (start, end) => upstream.lag(start, end),
        stats: () => {
          const st = sim.stats();
          return { violations: st.violations.total, served429: st.served429, requests: st.requests.total };
        },
      },
    });
    return args.once && result.failedRuns > 0 ? 1 : 0;
  } finally {
    await upstream.close();
  }
}

/**
 * On a scaled clock every real millisecond of latency is `speed` simulated ones: a 15 s timeout
 * would be 250 ms of real time at speed 60, and loopback jitter could make a request scheduled at
 * the exact edge of a window reach the simulator a little early. So, in this mode only, timeouts are
 * real-time 15 s and each window is widened by `speed` × 100 ms (real-time slack). The virtual clock
 * and the real API need neither.
 */
function scaledClockAllowances(speed: number): {
  timeoutMs: number;
  limits: Partial<Record<BucketName, BucketSpec>>;
} {
  const slack = Math.max(1000, Math.round(speed * 100));
  const limits: Partial<Record<BucketName, BucketSpec>> = {};
  for (const [bucket, spec] of Object.entries(limitsOf('standard')) as [BucketName, BucketSpec][]) {
    limits[bucket] = { capacity: spec.capacity, intervalMs: spec.intervalMs + slack };
  }
  return { timeoutMs: 15_000 * speed, limits };
}

async function realUpstream(
  out: Output,
  args: RunnerArgs,
  config: RunnerConfig,
  upstream: NonNullable<RunnerConfig['upstream']>,
  team: { riderIds?: number[]; clubId?: number },
  forwarders: Forwarder[],
  shutdown: ReturnType<typeof handleShutdown>,
): Promise<number> {
  const clock = systemClock;
  const bases = {
    ...(upstream.baseUrl ? { baseUrl: upstream.baseUrl } : {}),
    ...(upstream.siteBaseUrl ? { siteBaseUrl: upstream.siteBaseUrl } : {}),
    ...(upstream.zwiftBaseUrl ? { zwiftBaseUrl: upstream.zwiftBaseUrl } : {}),
  };
  const requests = recordRequests(globalThis.fetch, () => clock.now(), bases);
  const client = createZwiftClient({
    apiKey: upstream.apiKey,
    tier: upstream.tier,
    ...bases,
    fetch: requests.fetch,
    clock,
    ...zwiftAuthOf(config),
  });
  out.line(
    `racesync: syncing ${team.clubId ? `club ${team.clubId}` : ''}${team.clubId && team.riderIds ? ' + ' : ''}${team.riderIds ? `${team.riderIds.length} riders` : ''} from the real API (${upstream.tier} tier) into memory — data is lost on exit; use pnpm start:supabase to keep it`,
  );
  out.line(followerFeedLine(config));
  for (const f of forwarders) out.line(`racesync: forwarding change events to ${f.description}`);
  const result = await runSession({
    out,
    args,
    mode: modeOf(args),
    shutdown,
    clock,
    client,
    limits: limitsOf(upstream.tier),
    requests,
    storage: createMemoryStorage(),
    team,
    followerFeed: config.zwift !== null,
    forwarders,
    title: 'real API, memory storage',
    reportSubtitle: `Real upstream (${upstream.tier} tier) · memory storage`,
    clockLabel: '',
  });
  return args.once && result.failedRuns > 0 ? 1 : 0;
}
