import type { TeamSignupChange, Truth } from '@racesync/simulator';
import { percentile } from './percentile.js';
import type { Recording } from './recording-storage.js';

const HOUR = 3_600_000;

export interface LagStats {
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface SignupLag {
  near: LagStats & { count: number };
  all: LagStats & { count: number };
  /** Team changes never stored before the race started. */
  missed: number;
  /**
   * Team riders (per race) whose stored signup state when the race started differed from the truth:
   * the misses that left a wrong answer. A signup and its withdrawal both unseen (a flicker) leave
   * the state right and count only in `missed`.
   */
  wrongAtStart: number;
}

export interface ResultLag extends LagStats {
  count: number;
  /** Team races whose results were not stored within 6 h of appearing. */
  missed: number;
}

const firstAtOrAfter = (times: number[] | undefined, t: number): number | null => {
  if (!times) return null;
  let best: number | null = null;
  for (const x of times) if (x >= t && (best === null || x < best)) best = x;
  return best;
};

/**
 * Every team signup/withdrawal in [start, end) whose race started by `end` (so it is decided), with
 * the first time storage reflected it at or after the change (null: never).
 */
function* decidedChanges(
  truth: Truth,
  recording: Recording,
  start: number,
  end: number,
): Generator<{ change: TeamSignupChange; seen: number | null }> {
  for (const change of truth.teamSignupChangesBetween(start - 1, end)) {
    if (change.eventStart > end) continue;
    const key = `${change.eventId}:${change.riderId}`;
    const seen = firstAtOrAfter(
      (change.kind === 'signup' ? recording.signupAdded : recording.signupWithdrawn).get(key),
      change.at,
    );
    yield { change, seen };
  }
}

const stats = (values: number[]): LagStats => ({
  p50Ms: percentile(values, 50),
  p95Ms: percentile(values, 95),
});

/**
 * Signup lag: every team signup/withdrawal in [start, end) whose race started by `end` (so it is
 * decided) is matched to the first time storage reflected it. `near` = changes within 6 h of the
 * start; `missed` = not reflected before the start.
 */
export function signupLag(truth: Truth, recording: Recording, start: number, end: number): SignupLag {
  const { near, all, missed } = signupLagSamples(truth, recording, start, end);
  return {
    near: { ...stats(near), count: near.length },
    all: { ...stats(all), count: all.length },
    missed,
    wrongAtStart: wrongAtStart(truth, recording, start, end),
  };
}

/** The last time in `times` before `t`, or -∞. */
const lastBefore = (times: number[] | undefined, t: number): number => {
  let best = Number.NEGATIVE_INFINITY;
  for (const x of times ?? []) if (x < t && x > best) best = x;
  return best;
};

/**
 * Team riders, per race with a decided change in [start, end), whose stored signup state at the
 * start (the last recorded add or withdrawal before it) differs from the truth's (their last change
 * before it). See {@link SignupLag.wrongAtStart}.
 */
export function wrongAtStart(truth: Truth, recording: Recording, start: number, end: number): number {
  const pairs = new Map<string, number>();
  for (const { change } of decidedChanges(truth, recording, start, end))
    pairs.set(`${change.eventId}:${change.riderId}`, change.eventStart);
  if (pairs.size === 0) return 0;
  const truthIn = new Map<string, { at: number; in: boolean }>();
  for (const change of truth.teamSignupChanges) {
    const key = `${change.eventId}:${change.riderId}`;
    if (!pairs.has(key) || change.at >= change.eventStart) continue;
    const last = truthIn.get(key);
    if (!last || change.at >= last.at) truthIn.set(key, { at: change.at, in: change.kind === 'signup' });
  }
  let wrong = 0;
  for (const [key, eventStart] of pairs) {
    const added = lastBefore(recording.signupAdded.get(key), eventStart);
    const withdrawn = lastBefore(recording.signupWithdrawn.get(key), eventStart);
    const storedIn = added > withdrawn;
    if (storedIn !== (truthIn.get(key)?.in ?? false)) wrong++;
  }
  return wrong;
}

/** The samples behind {@link signupLag} (lags in ms), e.g. for the report's distributions. */
export function signupLagSamples(
  truth: Truth,
  recording: Recording,
  start: number,
  end: number,
): { near: number[]; all: number[]; missed: number } {
  const near: number[] = [];
  const all: number[] = [];
  let missed = 0;
  for (const { change, seen } of decidedChanges(truth, recording, start, end)) {
    if (seen === null || seen >= change.eventStart) {
      missed++;
      continue;
    }
    const lag = seen - change.at;
    all.push(lag);
    if (change.eventStart - change.at <= 6 * HOUR) near.push(lag);
  }
  return { near, all, missed };
}

/**
 * Result lag: team races that started after `start` and whose results appeared before `end` — time from availability to the
 * first stored result rows. `missed` = not stored within 6 h (judged only where 6 h have passed).
 */
export function resultLag(truth: Truth, recording: Recording, start: number, end: number): ResultLag {
  const { lags, missed } = resultLagSamples(truth, recording, start, end);
  return { ...stats(lags), count: lags.length, missed };
}

/** The samples behind {@link resultLag} (lags in ms), e.g. for the report's distributions. */
export function resultLagSamples(
  truth: Truth,
  recording: Recording,
  start: number,
  end: number,
): { lags: number[]; missed: number } {
  const lags: number[] = [];
  let missed = 0;
  for (const race of truth.teamRaces) {
    // Races that started before the sync did cannot be known from the signup feed: not judged.
    if (race.startsAt <= start || race.resultsAt >= end) continue;
    const seen = firstAtOrAfter(recording.results.get(race.eventId), race.resultsAt);
    const judged = race.resultsAt + 6 * HOUR <= end;
    if (seen === null || seen > race.resultsAt + 6 * HOUR) {
      if (judged) missed++;
      continue;
    }
    lags.push(seen - race.resultsAt);
  }
  return { lags, missed };
}

/** Rider lag: team riders' upstream changes in [start, end − 2 h) to the first stored write after them. */
export function riderLag(truth: Truth, recording: Recording, start: number, end: number) {
  const lags: number[] = [];
  let missed = 0;
  for (const change of truth.riderChangesBetween(start, end - 2 * HOUR)) {
    const seen = firstAtOrAfter(recording.riders.get(change.riderId), change.at);
    if (seen === null) missed++;
    else lags.push(seen - change.at);
  }
  return { p95Ms: percentile(lags, 95), p50Ms: percentile(lags, 50), count: lags.length, missed };
}

/** Debug breakdown of near signup changes (BENCH_DETAIL=1): lag by kind of race. */
export function nearDetail(truth: Truth, recording: Recording, start: number, end: number) {
  const rows: { lag: number | null; kind: string; favourite: boolean; teamBefore: boolean; lead: number }[] =
    [];
  for (const { change, seen } of decidedChanges(truth, recording, start, end)) {
    if (change.eventStart - change.at > 6 * HOUR) continue;
    const teamBefore = truth.teamSignupChanges.some(
      (c) =>
        c.eventId === change.eventId &&
        c.kind === 'signup' &&
        c.at < change.at &&
        c.riderId !== change.riderId,
    );
    rows.push({
      lag: seen === null ? null : (seen - change.at) / 1000,
      kind: change.kind,
      favourite: truth.event(change.eventId)?.favouriteSeries ?? false,
      teamBefore,
      lead: Math.round((change.eventStart - change.at) / 60_000),
    });
  }
  return rows.sort((a, b) => (b.lag ?? 0) - (a.lag ?? 0));
}

/** Debug list of the team signup changes {@link signupLag} counts as missed (BENCH_DETAIL=1). */
export function missedChanges(truth: Truth, recording: Recording, start: number, end: number) {
  const rows: {
    eventId: string;
    riderId: number;
    kind: string;
    leadMin: number;
    seenAfterStartMin: number | null;
  }[] = [];
  for (const { change, seen } of decidedChanges(truth, recording, start, end)) {
    if (seen !== null && seen < change.eventStart) continue;
    rows.push({
      eventId: change.eventId,
      riderId: change.riderId,
      kind: change.kind,
      leadMin: Math.round((change.eventStart - change.at) / 60_000),
      seenAfterStartMin: seen === null ? null : Math.round((seen - change.eventStart) / 60_000),
    });
  }
  return rows;
}
