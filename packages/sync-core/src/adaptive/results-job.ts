import { budgetOf } from '../engine/budget.js';
import { classifyError } from '../engine/classify-error.js';
import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { syncResults } from '../operations/sync-results.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';
import type { EventRecord, ResultJob } from '../storage/records.js';
import { climbingPrior, fitOnClimbing } from './fit-on-climbing.js';
import { PublicationDelay } from './publication-delay.js';
import { flatDurationMs } from './race-duration.js';
import { RouteClimbs } from './route-climbs.js';
import { RouteDurations } from './route-durations.js';

/** A correction fetch with malformed rows is repeated (on the retry schedule) at most this often. */
const INCOMPLETE_CORRECTION_RETRIES = 3;

/** Routes seen (with a known climbing) before a new route's length is predicted from its climbing. */
const FIT_MIN_ROUTES = 3;

/** What the queue needs of a job's race. */
type Race = Pick<EventRecord, 'startsAt' | 'routeId' | 'distanceMeters' | 'categories'> & {
  /** Distance at the slowest listed pen's speed (ms). */
  flatMs: number;
};

/** The races of `jobs`, by event id (events no longer stored are left out). */
async function racesOf(ctx: RunContext, jobs: readonly ResultJob[]): Promise<Map<string, Race>> {
  const races = new Map<string, Race>();
  if (jobs.length === 0) return races;
  const events = await ctx.storage.listEvents({
    eventIds: [...new Set(jobs.map((j) => j.eventId))],
    includeRemoved: true,
  });
  for (const event of events)
    races.set(event.eventId, { ...event, flatMs: flatDurationMs(event, ctx.policy) });
  return races;
}

/**
 * Works the persisted results queue: due jobs in order of value (team riders in the race, then
 * initial before correction, then oldest), as many as the results bucket allows. A race's first
 * attempt waits until its results are likely out: its learned length plus how long after the finish
 * recent races' results appeared (`PublicationDelay`, at `policy.results.delayQuantile`). The length
 * is that of earlier races on its route (`RouteDurations`, from the finish times in their results);
 * on a new route, what routes of its climbing took (`fitOnClimbing`, over the source's route list),
 * else the low quantile of the routes seen. Until a few routes were seen, a new route waits for what
 * its climbing should cost (`climbingPrior`), or, without its climbing, for the flat estimate plus
 * how long after it results appeared. Missing results are retried on the policy's schedule until
 * `giveUpAfterMs`; the first success queues one correction fetch (repeated a few times while its rows
 * come back malformed) and asks for an early riders run (ratings move after races).
 *
 * `onTeamResults(at, riderIds)` is called when results with team riders were stored (`riderIds`:
 * the team riders in them), so the caller can bring the riders of those teams forward.
 */
