import type { RunContext } from '../engine/job.js';
import type { SourceFeedEvent, SourceFollowerFeed } from '../source/sync-source.js';

/** Most events Zwift's search returns per call. */
export const SEARCH_PAGE_LIMIT = 200;

/** What one search pass saw. */
export interface SearchPass {
  /** Every event seen, by id (pages overlap at their boundary start: deduped). */
  events: Map<string, SourceFeedEvent>;
  /** Latest start the pass saw completely (events starting later may exist). */
  coveredUntil: number;
  /** Calls made. */
  calls: number;
  /** Records the client skipped as malformed. */
  skipped: number;
}

/**
 * Searches `[from, to]` page by page (200 events per answer, sorted by start) until the answers
 * cover `target` or `to`, or `maxCalls` calls were made. A truncated answer covers its starts up to
 * (not including) the last one — events at that start may have been cut — so the next page begins
 * there.
 */
export async function searchFeed(
  ctx: RunContext,
  feed: SourceFollowerFeed,
  range: { from: number; to: number; target: number; maxCalls: number },
): Promise<SearchPass> {
  const events = new Map<string, SourceFeedEvent>();
  let from = range.from;
  let coveredUntil = range.from - 1;
  let calls = 0;
  let skipped = 0;
  while (calls < range.maxCalls) {
    const answer = await ctx.call(
      (options) => feed.events.search({ from, to: range.to, limit: SEARCH_PAGE_LIMIT }, options),
      5,
    );
    calls++;
    skipped += answer.skipped.length;
    ctx.counters.skipped += answer.skipped.length;
    ctx.counters.records += answer.events.length;
    let last = Number.NEGATIVE_INFINITY;
    for (const event of answer.events) {
      events.set(event.eventId, event);
      if (event.startsAt > last) last = event.startsAt;
    }
    if (!answer.truncated || !(last > from)) {
      // Complete (or a page that cannot advance: treat what it saw as all there is up to `to`).
      coveredUntil = answer.truncated ? Math.max(coveredUntil, last - 1) : range.to;
      break;
    }
    coveredUntil = last - 1;
    if (coveredUntil >= range.target) break;
    from = last;
  }
  return { events, coveredUntil, calls, skipped };
}
