/**
 * A simulated 7-day week with 300 riders, driven by a realistic polling client over loopback
 * HTTP on the virtual clock. Prints a report, or one JSON line with `--json`.
 *
 * The client: the site event list every 5 min; the signup lists of races starting within 6 h
 * every 10 min; results of finished races where it saw team riders (1/min, retrying until
 * published); team riders in bulk every hour; the club once a day. It keeps to every limit with
 * its own sliding windows on the same virtual clock.
 */
import {
  BUCKETS,
  type BucketSpec,
  createSimulation,
  type SimulationOptions,
  type VirtualClock,
} from '../src/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const json = process.argv.includes('--json');
const days = Number(argValue('--days') ?? 7);
const teamSize = Number(argValue('--team-size') ?? 300);
const seed = argValue('--seed') ?? '42';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const options: SimulationOptions = {
    seed: Number.isNaN(Number(seed)) ? seed : Number(seed),
    teamSize,
    days,
  };
  const sim = createSimulation(options);
  const buildMs = performance.now() - wall0;
  const info = await sim.listen();

  const clock = sim.clock as VirtualClock;
  const fetch = sim.fetch;
  const start = clock.now();
  const end = start + days * DAY;
  const stop = new AbortController();
  const signal = stop.signal;

  class Budget {
    private times: number[] = [];
    constructor(private readonly spec: BucketSpec) {}
    async take(): Promise<void> {
      for (;;) {
        const now = clock.now();
        while (this.times.length > 0 && (this.times[0] as number) + this.spec.intervalMs <= now)
          this.times.shift();
        if (this.times.length < this.spec.capacity) {
          this.times.push(now);
          return;
        }
        await clock.sleep((this.times[0] as number) + this.spec.intervalMs - now, signal);
      }
    }
  }
  const limits = BUCKETS.standard;
  const siteBudget = new Budget(limits.site);
  const resultsBudget = new Budget(limits.results);
  const bulkBudget = new Budget(limits['riders-bulk']);
  const clubBudget = new Budget(limits.clubs);

  let bytes = 0;
  let clientErrors = 0;
  async function get(
    budget: Budget,
    url: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: unknown }> {
    for (;;) {
      await budget.take();
      const res = await fetch(url, init);
      const text = await res.text();
      bytes += text.length;
      if (res.status === 429) {
        await clock.sleep(Number(res.headers.get('retry-after') ?? '1') * 1000, signal);
        continue;
      }
      return { status: res.status, body: res.status === 200 ? JSON.parse(text) : null };
    }
  }
  const auth = { authorization: info.apiKey };
  const teamIds = new Set(info.teamRiderIds);

  // Client state.
  const upcoming = new Map<string, { start: number; distance: number; signups: string }>();
  const resultsDue = new Map<string, number>(); // eventId → next results attempt
  const seenTeamSignups = new Map<string, number>(); // `${eventId}:${riderId}` → first seen
  const resultsFetched = new Map<string, number>(); // eventId → fetched at
  let signupFetches = 0;

  async function loop(intervalMs: number, job: () => Promise<void>): Promise<void> {
    while (!signal.aborted && clock.now() < end) {
      const t = clock.now();
      await job();
      const next = t + intervalMs;
      if (next > clock.now()) await clock.sleep(next - clock.now(), signal);
    }
  }

  const eventsJob = loop(5 * MIN, async () => {
    const { body } = await get(siteBudget, `${info.siteBaseUrl}/api/events/upcoming`);
    const listed = new Set<string>();
    for (const e of body as { eventId: string; time: number; distance: number; signups: string }[]) {
      listed.add(e.eventId);
      const known = upcoming.get(e.eventId);
      if (known) known.signups = e.signups;
      else upcoming.set(e.eventId, { start: e.time * 1000, distance: e.distance, signups: e.signups });
    }
    for (const id of upcoming.keys()) if (!listed.has(id)) upcoming.delete(id);
  });

  const signupsJob = loop(10 * MIN, async () => {
    const now = clock.now();
    const due = [...upcoming].filter(([, e]) => e.start > now && e.start <= now + 6 * HOUR).map(([id]) => id);
    for (const id of due) {
      const { status, body } = await get(siteBudget, `${info.siteBaseUrl}/api/events/${id}/signups`);
      signupFetches++;
      if (status !== 200) continue;
      const seenAt = clock.now();
      for (const pen of body as { riders: { riderId: number }[] }[]) {
        for (const r of pen.riders) {
          if (!teamIds.has(r.riderId)) continue;
          const key = `${id}:${r.riderId}`;
          if (!seenTeamSignups.has(key)) seenTeamSignups.set(key, seenAt);
          const ev = upcoming.get(id) as { start: number; distance: number };
          if (!resultsDue.has(id) && !resultsFetched.has(id)) {
            resultsDue.set(id, ev.start + (ev.distance / 1000 / 30) * HOUR + 5 * MIN);
          }
        }
      }
    }
  });

  const resultsJob = loop(MIN, async () => {
    const now = clock.now();
    // The most overdue team race whose results we do not have yet: first try at the estimated
    // finish (distance at 30 km/h) + 5 min, then every 5 min until published.
    let next: string | null = null;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [id, due] of resultsDue) {
      if (due <= now && due < nextDue) {
        next = id;
        nextDue = due;
      }
    }
    if (!next) return;
    const { status } = await get(resultsBudget, `${info.baseUrl}/public/results/${next}`, { headers: auth });
    if (status === 200) {
      resultsFetched.set(next, clock.now());
      resultsDue.delete(next);
    } else {
      resultsDue.set(next, clock.now() + 5 * MIN);
    }
  });

  const ridersJob = loop(HOUR, async () => {
    await get(bulkBudget, `${info.baseUrl}/public/riders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(info.teamRiderIds),
    });
  });

  const clubJob = loop(DAY, async () => {
    await get(clubBudget, `${info.baseUrl}/public/clubs/${info.clubId}`, { headers: auth });
  });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  sampler.unref();

  await clock.runUntil(end);
  stop.abort(new Error('benchmark over'));
  await Promise.allSettled([eventsJob, signupsJob, resultsJob, ridersJob, clubJob]).then((rs) => {
    for (const r of rs) if (r.status === 'rejected' && !signal.aborted) clientErrors++;
  });
  clearInterval(sampler);
  const stats = sim.stats();
  await sim.close();
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);

  // Compare with the truth: which team signups could the client have seen, and did it?
  const truth = sim.truthAt(end);
  const inWeek = truth.allEvents().filter((e) => e.startsAt >= start && e.startsAt < end);
  const teamSignupsInWeek = truth.teamSignupChanges.filter(
    (c) => c.kind === 'signup' && c.eventStart >= start + 6 * HOUR && c.eventStart < end,
  );
  const withdrawnKeys = new Set(
    truth.teamSignupChanges.filter((c) => c.kind === 'withdraw').map((c) => `${c.eventId}:${c.riderId}`),
  );
  const visible = teamSignupsInWeek.filter((c) => !withdrawnKeys.has(`${c.eventId}:${c.riderId}`));
  const lags = visible
    .map((c) => {
      const seen = seenTeamSignups.get(`${c.eventId}:${c.riderId}`);
      return seen === undefined ? null : seen - c.at;
    })
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const teamRaces = truth.teamRaces.filter((r) => r.startsAt >= start && r.resultsAt < end - 30 * MIN);
  const resultLags = teamRaces
    .map((r) => {
      const at = resultsFetched.get(r.eventId);
      return at === undefined ? null : at - r.resultsAt;
    })
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const q = (a: number[], p: number): number | null =>
    a.length === 0
      ? null
      : Math.round(((a[Math.min(a.length - 1, Math.floor(p * a.length))] as number) / MIN) * 10) / 10;

  const report = {
    bench: 'simulator-week',
    node: process.version,
    nodeFlags: process.execArgv.filter((a) => a !== '--enable-source-maps'),
    days,
    teamSize,
    seed: options.seed,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    buildMs: Math.round(buildMs),
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    requests: stats.requests.total,
    requestsPerSec: Math.round(stats.requests.total / (wallMs / 1000)),
    byEndpoint: stats.requests.byEndpoint,
    megabytesServed: Math.round(bytes / 1e6),
    served429: stats.served429,
    violations: stats.violations.total,
    clientErrors,
    events: inWeek.length,
    signupsAtStart: inWeek.reduce((a, e) => a + finalSignups(e.eventId), 0),
    teamSignups: teamSignupsInWeek.length,
    teamRaces: teamRaces.length,
    signupFetches,
    coverage: {
      teamSignupsSeen: lags.length,
      teamSignupsVisible: visible.length,
      signupLagMinutes: { p50: q(lags, 0.5), p90: q(lags, 0.9) },
      resultsFetched: resultLags.length,
      resultsLagMinutes: { p50: q(resultLags, 0.5), p90: q(resultLags, 0.9) },
    },
  };

  function finalSignups(eventId: string): number {
    const ev = truth.event(eventId);
    if (!ev) return 0;
    const atStart = sim.truthAt(ev.startsAt - 1).signupCounts(eventId);
    return Object.values(atStart).reduce((a, b) => a + b, 0);
  }

  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    console.log(`simulated ${days} days, ${teamSize} riders, seed ${report.seed}`);
    console.log(
      `wall ${report.wallMs} ms (world built in ${report.buildMs} ms), peak RSS ${report.peakRssMb} MB`,
    );
    console.log(
      `${report.requests} requests (${report.requestsPerSec}/s), ${report.megabytesServed} MB served`,
    );
    console.log(`429s ${report.served429}, violations ${report.violations}`);
    console.log(
      `events ${report.events}, signups at start ${report.signupsAtStart}, team signups ${report.teamSignups}`,
    );
    console.log('coverage', JSON.stringify(report.coverage));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
