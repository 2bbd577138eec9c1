import type { ClientContext } from '../context.ts';
import { type CallOptions, checkCallOptions, requestJson, withCallScope } from '../http/request.ts';
import { decodeHtmlEntities } from '../normalise/html-entities.ts';
import { normaliseRider } from '../normalise/rider.ts';
import { toNumber } from '../normalise/values.ts';
import { clubPageSchema } from '../schemas/club.ts';
import { riderSchema } from '../schemas/rider.ts';
import type { ClubMembersPage, ClubMembersResult, Rider, SkippedRecord } from '../types.ts';
import { validateBody, validateList } from '../validate/validate.ts';
import { checkNumericId } from './args.ts';

/** `clubs` group. */
export interface ClubsGroup {
  /**
   * All members of a club: `GET /public/clubs/{id}`, then `/public/clubs/{id}/{lastRiderId}` while
   * a page is full (1000 riders); deduped by riderId. Every page takes a `clubs` token, so a club
   * of more than 1000 members needs more tokens than the standard tier's bucket holds (1 an hour):
   * page with {@link membersPage} across calls instead.
   */
  members(clubId: number, options?: CallOptions): Promise<ClubMembersResult>;
  /**
   * One page of a club's members (1000 riders, sorted by riderId): the first with `after` null
   * (`GET /public/clubs/{id}`), the next with the `next` of the page before
   * (`GET /public/clubs/{id}/{after}`). One `clubs` token.
   */
  membersPage(clubId: number, after: number | null, options?: CallOptions): Promise<ClubMembersPage>;
}

export function createClubsGroup(ctx: ClientContext): ClubsGroup {
  const endpoint = 'clubs.members';
  return {
    async members(clubId, callOptions) {
      const id = checkNumericId(clubId, 'clubId', endpoint);
      checkCallOptions(callOptions, endpoint);
      return withCallScope(ctx, callOptions, (options) => allPages(ctx, id, options));
    },
    async membersPage(clubId, after, callOptions) {
      const id = checkNumericId(clubId, 'clubId', endpoint);
      const from = after === null ? null : checkNumericId(after, 'after', endpoint);
      checkCallOptions(callOptions, endpoint);
      return withCallScope(ctx, callOptions, (options) => onePage(ctx, id, from, options));
    },
  };
}

/** One page of a club from rider id `from` (null: the first page). */
async function onePage(
  ctx: ClientContext,
  id: number,
  from: number | null,
  options: CallOptions | undefined,
): Promise<ClubMembersPage> {
  const endpoint = 'clubs.members';
  const skipped: SkippedRecord[] = [];
  const path = `/public/clubs/${id}${from === null ? '' : `/${from}`}`;
  const body = await requestJson(ctx, endpoint, { path }, options);
  const page = validateBody(ctx, endpoint, clubPageSchema, body);
  const name = typeof page.name === 'string' ? decodeHtmlEntities(page.name) : null;
  const riders = validateList(ctx, endpoint, page.riders, riderSchema, 'riders', normaliseRider, skipped);
  let next: number | null = null;
  if (page.riders.length >= ctx.clubPageSize) {
    // The next page starts at the highest rider id seen on this one (pages are sorted by riderId).
    let last: number | null = null;
    for (const raw of page.riders) {
      const rid = toNumber((raw as { riderId?: unknown } | null)?.riderId);
      if (rid !== null && (last === null || rid > last)) last = rid;
    }
    // No progress: stop rather than loop.
    if (last !== null && (from === null || last > from)) next = last;
  }
  return { clubId: id, name, riders, skipped, next };
}

/** Every page of a club, deduped by riderId. */
async function allPages(
  ctx: ClientContext,
  id: number,
  options: CallOptions | undefined,
): Promise<ClubMembersResult> {
  const riders = new Map<number, Rider>();
  const skipped: SkippedRecord[] = [];
  let name: string | null = null;
  let from: number | null = null;
  for (;;) {
    const page = await onePage(ctx, id, from, options);
    name ??= page.name;
    skipped.push(...page.skipped);
    for (const rider of page.riders) if (!riders.has(rider.riderId)) riders.set(rider.riderId, rider);
    if (page.next === null) break;
    from = page.next;
  }
  return { clubId: id, name, riders: [...riders.values()], skipped };
}