export function createResultsJob(options: {
  onTeamResults: (at: number, riderIds: readonly number[]) => void;
}): Job {
  /** After the flat estimate (until a few routes were seen, and for results without times). */
  let afterEstimate = new PublicationDelay();
  /** After the race's finish by its results (with a learned race length). */
  let afterFinish = new PublicationDelay();
  let durations = new RouteDurations();
  const climbs = new RouteClimbs();
  return {
    name: 'results',
    async load({ cursor }) {
      afterEstimate = PublicationDelay.from(cursor?.publicationDelaysMs);
      afterFinish = PublicationDelay.from(cursor?.publicationDelaysAfterFinishMs);
      durations = RouteDurations.from(cursor?.routeDurations);
    },
    async run(ctx: RunContext): Promise<JobOutcome> {
      const p = ctx.policy.results;
      /** The schedule's wait after the `n`-th missing answer (0-based; the last one repeats). */
      const retryWait = (n: number) => p.retryScheduleMs[Math.min(n, p.retryScheduleMs.length - 1)]!;
      const now = ctx.clock.now();
      const jobs = await ctx.storage.listResultJobs();
      const due = jobs
        .filter((j) => j.dueAt <= now)
        .sort(
          (a, b) =>
            b.priority - a.priority ||
            Number(a.phase === 'correction') - Number(b.phase === 'correction') ||
            a.dueAt - b.dueAt ||
            a.eventId.localeCompare(b.eventId),
        );
      const team = new Set((await ctx.storage.getTeam()).map((m) => m.riderId));
      const races = await racesOf(
        ctx,
        due.filter((j) => j.phase === 'initial'),
      );
      const learned = afterEstimate.quantile(p.delayQuantile, p.delayMinSamples);
      const learnedAfterFinish = afterFinish.quantile(p.delayQuantile, p.delayMinSamples);
      if (races.size > 0) await climbs.refresh(ctx);
      // A route not seen yet: what routes of its climbing took, else a low quantile of the routes seen
      // (early costs a call; late costs lag).
      const byClimbing = fitOnClimbing(
        durations.medians().flatMap(([routeId, ratio]) => {
          const perKm = climbs.perKm(routeId);
          return perKm === null ? [] : [{ perKm, ratio }];
        }),
        FIT_MIN_ROUTES,
      );
      const newRoute = durations.quantile(p.delayQuantile, FIT_MIN_ROUTES);
      const ratioOf = (routeId: string | null): number | null => {
        const seen = durations.ratio(routeId);
        if (seen !== null) return seen;
        const perKm = climbs.perKm(routeId);
        if (byClimbing && perKm !== null) return byClimbing(perKm);
        if (newRoute !== null || perKm === null) return newRoute;
        // Nothing learned to compare with yet (a first start): what its climbing should cost.
        return climbingPrior(perKm);
      };
      /** When a race's results are likely out, or null while nothing is learned yet. */
      const likelyOutAt = (race: Race): number | null => {
        const ratio = ratioOf(race.routeId);
        if (ratio !== null)
          return race.startsAt + Math.round(race.flatMs * ratio) + (learnedAfterFinish ?? p.graceMs);
        if (learned !== null) return race.startsAt + race.flatMs + Math.max(p.graceMs, learned);
        return null;
      };
      const budget = await budgetOf(ctx, SOURCE_BUCKETS.results);
      const toPut: ResultJob[] = [];
      const toDelete: { eventId: string; phase: ResultJob['phase'] }[] = [];
      let status: JobOutcome['status'] = 'ok';
      let errorKind: string | null = null;
      let message: string | null = null;
      let done = 0;

      for (const job of due) {
        if (ctx.signal.aborted) break;
        if (now - job.eventStartsAt > p.giveUpAfterMs) {
          toDelete.push(job);
          ctx.logger.warn?.(
            { eventId: job.eventId, phase: job.phase },
            'no results after the give-up time; job dropped',
          );
          continue;
        }
        const race = races.get(job.eventId);
        const earliest = job.phase === 'initial' && job.attempts === 0 && race ? likelyOutAt(race) : null;
        if (earliest !== null) {
          // Not before results are likely out: most races' results are not out yet (no call spent).
          if (now < earliest) {
            toPut.push({ ...job, dueAt: earliest });
            continue;
          }
        }
        if (done >= budget.available) break;
        done++;
        try {
          const result = await syncResults(ctx, job.eventId, team, job.phase);
          const at = ctx.clock.now();
          if (!result.available) {
            const attempts = job.attempts + 1;
            toPut.push({ ...job, attempts, dueAt: at + retryWait(attempts - 1) });
          } else if (job.phase === 'initial') {
            if (race) {
              // The attempt before found nothing one schedule wait before this one was due; a first
              // attempt counts one first wait before it (see PublicationDelay).
              const previous =
                job.attempts === 0 ? at - retryWait(0) : job.dueAt - retryWait(job.attempts - 1);
              const estimate = race.startsAt + race.flatMs;
              afterEstimate.observe(at - estimate, previous - estimate);
              if (result.finishSeconds !== null) {
                const finishedAt = race.startsAt + result.finishSeconds * 1000;
                afterFinish.observe(at - finishedAt, previous - finishedAt);
                if (race.routeId !== null)
                  durations.observe(race.routeId, (result.finishSeconds * 1000) / race.flatMs);
              }
            }
            toDelete.push(job);
            toPut.push({
              ...job,
              phase: 'correction',
              attempts: 0,
              dueAt: at + p.correctionDelayMs,
              createdAt: at,
            });
            ctx.logger.debug?.(
              { eventId: job.eventId, teamRiders: result.teamRiderIds.length },
              'results stored',
            );
            if (result.teamRiderIds.length > 0) options.onTeamResults(at, result.teamRiderIds);
          } else if (!result.complete && job.attempts < INCOMPLETE_CORRECTION_RETRIES) {
            // Rows were malformed (upstream drift or a bad answer): this is not the final set yet.
            toPut.push({ ...job, attempts: job.attempts + 1, dueAt: at + retryWait(job.attempts) });
          } else {
            toDelete.push(job);
            if (
              result.delta.updated + result.delta.added + result.delta.removed > 0 &&
              result.teamRiderIds.length > 0
            ) {
              options.onTeamResults(at, result.teamRiderIds);
            }
          }
        } catch (error) {
          const info = classifyError(error, ctx.signal);
          if (info.kind === 'aborted') break;
          if (info.kind === 'rate_limited') break;
          status = 'partial';
          errorKind ??= info.kind;
          message ??= `results ${job.eventId}: ${info.message}`;
          ctx.counters.skipped++;
          toPut.push({
            ...job,
            attempts: job.attempts + 1,
            dueAt: ctx.clock.now() + ctx.policy.failureBackoffMs,
          });
        }
      }
      // Deletes first: an initial job becomes a correction job under the same event id.
      if (toDelete.length > 0)
        await ctx.storage.deleteResultJobs(toDelete.map(({ eventId, phase }) => ({ eventId, phase })));
      if (toPut.length > 0) await ctx.storage.putResultJobs(toPut);

      const remaining = await ctx.storage.listResultJobs();
      const after = ctx.clock.now();
      let nextDueAt = Math.min(...remaining.map((j) => j.dueAt), Number.POSITIVE_INFINITY);
      if (nextDueAt <= after) {
        const refreshed = await budgetOf(ctx, SOURCE_BUCKETS.results);
        nextDueAt = Math.max(refreshed.nextAvailableAt, after + 1000);
      }
      return {
        status,
        nextDueAt,
        errorKind,
        message,
        cursor: {
          publicationDelaysMs: afterEstimate.toJSON(),
          publicationDelaysAfterFinishMs: afterFinish.toJSON(),
          routeDurations: durations.toJSON(),
        },
      };
    },
  };
}
