import { budgetOf } from '../engine/budget.js';
import { classifyError } from '../engine/classify-error.js';
import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { syncResults } from '../operations/sync-results.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';
import type { ResultJob } from '../storage/records.js';
import { PublicationDelay } from './publication-delay.js';
import { estimateFinish } from './race-duration.js';

/** A correction fetch with malformed rows is repeated (on the retry schedule) at most this often. */
const INCOMPLETE_CORRECTION_RETRIES = 3;

/** When the results of a job's race should be over, by event id (events no longer stored are left out). */
async function estimatedFinishes(ctx: RunContext, jobs: readonly ResultJob[]): Promise<Map<string, number>> {
  const finishes = new Map<string, number>();
  if (jobs.length === 0) return finishes;
  const events = await ctx.storage.listEvents({
    eventIds: [...new Set(jobs.map((j) => j.eventId))],
    includeRemoved: true,
  });
  for (const event of events) finishes.set(event.eventId, estimateFinish(event, ctx.policy));
  return finishes;
}

/**
 * Works the persisted results queue: due jobs in order of value (team riders in the race, then
 * initial before correction, then oldest), as many as the results bucket allows. A race's first
 * attempt waits for the publication delay learned from earlier races (see `PublicationDelay` and
 * `policy.results.delayQuantile`). Missing results are retried on the policy's schedule until
 * `giveUpAfterMs`; the first success queues one correction fetch (repeated a few times while its
 * rows come back malformed) and asks for an early riders run (ratings move after races).
 */
export function createResultsJob(options: { onTeamResults: (at: number) => void }): Job {
  let delay = new PublicationDelay();
  return {
    name: 'results',
    async load({ cursor }) {
      delay = PublicationDelay.from(cursor?.publicationDelaysMs);
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
      const finishes = await estimatedFinishes(
        ctx,
        due.filter((j) => j.phase === 'initial'),
      );
      const learned = delay.quantile(p.delayQuantile, p.delayMinSamples);
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
        const finish = finishes.get(job.eventId);
        if (job.phase === 'initial' && job.attempts === 0 && learned !== null && finish !== undefined) {
          // Not before the learned delay: most races' results are not out yet (no call spent).
          const earliest = finish + Math.max(p.graceMs, learned);
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
            if (finish !== undefined) {
              // The attempt before found nothing one schedule wait before this one was due; a first
              // attempt counts one first wait before it (see PublicationDelay).
              const previous =
                job.attempts === 0 ? at - retryWait(0) : job.dueAt - retryWait(job.attempts - 1);
              delay.observe(at - finish, previous - finish);
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
            if (result.teamRiderIds.length > 0) options.onTeamResults(at);
          } else if (!result.complete && job.attempts < INCOMPLETE_CORRECTION_RETRIES) {
            // Rows were malformed (upstream drift or a bad answer): this is not the final set yet.
            toPut.push({ ...job, attempts: job.attempts + 1, dueAt: at + retryWait(job.attempts) });
          } else {
            toDelete.push(job);
            if (
              result.delta.updated + result.delta.added + result.delta.removed > 0 &&
              result.teamRiderIds.length > 0
            ) {
              options.onTeamResults(at);
            }
          }
        } catch (error) {
          const info = classifyError(error);
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
      return { status, nextDueAt, errorKind, message, cursor: { publicationDelaysMs: delay.toJSON() } };
    },
  };
}
