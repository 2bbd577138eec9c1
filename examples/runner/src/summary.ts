/** The summary printed at the end of every run. */
import {
  formatCount,
  formatDuration,
  formatInterval,
  formatTime,
  peakUse,
  type RequestLog,
} from '@racesync/report';
import type { StorageAdapter } from '@racesync/sync-core';
import type { BucketSpec } from '@racesync/zwift-client';
import type { Observation } from './observe.ts';

export interface LagFigures {
  signups: {
    p50Ms: number | null;
    p95Ms: number | null;
    count: number;
    missed: number;
    nearP95Ms: number | null;
  };
  results: { p50Ms: number | null; p95Ms: number | null; count: number; missed: number };
  riders: { p50Ms: number | null; p95Ms: number | null; count: number; missed: number };
}

export interface SummaryInput {
  title: string;
  start: number;
  end: number;
  observation: Observation;
  requests: RequestLog;
  /** The upstream's limits per bucket (what the calls are measured against). */
  limits: Readonly<Record<string, BucketSpec>>;
  storage: StorageAdapter;
  /** Simulated runs: lag against the simulator's truth, and its own counts. */
  lag?: LagFigures | null;
  upstream?: { violations: number; served429: number; requests: number } | null;
}

const pad = (text: string, width: number) => text.padEnd(width);

async function storedCounts(storage: StorageAdapter): Promise<string> {
  try {
    const [riders, events, signups, results] = await Promise.all([
      storage.getRiders(),
      storage.listEvents({ includeRemoved: false }),
      storage.listSignups(),
      storage.listResults(),
    ]);
    const active = signups.filter((s) => s.withdrawnAt === null).length;
    return `riders ${formatCount(riders.length)} · events ${formatCount(events.length)} · team signups ${formatCount(active)} active (${formatCount(signups.length - active)} withdrawn) · result rows ${formatCount(results.length)}`;
  } catch (error) {
    return `(could not read the storage: ${error instanceof Error ? error.message : String(error)})`;
  }
}

const lagText = (
  l: { p50Ms: number | null; p95Ms: number | null; count: number; missed: number },
  judged: string,
) =>
  l.count === 0
    ? `no samples in this window (missed ${l.missed}; ${judged})`
    : `p50 ${formatDuration(l.p50Ms)} · p95 ${formatDuration(l.p95Ms)} (n=${l.count}, missed ${l.missed})`;

/** The summary as lines of text. */
export async function summaryLines(s: SummaryInput): Promise<string[]> {
  const o = s.observation;
  const lines = [
    `racesync summary — ${s.title}`,
    `  window        ${formatTime(s.start)} → ${formatTime(s.end)} (${formatDuration(s.end - s.start)})`,
  ];
  lines.push(
    `  requests      ${formatCount(s.requests.total())} sent (counted by a wrapped fetch, retries included)`,
  );
  const order = ['site', 'results', 'riders-bulk', 'clubs', 'riders', 'results-zp', 'zwift'];
  const rank = (b: string) => (order.includes(b) ? order.indexOf(b) : order.length);
  const buckets = [...s.requests.calls.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of buckets) {
    const calls = s.requests.calls.get(name) ?? [];
    const spec = s.limits[name];
    const limit = spec
      ? `limit ${spec.capacity} per ${formatInterval(spec.intervalMs)}, peak ${peakUse(calls, spec.intervalMs)} in any window`
      : '';
    lines.push(`    ${pad(name, 14)}${formatCount(calls.length).padStart(6)}   ${limit}`);
  }
  const byJob = [...o.runsByJob].map(([job, n]) => `${job} ${n}`).join(', ');
  lines.push(
    `  sync runs     ok ${o.runs.ok} · partial ${o.runs.partial} · skipped ${o.runs.skipped} · failed ${o.runs.failed}${byJob ? `   (${byJob})` : ''}`,
  );
  if (o.failures.size > 0) {
    lines.push(
      `  failures      ${[...o.failures].map(([kind, n]) => `${kind} ${n}`).join(', ')} (each retried by the engine)`,
    );
  }
  const n = (type: string) => formatCount(o.changes.get(type) ?? 0);
  lines.push(
    `  changes       signup.added ${n('signup.added')} · signup.withdrawn ${n('signup.withdrawn')} · results.ready ${n('results.ready')} · rider.changed ${n('rider.changed')} · event.added ${n('event.added')} · event.updated ${n('event.updated')}`,
  );
  lines.push(`  stored        ${await storedCounts(s.storage)}`);
  if (s.lag) {
    lines.push(
      `  signup lag    ${lagText(s.lag.signups, 'a signup counts once its race has started')}${s.lag.signups.count > 0 ? `; within 6 h of the start p95 ${formatDuration(s.lag.signups.nearP95Ms)}` : ''}`,
    );
    lines.push(`  result lag    ${lagText(s.lag.results, 'no team race published results in it')}`);
    lines.push(
      `  rider lag     ${lagText(s.lag.riders, 'rider changes are judged up to 2 h before the end')}`,
    );
  }
  if (s.upstream) {
    lines.push(
      `  upstream      ${formatCount(s.upstream.requests)} requests served · ${s.upstream.violations} rate-limit violations · ${s.upstream.served429} 429s (the simulator's own count)`,
    );
  }
  return lines;
}
