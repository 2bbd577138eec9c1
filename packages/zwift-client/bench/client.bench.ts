/**
 * Benchmark of @racesync/zwift-client. Prints ONE JSON line:
 *  - precision: per bucket, achieved rate / limit under saturation on a virtual clock, measured by
 *    a loopback server that stamps arrivals (≥ 0.98 wanted, never > 1); the Zwift-account buckets
 *    too (`zwift-auth` saturated by logins the server refuses with a 500, one after another);
 *  - maxObservedOverLimit: the most requests the server saw beyond a bucket's capacity in any
 *    sliding window (must be 0);
 *  - overhead: rounds of 10,000 requests through the client (limits set very high) vs plain fetch
 *    (body parsed too), same loopback server, same concurrency, same process, alternating rounds;
 *    the median ratio fetchRps / clientRps (target ≤ 1.15) and the per-round ratios.
 */
import type { ServerResponse } from 'node:http';
import {
  BUCKET_NAMES,
  type BucketName,
  createZwiftClient,
  RATE_LIMITS,
  systemClock,
  type ZwiftClient,
} from '../src/index.ts';
import { ManualClock } from '../test/helpers/clock.ts';
import { trackedFetch } from '../test/helpers/fetch.ts';
import { sendJson, startServer } from '../test/helpers/server.ts';

const WINDOWS = 20;

function bucketOf(path: string, method: string): BucketName {
  if (path.startsWith('/api/public/riders')) return method === 'POST' ? 'riders-bulk' : 'riders';
  if (path.startsWith('/api/public/clubs')) return 'clubs';
  if (path.startsWith('/api/public/results')) return 'results';
  if (path.startsWith('/api/public/zp')) return 'results-zp';
  if (path.startsWith('/secure/')) return 'zwift-auth';
  if (path.startsWith('/zwift/api/events/search')) return 'zwift-search';
  if (path.startsWith('/zwift/api/events/subgroups/entrants')) return 'zwift-entrants';
  if (path.startsWith('/zwift/')) return 'zwift';
  return 'site';
}

function payload(path: string, method: string, body: string): unknown {
  const bucket = bucketOf(path, method);
  const rider = (riderId: number) => ({ riderId, name: `Rider ${riderId}`, race: null });
  switch (bucket) {
    case 'riders':
      return rider(Number(path.split('/')[4]));
    case 'riders-bulk':
      return (JSON.parse(body) as number[]).map(rider);
    case 'clubs':
      return { clubId: 1, name: 'Club', riders: [rider(1), rider(2)] };
    case 'results':
      return {
        eventId: '1',
        time: 1765195800,
        distance: 20.5,
        results: [
          { riderId: 1, name: 'A', category: 'A', time: 1506.5, gap: 0, positionInCategory: 1, rating: 2000 },
          {
            riderId: 2,
            name: 'B',
            category: 'A',
            time: 1533.9,
            gap: 27.4,
            positionInCategory: 2,
            rating: 1900,
          },
          {
            riderId: 3,
            name: 'C',
            category: 'B',
            time: 1563.2,
            gap: null,
            positionInCategory: 1,
            rating: 1500,
          },
        ],
      };
    case 'results-zp':
      return [{ zwid: 1, name: 'A', pos: 1, time: [1506.5, 1], avg_power: [419, 1], weight: ['70.1', 0] }];
    case 'zwift':
      return [{ id: 1, name: 'E', eventStart: '2025-06-01T22:30:00.000+0000', eventSubgroups: [] }];
    case 'zwift-auth':
      return { access_token: 'bench-access', expires_in: 21_600, refresh_token: 'bench-refresh' };
    case 'zwift-search':
      return [
        {
          id: 1,
          name: 'E',
          eventStart: '2025-06-01T22:30:00.000+0000',
          followeeEntrantCount: 1,
          eventSubgroups: [{ id: 2, subgroupLabel: 'A', followeeEntrantCount: 1 }],
        },
      ];
    case 'zwift-entrants':
      return [{ id: 1, firstName: 'A', lastName: 'B' }];
    default:
      return [];
  }
}

/** The login of the `zwift-auth` saturation client: refused with a 500, so every call makes a new token request. */
const FAILING_LOGIN = 'bench-refused@example.test';

function answer(path: string, method: string, body: string, res: ServerResponse): void {
  if (
    bucketOf(path, method) === 'zwift-auth' &&
    new URLSearchParams(body).get('username') === FAILING_LOGIN
  ) {
    sendJson(res, 500, { error: 'unavailable' });
    return;
  }
  sendJson(res, 200, payload(path, method, body));
}

function call(client: ZwiftClient, bucket: BucketName, i: number): Promise<unknown> {
  switch (bucket) {
    case 'riders':
      return client.riders.get(i + 1);
    case 'riders-bulk':
      return client.riders.getMany([i + 1, i + 2]);
    case 'clubs':
      return client.clubs.members(1);
    case 'results':
      return client.results.forEvent(i + 1);
    case 'results-zp':
      return client.results.zwiftPower(i + 1);
    case 'zwift':
      return client.zwift.events.upcoming();
    case 'zwift-search':
      return client.zwift.events.search({ from: Date.UTC(2025, 5, 1, 12), to: Date.UTC(2025, 5, 1, 13) });
    case 'zwift-entrants':
      return client.zwift.subgroups.entrants(i + 1, { type: 'following' });
    case 'zwift-auth':
      throw new Error('zwift-auth is saturated by its own client (see precision())');
    default:
      return i % 3 === 0
        ? client.routes.list()
        : i % 3 === 1
          ? client.events.upcoming()
          : client.events.signups(i);
  }
}

