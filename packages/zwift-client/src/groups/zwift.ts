import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson } from '../http/request.ts';
import { normaliseZwiftEvent } from '../normalise/zwift-events.ts';
import { zwiftEventSchema } from '../schemas/zwift-events.ts';
import type { ZwiftFeedSearch, ZwiftSubgroupEntrants, ZwiftUpcomingEvents } from '../types.ts';
import { validateListBody } from '../validate/validate.ts';
import {
  searchEvents,
  subgroupEntrants,
  type ZwiftEntrantsQuery,
  type ZwiftSearchRange,
} from './zwift-feed.ts';

/**
 * `zwift` group: Zwift's own API — its public upcoming events (keyless, `zwift` budget), and,
 * with `zwiftAuth`, the follower feed of a Zwift account (unofficial API; `zwift-search` and
 * `zwift-entrants` budgets per account, tokens from the `zwift-auth` budget).
 */
export interface ZwiftGroup {
  events: {
    /** Upcoming events (`GET {zwiftBaseUrl}/api/public/events/upcoming`, ≤ 200, ~12–18 h ahead). */
    upcoming(options?: CallOptions): Promise<ZwiftUpcomingEvents>;
    /**
     * Events starting in `[from, to]` as the `zwiftAuth` account sees them, with
     * `followeeEntrantCount` (signed-up riders it follows; `null` = no signal) on every event and
     * pen: `POST {zwiftBaseUrl}/api/events/search?limit=N`, body
     * `{ dateRangeStartISOString, dateRangeEndISOString }`. `truncated` when the answer held
     * `limit` events (split the range). Needs `zwiftAuth` (`ConfigError('zwiftAuth')` without).
     */
    search(range: ZwiftSearchRange, options?: CallOptions): Promise<ZwiftFeedSearch>;
  };
  subgroups: {
    /**
     * Riders signed up to one pen — those the account follows (`type: 'following'`) or everyone
     * (`'all'`): `GET {zwiftBaseUrl}/api/events/subgroups/entrants/{id}?participation=signed_up&type=…&start=S&limit=100`,
     * paged until a page holds fewer than 100 (each page takes a `zwift-entrants` token), deduped
     * by rider id (upstream pages overlap). Unknown pen → `NotFoundError`. Needs `zwiftAuth`.
     */
    entrants(
      subgroupId: string | number,
      query: ZwiftEntrantsQuery,
      options?: CallOptions,
    ): Promise<ZwiftSubgroupEntrants>;
  };
}

export function createZwiftGroup(ctx: ClientContext): ZwiftGroup {
  return {
    events: {
      async upcoming(options) {
        const endpoint = 'zwift.events.upcoming';
        checkCallOptions(options, endpoint);
        const path = '/api/public/events/upcoming';
        const { items: events, skipped } = validateListBody(
          ctx,
          endpoint,
          await requestJson(ctx, endpoint, { path }, options),
          zwiftEventSchema,
          normaliseZwiftEvent,
        );
        return { events, skipped };
      },
      search: (range, options) => searchEvents(ctx, range, options),
    },
    subgroups: {
      entrants: (subgroupId, query, options) => subgroupEntrants(ctx, subgroupId, query, options),
    },
  };
}
