import type { EventRecord, TeamConfig } from '@racesync/sync-core';
import {
  type Job,
  type JobOutcome,
  type RunContext,
  syncEventList,
  syncResults,
  syncRiders,
  syncSignups,
  syncTeam,
} from '@racesync/sync-core/internal';
import type { OracleTimeline } from './oracle-timeline.js';

async function teamIds(ctx: RunContext): Promise<Set<number>> {
  return new Set((await ctx.storage.getTeam()).map((m) => m.riderId));
}

/** The first time in an ascending list after `t`, or +∞. */
function firstAfter(times: readonly number[], t: number): number {
  for (const x of times) if (x > t) return x;
  return Number.POSITIVE_INFINITY;
}

/**
 * The oracle's jobs: each runs exactly when the truth says something changed for the team, and
 * fetches exactly that — through the real client and sync-core's operations, so what it stores and
 * counts is measured like any strategy. Calls wait for rate-limit tokens (`maxWaitMs` unset), so a
 * change that arrives while a bucket is empty is batched into the call that waits.
 */
export function createOracleJobs(team: TeamConfig, timeline: OracleTimeline): Job[] {
  const known = new Map<string, EventRecord>();
  let signupIndex = 0;
  let resultIndex = 0;
  let riderCovered = Number.NEGATIVE_INFINITY;
  return [
    {
      // The club roster once: the simulated club's membership never changes during a run.
      name: 'team',
      async run(ctx) {
        await syncTeam(ctx, team);
        return { status: 'ok', nextDueAt: Number.POSITIVE_INFINITY };
      },
    },
    {
      // A signup list right after a team rider joins or leaves a race; the event list first when
      // that race is not stored yet.
      name: 'events',
      needs: ['team'],
      async run(ctx): Promise<JobOutcome> {
        const now = ctx.clock.now();
        const team = await teamIds(ctx);
        // The loop starts every job at once: wait until the team job stored the team.
        if (team.size === 0) return { status: 'skipped', nextDueAt: now + 1000 };
        const due = new Set<string>();
        while (signupIndex < timeline.signups.length && timeline.signups[signupIndex]!.at <= now) {
          due.add(timeline.signups[signupIndex]!.eventId);
          signupIndex++;
        }
        if ([...due].some((id) => !known.has(id))) {
          const list = await syncEventList(ctx, { markRemoved: false, previous: known });
          for (const event of list.events) known.set(event.eventId, event);
        }
        for (const eventId of due) await syncSignups(ctx, eventId, team);
        return { status: 'ok', nextDueAt: timeline.signups[signupIndex]?.at ?? Number.POSITIVE_INFINITY };
      },
    },
    {
      // A results call right after a team race's results are published, and once more when a
      // correction is.
      name: 'results',
      needs: ['team'],
      async run(ctx): Promise<JobOutcome> {
        const now = ctx.clock.now();
        const team = await teamIds(ctx);
        if (team.size === 0) return { status: 'skipped', nextDueAt: now + 1000 };
        while (resultIndex < timeline.results.length && timeline.results[resultIndex]!.at <= now) {
          const { eventId, phase } = timeline.results[resultIndex]!;
          const result = await syncResults(ctx, eventId, team, phase);
          if (!result.available) throw new Error(`oracle: results of ${eventId} not published at ${now}`);
          resultIndex++;
        }
        return { status: 'ok', nextDueAt: timeline.results[resultIndex]?.at ?? Number.POSITIVE_INFINITY };
      },
    },
    {
      // A bulk rider call when a team rider changed; changes that arrive while the call waits for
      // the riders-bulk token are in the answer it gets.
      name: 'riders',
      needs: ['team'],
      async run(ctx): Promise<JobOutcome> {
        const now = ctx.clock.now();
        const team = await teamIds(ctx);
        if (team.size === 0) return { status: 'skipped', nextDueAt: now + 1000 };
        if (firstAfter(timeline.riderChanges, riderCovered) <= now) {
          await syncRiders(ctx, [...team]);
          riderCovered = ctx.clock.now();
        } else {
          riderCovered = Math.max(riderCovered, now);
        }
        return { status: 'ok', nextDueAt: firstAfter(timeline.riderChanges, riderCovered) };
      },
    },
  ];
}