function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

async function precision(): Promise<{ precision: Record<string, number>; maxObservedOverLimit: number }> {
  const clock = new ManualClock();
  const tracked = trackedFetch();
  const arrivals = new Map<BucketName, number[]>(BUCKET_NAMES.map((b) => [b, []]));
  const server = await startServer((req, res) => {
    const path = req.url.replace(/\?.*$/, '');
    arrivals.get(bucketOf(path, req.method))!.push(clock.now());
    answer(path, req.method, req.body, res);
  });
  const stop = clock.autoAdvance(() => tracked.inflight() > 0);
  const options = {
    apiKey: 'bench-key',
    baseUrl: `${server.url}/api`,
    siteBaseUrl: server.url,
    zwiftBaseUrl: `${server.url}/zwift`,
    zwiftAuthBaseUrl: `${server.url}/secure`,
    clock,
    fetch: tracked.fetch,
  };
  // tokens from a provider: this client's feed calls make no token request
  const client = createZwiftClient({ ...options, zwiftAuth: { token: async () => 'bench-access' } });
  // Every token request of this client is refused with a 500 (never retried): each call in turn
  // needs a new one, so its calls, one after another, saturate the zwift-auth bucket.
  const refused = createZwiftClient({
    ...options,
    zwiftAuth: { username: FAILING_LOGIN, password: 'bench-password' },
  });
  // Saturate every bucket at once: capacity × WINDOWS calls each, all issued at t0.
  const work: Promise<unknown>[] = [];
  for (const bucket of BUCKET_NAMES) {
    const { capacity } = RATE_LIMITS[bucket].standard;
    if (bucket === 'zwift-auth') {
      work.push(
        (async () => {
          for (let i = 0; i < capacity * WINDOWS; i++) {
            await refused.zwift.events.search({ from: 0, to: 1 }).catch(() => {});
          }
        })(),
      );
      continue;
    }
    for (let i = 0; i < capacity * WINDOWS; i++) work.push(call(client, bucket, i));
  }
  await Promise.all(work);
  stop();
  await server.close();

  const result: Record<string, number> = {};
  let maxOver = 0;
  for (const bucket of BUCKET_NAMES) {
    const { capacity, intervalMs } = RATE_LIMITS[bucket].standard;
    const times = arrivals.get(bucket)!;
    // achieved rate = arrivals / windows spanned; a perfect limiter spans exactly WINDOWS windows
    const windows = (Math.max(...times) - Math.min(...times)) / intervalMs + 1;
    const ratio = times.length / windows / capacity;
    result[bucket] = Math.round(ratio * 10_000) / 10_000;
    maxOver = Math.max(maxOver, maxInWindow(times, intervalMs) - capacity);
  }
  return { precision: result, maxObservedOverLimit: maxOver };
}

/** Median of a non-empty list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Client vs plain `fetch` on the same loopback server, in the same process, with the same number
 * of callers and requests in flight (`concurrency`): plain fetch also reads and parses the JSON
 * body; the client runs its whole pipeline (concurrency slot, rate-limit token, timeout, body cap,
 * validation, normalisation) on the same response. Both sides are warmed up, then measured in
 * alternating rounds (the side going first alternates too); `ratio` is the median of the
 * per-round ratios fetchRps / clientRps, `cpuRatio` the median of client / fetch CPU time per
 * request (less sensitive to other processes on the machine).
 */
async function overhead(total = 10_000, concurrency = 4, rounds = 7) {
  const server = await startServer((req, res) => answer(req.url, req.method, req.body, res));
  const client = createZwiftClient({
    apiKey: 'bench-key',
    baseUrl: `${server.url}/api`,
    clock: systemClock,
    concurrency,
    limits: { results: { capacity: 1_000_000_000, intervalMs: 1000 } },
  });
  const url = `${server.url}/api/public/results/1`;
  const measure = async (n: number, one: () => Promise<unknown>) => {
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await one();
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { rps: n / seconds, cpuPerRequest: (used.user + used.system) / n };
  };
  const plain = async (): Promise<unknown> => {
    const res = await fetch(url, { headers: { authorization: 'bench-key' } });
    return res.json();
  };
  const viaClient = (): Promise<unknown> => client.results.forEvent(1);

  for (let i = 0; i < 2; i++) {
    await measure(2000, plain);
    await measure(2000, viaClient);
  }
  const fetchRps: number[] = [];
  const clientRps: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const f = round % 2 === 0 ? await measure(total, plain) : undefined;
    const c = await measure(total, viaClient);
    const g = f ?? (await measure(total, plain));
    fetchRps.push(g.rps);
    clientRps.push(c.rps);
    ratios.push(g.rps / c.rps);
    cpuRatios.push(c.cpuPerRequest / g.cpuPerRequest);
  }
  await server.close();
  return {
    requests: total,
    concurrency,
    rounds,
    clientRps: Math.round(median(clientRps)),
    fetchRps: Math.round(median(fetchRps)),
    ratio: round3(median(ratios)),
    ratios: ratios.map(round3),
    cpuRatio: round3(median(cpuRatios)),
  };
}

const p = await precision();
const o = await overhead();
console.log(JSON.stringify({ ...p, overhead: o }));
