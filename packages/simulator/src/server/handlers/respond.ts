/**
 * Answering a routed, admitted request: the public API's handlers (./public-api.ts), Zwift's
 * authenticated API (./zwift-api.ts); the site and Zwift feeds straight from their payload builders.
 */
import { siteEventsBody } from '../../world/payloads/site-events.ts';
import { siteRoutesJson } from '../../world/payloads/site-routes.ts';
import { siteSignupsBody } from '../../world/payloads/site-signups.ts';
import { zwiftEventsJson } from '../../world/payloads/zwift-events.ts';
import type { World } from '../../world/world.ts';
import type { ZwiftAccount, ZwiftAccounts } from '../../zwift-auth/accounts.ts';
import type { Body } from '../body.ts';
import { HttpError } from '../http-error.ts';
import type { Route } from '../routes.ts';
import type { EntrantsRequest, SearchRequest, TokenRequest } from '../zwift-requests.ts';
import { eventOr404 } from './find-event.ts';
import { clubBody, resultsBody, riderBody, ridersBulkBody, zpResultsBody } from './public-api.ts';
import { entrantsBody, searchBody, tokenBody } from './zwift-api.ts';

/** What the handlers read. */
export interface HandlerContext {
  world: World;
  clubPageSize: number;
  /** Shuffle stream for bulk answers (deterministic per request sequence). */
  shuffleSeed: () => number;
  /** The Zwift captain accounts. */
  accounts: ZwiftAccounts;
}

/** What the pipeline read from a request before answering it. */
export interface RequestInput {
  /** The parsed body: rider ids, a token request or a search request. */
  body: unknown;
  /** The account of the bearer token (Zwift's authenticated API), else null. */
  account: ZwiftAccount | null;
}

/** The 200 body of `found` at `now`; throws an `HttpError` (404…) for what does not exist. */
export function respond(ctx: HandlerContext, found: Route, now: number, input: RequestInput): Body {
  const body = input.body;
  const { world } = ctx;
  const p = found.params;
  switch (found.endpoint) {
    case 'riders':
      return riderBody(world, p, now);
    case 'riders-bulk':
      return ridersBulkBody(world, p, now, body as number[], ctx.shuffleSeed);
    case 'clubs':
      return clubBody(world, p, now, ctx.clubPageSize);
    case 'results':
      return resultsBody(world, p, now);
    case 'results-zp':
      return zpResultsBody(world, p, now);
    case 'site-events':
      return siteEventsBody(world, now);
    case 'site-signups':
      return siteSignupsBody(world, eventOr404(world, p[0] as string), now);
    case 'site-routes':
      return siteRoutesJson();
    case 'zwift-events':
      return zwiftEventsJson(world, now);
    case 'zwift-token':
      return tokenBody(ctx.accounts, body as TokenRequest, now);
    case 'zwift-search':
      return searchBody(world, input.account as ZwiftAccount, body as SearchRequest, now);
    case 'zwift-entrants':
      return entrantsBody(world, input.account as ZwiftAccount, p[0] as string, body as EntrantsRequest, now);
    default:
      throw new HttpError(404, 'Not found');
  }
}
