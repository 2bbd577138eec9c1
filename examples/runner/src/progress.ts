/**
 * Progress display: one compact line — clock time, the running or last job, calls per bucket against
 * the budget (used in the current window, from `client.rateLimits.state(bucket)`, and the total seen
 * by the wrapped fetch), and changes seen by type.
 */
import { formatClock, formatCount, type RequestLog } from '@racesync/report';
import type { SyncEngine } from '@racesync/sync-core';
import type { BucketName, BucketSpec, Clock, ZwiftClient } from '@racesync/zwift-client';
import type { Observation } from './observe.ts';
import type { Output } from './output.ts';

/** Buckets the engine spends; others are shown once they have calls. */
const MAIN_BUCKETS: BucketName[] = ['site', 'results', 'riders-bulk', 'clubs'];

const shortInterval = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);

export interface ProgressSource {
  clock: Clock;
  engine: SyncEngine;
  client: ZwiftClient;
  /** The upstream's limits, for display. */
  limits: Readonly<Record<string, BucketSpec>>;
  requests: RequestLog;
  observation: Observation;
  /** Label before the time: `sim` for simulated time. */
  clockLabel: string;
}

export function changeCounts(observation: Observation): string {
  const n = (type: string) => formatCount(observation.changes.get(type) ?? 0);
  return `signups +${n('signup.added')} −${n('signup.withdrawn')} · results ready ${n('results.ready')} · rider changes ${n('rider.changed')} · events +${n('event.added')} ~${n('event.updated')}`;
}

export async function bucketUse(
  client: ZwiftClient,
  limits: Readonly<Record<string, BucketSpec>>,
  requests: RequestLog,
): Promise<string> {
  const table = client.rateLimits.table;
  const names = [
    ...MAIN_BUCKETS,
    ...(Object.keys(table) as BucketName[]).filter(
      (b) => !MAIN_BUCKETS.includes(b) && (requests.calls.get(b)?.length ?? 0) > 0,
    ),
  ];
  const parts: string[] = [];
  for (const bucket of names) {
    const total = requests.calls.get(bucket)?.length ?? 0;
    let used = '?';
    try {
      const state = await client.rateLimits.state(bucket);
      used = String(Math.max(0, state.capacity - state.available));
    } catch {
      // no key for keyed buckets, or the store is unreachable: show totals only
    }
    const spec = limits[bucket] ?? table[bucket];
    parts.push(
      `${bucket} ${formatCount(total)} [${used}/${spec.capacity}·${shortInterval(spec.intervalMs)}]`,
    );
  }
  return parts.join(' ');
}

export function jobState(engine: SyncEngine, observation: Observation): string {
  const running = engine
    .schedule()
    .filter((s) => s.running)
    .map((s) => s.job);
  const last = observation.last;
  const lastText = last
    ? `last ${last.job} ${last.status}${last.apiCalls ? ` (${last.apiCalls} call${last.apiCalls === 1 ? '' : 's'})` : ''}`
    : 'starting';
  return running.length > 0 ? `running ${running.join(', ')} · ${lastText}` : lastText;
}

export async function progressLine(src: ProgressSource): Promise<string> {
  const time = `${src.clockLabel}${formatClock(src.clock.now())}`;
  return `${time} | ${jobState(src.engine, src.observation)} | calls ${await bucketUse(src.client, src.limits, src.requests)} | ${changeCounts(src.observation)}`;
}

/**
 * Prints a progress line every `everyMs` of the run's clock until `signal` aborts; on a TTY also
 * keeps a status line fresh (at most every 150 ms of real time) as jobs complete.
 */
export function startProgress(
  src: ProgressSource,
  out: Output,
  everyMs: number,
  signal: AbortSignal,
): { refresh(): void; done: Promise<void> } {
  let lastDraw = 0;
  let drawing = false;
  const refresh = () => {
    if (!out.tty || drawing || signal.aborted) return;
    const t = performance.now();
    if (t - lastDraw < 150) return;
    lastDraw = t;
    drawing = true;
    void progressLine(src)
      .then((line) => {
        if (!signal.aborted) out.status(line);
      })
      .finally(() => {
        drawing = false;
      });
  };
  const done = (async () => {
    while (!signal.aborted) {
      try {
        await src.clock.sleep(everyMs, signal);
      } catch {
        break;
      }
      if (signal.aborted) break;
      out.line(await progressLine(src));
    }
  })();
  return { refresh, done };
}
