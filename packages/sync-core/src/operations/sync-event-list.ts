import type { RunContext } from '../engine/job.js';
import { carryFingerprint, eventFingerprint, toEventRecord } from '../records/event-record.js';
import type { EventRecord, EventSource } from '../storage/records.js';

/** What one event-list fetch changed. */
export interface EventListResult {
  /** Every listed event, as stored. */
  events: EventRecord[];
  added: string[];
  updated: string[];
  unchanged: number;
  removed: string[];
}

/**
 * Fetches the upcoming-events list once and upserts all of it (hash-compared). Stored events that
 * should be listed (start still ahead, inside the list's time span) but are not are marked removed —
 * unless the list came back empty, which is treated as an upstream hiccup, not a mass cancellation,
 * or records of it were skipped as malformed (then it is not complete evidence).
 * Emits `event.added` / `event.updated` (updates only when more than the signup counts changed).
 */
export async function syncEventList(
  ctx: RunContext,
  options: {
    /**
     * The source the stored events are marked with.
     * @default 'zwiftracing'
     */
    source?: EventSource;
    markRemoved: boolean;
    previous: ReadonlyMap<string, EventRecord>;
  },
): Promise<EventListResult> {
  const answer = await ctx.call((callOptions) => ctx.source.events.upcoming(callOptions), 10);
  const now = ctx.clock.now();
  ctx.counters.skipped += answer.skipped.length;
  const source = options.source ?? 'zwiftracing';
  const records = answer.events.map((e) => {
    const previous = options.previous.get(String(e.eventId));
    if (previous && previous.source === source && eventFingerprint(previous) === eventFingerprint(e)) {
      const record = { ...previous, fetchedAt: now, removedAt: null };
      carryFingerprint(previous, record);
      return record;
    }
    return toEventRecord(e, now, source);
  });
  const outcome = await ctx.storage.upsertEvents(records);
  ctx.counters.records += records.length;
  const byId = new Map(records.map((r) => [r.eventId, r]));

  const meaningful: string[] = [];
  for (const id of outcome.updated) {
    const before = options.previous.get(id);
    const after = byId.get(id);
    if (!before || !after || contentChanged(before, after)) meaningful.push(id);
  }
  for (const [type, ids] of [
    ['event.added', outcome.added],
    ['event.updated', meaningful],
  ] as const) {
    for (const id of ids) {
      const record = byId.get(id)!;
      ctx.bus.emit({
        id: `${type}:${id}:${record.hash}`,
        type,
        at: now,
        eventId: id,
        startsAt: record.startsAt,
        title: record.title,
      });
    }
  }

  let removed: string[] = [];
  // Only a complete list is evidence that a race is gone: when records were skipped as malformed,
  // a missing race may be one of them, and marking it removed would drop it from the signup sweeps
  // and the results queue.
  if (options.markRemoved && records.length > 0 && answer.skipped.length === 0) {
    const lastListed = Math.max(...records.map((r) => r.startsAt));
    const gone = [...options.previous.values()]
      .filter(
        (e) => e.startsAt > now && e.startsAt <= lastListed && !byId.has(e.eventId) && e.removedAt === null,
      )
      .map((e) => e.eventId);
    removed = gone.length > 0 ? await ctx.storage.markEventsRemoved(gone, now) : [];
  }
  ctx.counters.changes += outcome.added.length + meaningful.length + removed.length;
  return {
    events: records,
    added: outcome.added,
    updated: outcome.updated,
    unchanged: outcome.unchanged.length,
    removed,
  };
}

function contentChanged(a: EventRecord, b: EventRecord): boolean {
  return (
    a.startsAt !== b.startsAt ||
    a.routeId !== b.routeId ||
    a.distanceMeters !== b.distanceMeters ||
    a.laps !== b.laps ||
    a.title !== b.title ||
    a.type !== b.type ||
    a.subType !== b.subType ||
    a.categories.join(',') !== b.categories.join(',')
  );
}
