import type { EventRecord } from '@racesync/sync-core';
import {
  type Job,
  type JobOutcome,
  type RunContext,
  syncEventList,
  syncResults,
  syncRiders,
  syncSignups,
} from '@racesync/sync-core/internal';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The original system's fixed schedule (every field required: the values are {@link ORIGINAL_SCHEDULE}'s). */
export interface BaselineSchedule {
  /** All team riders, this often. */
  ridersEveryMs: number;
  /** Event list + signups of every event starting within `nearSignupsWithinMs`, this often. */
  eventsEveryMs: number;
  /** The near window of `eventsEveryMs`. */
  nearSignupsWithinMs: number;
  /** Signups of events starting between `nearSignupsWithinMs` and `farSignupsWithinMs`, this often. */
  farSignupsEveryMs: number;
  /** The far window's end. */
  farSignupsWithinMs: number;
  /** Results of events with team signups that started within `resultsLookbackMs`, this often. */
  resultsEveryMs: number;
  /** The results job's look-back. */
  resultsLookbackMs: number;
}

/** The original system's schedule: riders 60 min, events 15 min (24 h), far signups 3 h (48 h), results 3 h (24 h back). */
export const ORIGINAL_SCHEDULE: BaselineSchedule = {
  ridersEveryMs: HOUR,
  eventsEveryMs: 15 * MIN,
  nearSignupsWithinMs: 24 * HOUR,
  farSignupsEveryMs: 3 * HOUR,
  farSignupsWithinMs: 48 * HOUR,
  resultsEveryMs: 3 * HOUR,
  resultsLookbackMs: 24 * HOUR,
};

/**
 * A fixed-rate job: due every `everyMs` from its last scheduled time (like a cron line), running the
 * body once per slot; a run that overruns is followed at once by the next, never dropped.
 */
function everyJob(
  name: string,
  everyMs: number,
  body: (ctx: RunContext) => Promise<JobOutcome['status']>,
  offsetMs = 0,
): Job {
  let scheduledAt: number | null = null;
  return {
    name,
    async run(ctx) {
      const now = ctx.clock.now();
      if (scheduledAt === null && offsetMs > 0) {
        scheduledAt = now + offsetMs; // first slot a little after start, as cron lines are
        return { status: 'skipped', nextDueAt: scheduledAt };
      }
      scheduledAt ??= now;
      const status = await body(ctx);
      scheduledAt += everyMs;
      while (scheduledAt + everyMs <= now) scheduledAt += everyMs; // skipped slots are not replayed twice
      return { status, nextDueAt: scheduledAt };
    },
  };
}

async function teamIds(ctx: RunContext): Promise<Set<number>> {
  return new Set((await ctx.storage.getTeam()).map((m) => m.riderId));
}

async function fetchSignupsOf(ctx: RunContext, events: EventRecord[]): Promise<JobOutcome['status']> {
  const team = await teamIds(ctx);
  let failed = 0;
  for (const event of events) {
    if (ctx.signal.aborted) break;
    try {
      await syncSignups(ctx, event.eventId, team);
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') throw error;
      failed++;
      ctx.counters.skipped++;
    }
  }
  return failed > 0 ? 'partial' : 'ok';
}

/**
 * The original system's schedule, reproduced faithfully for side-by-side comparison: riders hourly;
 * the event list and the signups of every event within 24 h every 15 min; events 24–48 h out every
 * 3 h; results every 3 h for events with team signups. Calls wait for rate-limit tokens (through the
 * same client and limits), as the original's queue did — minus its bugs (nothing dropped, no 429s).
 */
export function createBaselineJobs(schedule: BaselineSchedule = ORIGINAL_SCHEDULE): Job[] {
  let known = new Map<string, EventRecord>();
  return [
    everyJob('riders', schedule.ridersEveryMs, async (ctx) => {
      const ids = [...(await teamIds(ctx))];
      const result = await syncRiders(ctx, ids);
      return result.conflicts.length > 0 ? 'partial' : 'ok';
    }),
    everyJob('events', schedule.eventsEveryMs, async (ctx) => {
      const list = await syncEventList(ctx, { markRemoved: true, previous: known });
      known = new Map(list.events.map((e) => [e.eventId, e]));
      const now = ctx.clock.now();
      const near = list.events
        .filter((e) => e.startsAt > now && e.startsAt - now <= schedule.nearSignupsWithinMs)
        .sort((a, b) => a.startsAt - b.startsAt);
      return fetchSignupsOf(ctx, near);
    }),
    everyJob(
      'events-far',
      schedule.farSignupsEveryMs,
      async (ctx) => {
        const now = ctx.clock.now();
        const far = (
          await ctx.storage.listEvents({
            startsFrom: now + schedule.nearSignupsWithinMs,
            startsBefore: now + schedule.farSignupsWithinMs,
          })
        ).sort((a, b) => a.startsAt - b.startsAt);
        return fetchSignupsOf(ctx, far);
      },
      5 * MIN,
    ),
    everyJob(
      'results',
      schedule.resultsEveryMs,
      async (ctx) => {
        const now = ctx.clock.now();
        const recent = await ctx.storage.listEvents({
          startsFrom: now - schedule.resultsLookbackMs,
          startsBefore: now,
        });
        const signups = await ctx.storage.listSignups({
          eventIds: recent.map((e) => e.eventId),
          activeOnly: true,
        });
        const withTeam = [...new Set(signups.map((s) => s.eventId))].sort();
        const team = await teamIds(ctx);
        let failed = 0;
        for (const eventId of withTeam) {
          if (ctx.signal.aborted) break;
          try {
            await syncResults(ctx, eventId, team, 'initial');
          } catch (error) {
            if ((error as { name?: string }).name === 'AbortError') throw error;
            failed++;
            ctx.counters.skipped++;
          }
        }
        return failed > 0 ? 'partial' : 'ok';
      },
      5 * MIN,
    ),
  ];
}
