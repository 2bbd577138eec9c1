/**
 * One run of the engine, shared by both runners: create the engine, show progress, run the chosen
 * mode (`--once`, `--due`, `--hours`, or until Ctrl-C), stop gracefully, print the summary, write
 * the report. Wiring and display only — what to sync and when is the engine's business.
 */
import type { LagDistribution, RequestLog } from '@racesync/report';
import { type ChangeEvent, createSyncEngine, type StorageAdapter } from '@racesync/sync-core';
import type { BucketSpec, Clock, Logger, ZwiftClient } from '@racesync/zwift-client';
import type { RunnerArgs } from './args.ts';
import type { Forwarder } from './forward-ws.ts';
import { observe } from './observe.ts';
import type { Output } from './output.ts';
import { startProgress } from './progress.ts';
import { reportRun, writeReport } from './report.ts';
import type { Shutdown } from './shutdown.ts';
import { type LagFigures, summaryLines } from './summary.ts';
import { isVirtualClock } from './virtual-clock.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type Mode =
  | { kind: 'once' }
  | { kind: 'due' }
  | { kind: 'hours'; hours: number }
  /** Until Ctrl-C, or until `until` (clock time) when given. */
  | { kind: 'forever'; until?: number };

export function modeOf(args: RunnerArgs): Mode {
  if (args.once) return { kind: 'once' };
  if (args.due) return { kind: 'due' };
  if (args.hours !== null) return { kind: 'hours', hours: args.hours };
  return { kind: 'forever' };
}

export interface SessionInput {
  out: Output;
  args: RunnerArgs;
  mode: Mode;
  shutdown: Shutdown;
  clock: Clock;
  client: ZwiftClient;
  /** The upstream's limits per bucket (for display: the client may run with a margin). */
  limits: Readonly<Record<string, BucketSpec>>;
  requests: RequestLog;
  /** The storage the engine writes to (tracked on a virtual clock when it does I/O). */
  storage: StorageAdapter;
  team: { riderIds?: number[]; clubId?: number };
  /** The client has a Zwift account: the engine runs the follower feed (`followerFeed`). */
  followerFeed: boolean;
  forwarders: Forwarder[];
  /** What ran, e.g. `simulated upstream, memory storage`: the summary heading and report title. */
  title: string;
  reportSubtitle: string;
  /** `sim ` for simulated time (prefix of progress times). */
  clockLabel: string;
  /** Simulated runs: lag against the truth, and the simulator's counts. */
  simulated?: {
    lag(
      start: number,
      end: number,
    ): { figures: LagFigures; signupLag: LagDistribution; resultLag: LagDistribution };
    stats(): { violations: number; served429: number; requests: number };
  };
}

export interface SessionResult {
  start: number;
  end: number;
  failedRuns: number;
  reportPath: string | null;
}

/** The engine's log lines (pino's order, `(fields, message)`): errors always, warn/info with `--verbose`. */
function engineLogger(out: Output, verbose: boolean): Logger {
  const fmt = (level: string, fields: Record<string, unknown>, message: string) =>
    `${level}: ${message}${Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`;
  return {
    error: (fields, message) => out.error(fmt('error', fields, message)),
    ...(verbose
      ? {
          warn: (fields: Record<string, unknown>, message: string) => out.line(fmt('warn', fields, message)),
          info: (fields: Record<string, unknown>, message: string) => out.line(fmt('info', fields, message)),
        }
      : {}),
  };
}

/** What to check after a failed run, by job and error kind (the follow job's `auth` is Zwift's login). */
export function hintOf(job: string, kind: string): string {
  if (kind === 'auth' && job === 'follow')
    return ' — Zwift refused the account: check ZWIFT_USERNAME and ZWIFT_PASSWORD (the site lists cover every race meanwhile)';
  if (kind === 'auth')
    return ' — the upstream refused the API key: check ZWIFTRACING_API_KEY and ZWIFTRACING_TIER';
  if (kind === 'storage') return ' — check the database configuration and that the migrations are applied';
  return '';
}

function eventLine(e: ChangeEvent): string {
  switch (e.type) {
    case 'signup.added':
    case 'signup.withdrawn':
      return `${e.type} rider ${e.riderId} · event ${e.eventId} (pen ${e.pen})`;
    case 'rider.changed':
      return `${e.type} rider ${e.riderId}: ${e.changedFields.slice(0, 6).join(', ')}${e.changedFields.length > 6 ? ', …' : ''}`;
    case 'event.added':
    case 'event.updated':
      return `${e.type} ${e.eventId} "${e.title}"`;
    case 'results.ready':
      return `${e.type} ${e.eventId} (${e.phase}): ${e.rows} rows, team riders ${e.teamRiderIds.join(', ')}`;
    case 'sync.completed':
      return `${e.type} ${e.job} ${e.status} (${e.apiCalls} calls, ${e.changes} changes)`;
    case 'sync.failed':
      return `${e.type} ${e.job}: ${e.errorKind} ${e.message}`;
    case 'feed.fallback':
    case 'feed.restored':
      return `${e.type}: ${e.message}`;
  }
}

