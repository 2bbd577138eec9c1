import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson, withCallScope } from '../http/request.ts';
import {
  normaliseZwiftEntrant,
  normaliseZwiftFeedEvent,
  normaliseZwiftFeedSubgroup,
} from '../normalise/zwift-feed.ts';
import { zwiftFeedEventSchema, zwiftFeedSubgroupSchema, zwiftProfileSchema } from '../schemas/zwift-feed.ts';
import type { SkippedRecord, ZwiftEntrant, ZwiftFeedSearch, ZwiftSubgroupEntrants } from '../types.ts';
import { validateList, validateListBody } from '../validate/validate.ts';
import { checkEntrantsQuery, checkSearchRange, checkStringId } from './args.ts';

/** Page size of `GET /api/events/subgroups/entrants/{id}` (Zwift's cap); a shorter page is the last. */
export const ZWIFT_ENTRANTS_PAGE_SIZE = 100;

/** Most pages one `zwift.subgroups.entrants` call fetches (10,000 riders) before it stops and warns. */
export const ZWIFT_ENTRANTS_MAX_PAGES = 100;

/** `{ from, to, limit? }` of `zwift.events.search`. */
export interface ZwiftSearchRange {
  /** Start of the range: a `Date` or epoch ms (Zwift refuses a start more than 1 h in the past). */
  from: Date | number;
  /** End of the range (at most 7 days after `from`). */
  to: Date | number;
  /**
   * Most events in the answer (1…200). An answer holding `limit` events is `truncated`.
   * @default 200
   */
  limit?: number;
}

/** Which entrants of a pen: the riders the account follows, or everyone signed up. */
export type ZwiftEntrantType = 'following' | 'all';

/** Second argument of `zwift.subgroups.entrants`. */
export interface ZwiftEntrantsQuery {
  type: ZwiftEntrantType;
}

/** `POST /api/events/search?limit=N` → normalised events (see `ZwiftGroup.events.search`). */
export async function searchEvents(
  ctx: ClientContext,
  range: ZwiftSearchRange,
  options: CallOptions | undefined,
): Promise<ZwiftFeedSearch> {
  const endpoint = 'zwift.events.search';
  const { from, to, limit } = checkSearchRange(range, endpoint);
  checkCallOptions(options, endpoint);
  const json = {
    dateRangeStartISOString: new Date(from).toISOString(),
    dateRangeEndISOString: new Date(to).toISOString(),
  };
  const body = await requestJson(ctx, endpoint, { path: `/api/events/search?limit=${limit}`, json }, options);
  const skipped: SkippedRecord[] = [];
  const { items: events, length } = validateListBody(
    ctx,
    endpoint,
    body,
    zwiftFeedEventSchema,
    (raw, index) => {
      const event = normaliseZwiftFeedEvent(raw, []);
      event.subgroups = validateList(
        ctx,
        endpoint,
        raw.eventSubgroups ?? [],
        zwiftFeedSubgroupSchema,
        `[${index}].eventSubgroups`,
        normaliseZwiftFeedSubgroup,
        skipped,
      );
      return event;
    },
    skipped,
  );
  return { events, truncated: length >= limit, skipped };
}

/** Every page of a pen's entrants, deduped by rider id (see `ZwiftGroup.subgroups.entrants`). */
export async function subgroupEntrants(
  ctx: ClientContext,
  subgroupId: string | number,
  query: ZwiftEntrantsQuery,
  options: CallOptions | undefined,
): Promise<ZwiftSubgroupEntrants> {
  const endpoint = 'zwift.subgroups.entrants';
  const id = checkStringId(subgroupId, 'subgroupId', endpoint);
  const type = checkEntrantsQuery(query, endpoint);
  checkCallOptions(options, endpoint);
  return withCallScope(ctx, options, async (scoped) => {
    const riders: ZwiftEntrant[] = [];
    const seen = new Set<number>();
    const skipped: SkippedRecord[] = [];
    const limit = ZWIFT_ENTRANTS_PAGE_SIZE;
    let pages = 0;
    let start = 0;
    for (;;) {
      const path =
        `/api/events/subgroups/entrants/${encodeURIComponent(id)}` +
        `?participation=signed_up&type=${type}&start=${start}&limit=${limit}`;
      const page = validateListBody(
        ctx,
        endpoint,
        await requestJson(ctx, endpoint, { path }, scoped),
        zwiftProfileSchema,
        normaliseZwiftEntrant,
        skipped,
      );
      pages++;
      let added = 0;
      for (const rider of page.items) {
        if (seen.has(rider.riderId)) continue; // pages overlap upstream
        seen.add(rider.riderId);
        riders.push(rider);
        added++;
      }
      if (page.length < limit) break;
      if (added === 0 || pages >= ZWIFT_ENTRANTS_MAX_PAGES) {
        ctx.logger.warn(
          { endpoint, subgroupId: id, pages, riders: riders.length },
          added === 0
            ? `${endpoint}: a full page brought no new rider; stopping (upstream paging does not advance)`
            : `${endpoint}: stopping after ${pages} pages`,
        );
        break;
      }
      start += page.length;
    }
    return { subgroupId: id, riders, pages, skipped };
  });
}
