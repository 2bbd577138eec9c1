import { raceFinishSeconds } from '../adaptive/race-duration.js';
import type { RunContext } from '../engine/job.js';
import { toResultRecord } from '../records/result-record.js';
import type { ResultDelta } from '../storage/storage-adapter.js';

/** What one results fetch found. */
export interface ResultSyncResult {
  /** False when upstream has no results yet (404 or an empty list). */
  available: boolean;
  /** False when rows were skipped as malformed: the stored set may not be the whole truth yet. */
  complete: boolean;
  delta: ResultDelta;
  rows: number;
  teamRiderIds: number[];
  /** How long the race took by the fetched rows (its slowest pen's winning time, s), null without times. */
  finishSeconds: number | null;
}

const EMPTY: ResultDelta = { added: 0, updated: 0, unchanged: 0, removed: 0 };

/**
 * Fetches one event's results and applies the complete set (rows hash-compared; rows dropped by a
 * correction marked removed). "Not published yet" (`not_found` or an empty list) is not an error.
 * Emits `results.ready` when the stored results changed.
 */
export async function syncResults(
  ctx: RunContext,
  eventId: string,
  team: ReadonlySet<number>,
  phase: 'initial' | 'correction',
): Promise<ResultSyncResult> {
  let answer: Awaited<ReturnType<RunContext['source']['results']['forEvent']>>;
  try {
    answer = await ctx.call((options) => ctx.source.results.forEvent(eventId, options));
  } catch (error) {
    if ((error as { kind?: unknown }).kind === 'not_found') {
      return {
        available: false,
        complete: true,
        delta: EMPTY,
        rows: 0,
        teamRiderIds: [],
        finishSeconds: null,
      };
    }
    throw error;
  }
  ctx.counters.skipped += answer.skipped.length;
  if (answer.results.length === 0)
    return { available: false, complete: true, delta: EMPTY, rows: 0, teamRiderIds: [], finishSeconds: null };
  const now = ctx.clock.now();
  const rows = answer.results.map((row) => toResultRecord(eventId, row, now));
  let delta: ResultDelta;
  if (answer.skipped.length > 0) {
    // Not a complete set: apply what we have plus the stored rows we could not re-read.
    const listed = new Set(rows.map((r) => r.riderId));
    const kept = (await ctx.storage.listResults({ eventIds: [eventId] })).filter(
      (r) => !listed.has(r.riderId),
    );
    delta = await ctx.storage.applyResults(eventId, [...rows, ...kept], now);
  } else {
    delta = await ctx.storage.applyResults(eventId, rows, now);
  }
  ctx.counters.records += rows.length;
  const changes = delta.added + delta.updated + delta.removed;
  ctx.counters.changes += changes;
  const teamRiderIds = rows.filter((r) => team.has(r.riderId)).map((r) => r.riderId);
  if (changes > 0) {
    ctx.bus.emit({
      id: `results.ready:${eventId}:${phase}:${now}`,
      type: 'results.ready',
      at: now,
      eventId,
      phase,
      teamRiderIds,
      rows: rows.length,
    });
  }
  return {
    available: true,
    complete: answer.skipped.length === 0,
    delta,
    rows: rows.length,
    teamRiderIds,
    finishSeconds: raceFinishSeconds(rows),
  };
}
