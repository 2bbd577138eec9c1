import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson, withCallScope } from '../http/request.ts';
import { decodeHtmlEntities } from '../normalise/html-entities.ts';
import { normaliseRider } from '../normalise/rider.ts';
import { toNumber } from '../normalise/values.ts';
import { clubPageSchema } from '../schemas/club.ts';
import { riderSchema } from '../schemas/rider.ts';
import type { ClubMembersResult, Rider, SkippedRecord } from '../types.ts';
import { validateBody, validateList } from '../validate/validate.ts';
import { checkNumericId } from './args.ts';

/** `clubs` group. */
export interface ClubsGroup {
  /**
   * All members of a club: `GET /public/clubs/{id}`, then `/public/clubs/{id}/{lastRiderId}` while
   * a page is full (1000 riders); deduped by riderId. Every page takes a `clubs` token.
   */
  members(clubId: number, options?: CallOptions): Promise<ClubMembersResult>;
}

export function createClubsGroup(ctx: ClientContext): ClubsGroup {
  return {
    async members(clubId, callOptions) {
      const endpoint = 'clubs.members';
      const id = checkNumericId(clubId, 'clubId', endpoint);
      checkCallOptions(callOptions, endpoint);
      return withCallScope(ctx, callOptions, (options) => allPages(ctx, id, options));
    },
  };
}

/** Every page of a club, deduped by riderId. */
async function allPages(
  ctx: ClientContext,
  id: number,
  options: CallOptions | undefined,
): Promise<ClubMembersResult> {
  const endpoint = 'clubs.members';
  const riders = new Map<number, Rider>();
  const skipped: SkippedRecord[] = [];
  let name: string | null = null;
  let from: number | null = null;
  for (;;) {
    const path = `/public/clubs/${id}${from === null ? '' : `/${from}`}`;
    const body = await requestJson(ctx, endpoint, { path }, options);
    const page = validateBody(ctx, endpoint, clubPageSchema, body);
    if (name === null && typeof page.name === 'string') name = decodeHtmlEntities(page.name);
    const records = validateList(ctx, endpoint, page.riders, riderSchema, 'riders', normaliseRider, skipped);
    for (const rider of records) if (!riders.has(rider.riderId)) riders.set(rider.riderId, rider);
    if (page.riders.length < ctx.clubPageSize) break;
    // Next page starts at the highest rider id seen on this one (pages are sorted by riderId).
    let last: number | null = null;
    for (const raw of page.riders) {
      const rid = toNumber((raw as { riderId?: unknown } | null)?.riderId);
      if (rid !== null && (last === null || rid > last)) last = rid;
    }
    if (last === null || (from !== null && last <= from)) break; // no progress: stop rather than loop
    from = last;
  }
  return { clubId: id, name, riders: [...riders.values()], skipped };
}