export async function runSession(s: SessionInput): Promise<SessionResult> {
  const { out, clock, mode } = s;
  const virtual = isVirtualClock(clock);
  const timeLabel = (at: number) => `${s.clockLabel}${new Date(at).toISOString().slice(11, 16)}`;

  const engine = createSyncEngine({
    source: s.client,
    storage: s.storage,
    team: s.team,
    clock,
    logger: engineLogger(out, s.args.verbose),
    ...(s.followerFeed ? { followerFeed: true } : {}),
  });
  let refresh = () => {};
  const { observation } = observe(engine, (event) => {
    if (event.type === 'feed.fallback') {
      // Loud, verbose or not: signups come from the (costlier) site planner until the feed works again.
      out.error(
        `${timeLabel(event.at)} follower feed off (${event.errorKind}): ${event.message} — signups come from the ZwiftRacing site meanwhile; check ZWIFT_USERNAME/ZWIFT_PASSWORD and that the account is not locked`,
      );
    } else if (event.type === 'feed.restored') {
      out.line(`${timeLabel(event.at)} ${event.message}`);
    } else if (event.type === 'sync.failed') {
      out.error(
        `${timeLabel(event.at)} ${event.job} failed (${event.errorKind}): ${event.message}${hintOf(event.job, event.errorKind)}`,
      );
    } else if (s.args.verbose && event.type !== 'sync.completed') {
      out.line(`${timeLabel(event.at)} ${eventLine(event)}`);
    }
    refresh();
  });
  for (const f of s.forwarders) f.attach(engine);

  const start = clock.now();
  const progressStop = new AbortController();
  const everyMs = (s.args.progressMinutes ?? (mode.kind === 'hours' && mode.hours > 6 ? 60 : 15)) * MINUTE;
  const progress = startProgress(
    {
      clock,
      engine,
      client: s.client,
      limits: s.limits,
      requests: s.requests,
      observation,
      clockLabel: s.clockLabel,
    },
    out,
    everyMs,
    progressStop.signal,
  );
  refresh = progress.refresh;

  const drive = <T>(promise: Promise<T>): Promise<T> => (virtual ? clock.run(promise) : promise);
  const modeText =
    mode.kind === 'once'
      ? 'each job once'
      : mode.kind === 'due'
        ? 'the jobs that are due'
        : mode.kind === 'hours'
          ? `${mode.hours} h${virtual ? ' of simulated time, as fast as possible' : ''}`
          : 'until Ctrl-C';
  // Printed once Ctrl-C is handled (both runners install the handler before the session starts):
  // from this line on, an interrupt stops gracefully with a summary.
  out.line(`${timeLabel(start)} syncing: ${modeText}`);

  if (mode.kind === 'once') {
    await drive(engine.runOnce(undefined, { signal: s.shutdown.signal }));
  } else if (mode.kind === 'due') {
    await drive(engine.runDue({ signal: s.shutdown.signal }));
  } else {
    const end = mode.kind === 'hours' ? start + mode.hours * HOUR : (mode.until ?? Number.POSITIVE_INFINITY);
    engine.start();
    if (virtual) {
      if (!Number.isFinite(end)) throw new Error('a virtual clock needs --hours, --once or --due');
      // In slices, so Ctrl-C is seen between them.
      while (clock.now() < end && !s.shutdown.signal.aborted) {
        await clock.runUntil(Math.min(end, clock.now() + 5 * MINUTE));
      }
    } else {
      const wait = Number.isFinite(end)
        ? clock.sleep(Math.max(0, end - clock.now()), s.shutdown.signal)
        : s.shutdown.requested;
      await wait.catch(() => undefined);
    }
    if (mode.kind === 'forever' && !s.shutdown.signal.aborted)
      out.line(`${timeLabel(clock.now())} the simulated world ends here`);
    await drive(engine.stop());
  }
  progressStop.abort();
  await progress.done;
  out.status('');
  const end = clock.now();

  const lag = s.simulated?.lag(start, end) ?? null;
  for (const line of await summaryLines({
    title: s.title,
    start,
    end,
    observation,
    requests: s.requests,
    limits: s.limits,
    storage: s.storage,
    lag: lag?.figures ?? null,
    upstream: s.simulated?.stats() ?? null,
  })) {
    out.line(line);
  }

  let reportPath: string | null = null;
  if (s.args.report) {
    const upstream = s.simulated?.stats();
    reportPath = writeReport(
      s.args.report,
      `racesync — ${s.title}`,
      s.reportSubtitle,
      reportRun({
        label: 'adaptive engine (this run)',
        start,
        end,
        requests: s.requests,
        limits: s.limits,
        observation,
        signupLag: lag?.signupLag ?? null,
        resultLag: lag?.resultLag ?? null,
        ...(upstream
          ? { figures: { 'rate-limit violations': upstream.violations, '429s served': upstream.served429 } }
          : {}),
      }),
    );
    out.line(`report written to ${reportPath}`);
  }
  for (const f of s.forwarders) {
    await f.close();
    const st = f.stats();
    out.line(
      `forwarded to ${f.description}: ${st.sent} sent${st.failed ? `, ${st.failed} failed` : ''}${st.dropped ? `, ${st.dropped} dropped` : ''}`,
    );
  }
  return { start, end, failedRuns: observation.runs.failed, reportPath };
}
