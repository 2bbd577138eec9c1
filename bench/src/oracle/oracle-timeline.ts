import type { Truth } from '@racesync/simulator';

/** One moment the oracle fetches something, read from the simulator's ground truth. */
export interface OracleTimeline {
  /** Signup lists: event id → times a team rider joined or left it (plus the run's start for races
   * with team signups already in effect then), ascending. */
  signups: { at: number; eventId: string }[];
  /** Result fetches: when a team race's results are published, and when its correction is. */
  results: { at: number; eventId: string; phase: 'initial' | 'correction' }[];
  /** Times a team rider's upstream payload changed, ascending. */
  riderChanges: number[];
}

/**
 * What changed for the team in `[start, end)`, from the truth (`truth` is any view: its change
 * lists hold past and future; `initial` is the view at `start`):
 * - **signups**: every team signup and withdrawal at its time; at `start`, one list per race with
 *   team signups in effect (a cold start must load the state once — every strategy starts cold);
 * - **results**: for team races that start after `start` (the ones a strategy can know of), the
 *   publication and, when there is one, the correction;
 * - **riders**: every change of a team rider's payload.
 */
export function oracleTimeline(truth: Truth, initial: Truth, start: number, end: number): OracleTimeline {
  const signups = new Map<string, { at: number; eventId: string }>();
  const add = (at: number, eventId: string) => signups.set(`${at}:${eventId}`, { at, eventId });
  for (const eventId of new Set(initial.teamSignups().map((s) => s.eventId))) {
    if ((truth.event(eventId)?.startsAt ?? 0) > start) add(start, eventId);
  }
  for (const change of truth.teamSignupChangesBetween(start - 1, end)) {
    if (change.at < end && change.eventStart > change.at) add(change.at, change.eventId);
  }

  const results: OracleTimeline['results'] = [];
  for (const race of truth.teamRaces) {
    if (race.startsAt <= start) continue;
    if (race.resultsAt < end) results.push({ at: race.resultsAt, eventId: race.eventId, phase: 'initial' });
    if (race.correctedAt !== null && race.correctedAt < end)
      results.push({ at: race.correctedAt, eventId: race.eventId, phase: 'correction' });
  }
  results.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : 1));

  const riderChanges = [
    ...new Set(
      truth
        .riderChangesBetween(start - 1, end)
        .filter((c) => c.at < end)
        .map((c) => c.at),
    ),
  ].sort((a, b) => a - b);
  return {
    signups: [...signups.values()].sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : 1)),
    results,
    riderChanges,
  };
}
