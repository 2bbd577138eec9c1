import { budgetOf } from '../engine/budget.js';
import type { RunContext } from '../engine/job.js';
import { SOURCE_BUCKETS } from '../source/sync-source.js';
import { storeRiders } from './store-riders.js';

/** Team membership from configuration and/or a club. */
export interface TeamConfig {
  /**
   * Rider ids of the team (source `manual`).
   * @default [] (only the club's members)
   */
  riderIds?: readonly number[];
  /**
   * A club whose members are the team (source `club`); needs `source.clubs`.
   * @default undefined (only `riderIds`)
   */
  clubId?: number;
}

/** A club's member list being read page by page: where the next page starts, what came so far. */
export interface ClubPaging {
  after: number;
  riderIds: number[];
  /** Records skipped as malformed on the pages so far. */
  skipped: number;
}

/** What {@link syncTeam} changed, and whether a club's list is still being paged. */
export interface TeamSyncResult {
  added: number[];
  removed: number[];
  /** The club list is not complete: go on from here once the `clubs` bucket has a token. */
  paging: ClubPaging | null;
  /** When that bucket has one (with `paging`). */
  waitUntil: number | null;
}

/**
 * Brings team membership up to date. With a club, the member list comes with full rider payloads,
 * which are stored too (saving a bulk rider call). A list with records skipped as malformed adds
 * the members it lists and removes none (the skipped record may be a member's); the next complete
 * answer removes those who left. A source that pages clubs (`clubs.membersPage`) is read one page
 * per `clubs` token: when the bucket runs dry mid-list, the members read so far are added (none
 * removed) and `paging` says where to go on.
 */
export async function syncTeam(
  ctx: RunContext,
  team: TeamConfig,
  paging: ClubPaging | null = null,
): Promise<TeamSyncResult> {
  const now = ctx.clock.now();
  const added: number[] = [];
  const removed: number[] = [];
  const apply = async (source: 'manual' | 'club', ids: readonly number[]) => {
    const delta = await ctx.storage.replaceTeam(source, ids, now);
    added.push(...delta.added);
    removed.push(...delta.removed);
  };
  /** Club members as stored, plus `ids`: adds, removes nobody. */
  const withStored = async (ids: readonly number[]) => {
    const members = [...ids];
    for (const m of await ctx.storage.getTeam()) if (m.source === 'club') members.push(m.riderId);
    return [...new Set(members)];
  };
  // A source no longer configured is emptied first (a club dropped for a rider list, or the
  // reverse), so its riders can be members again through the configured one.
  if (team.clubId === undefined) await apply('club', []);
  await apply('manual', team.riderIds ?? []);
  let next: ClubPaging | null = null;
  let waitUntil: number | null = null;
  if (team.clubId !== undefined) {
    const clubs = ctx.source.clubs;
    if (!clubs) throw new Error('team.clubId needs a source with clubs.members()');
    const clubId = team.clubId;
    let members: number[];
    let skipped: number;
    if (clubs.membersPage) {
      let after = paging?.after ?? null;
      members = paging ? [...paging.riderIds] : [];
      skipped = paging?.skipped ?? 0;
      for (;;) {
        if (after !== null) {
          const budget = await budgetOf(ctx, SOURCE_BUCKETS.clubs);
          if (budget.available < 1) {
            next = { after, riderIds: members, skipped };
            waitUntil = budget.nextAvailableAt;
            break;
          }
        }
        const from = after;
        const page = await ctx.call((options) =>
          (clubs.membersPage as NonNullable<typeof clubs.membersPage>)(clubId, from, options),
        );
        ctx.counters.skipped += page.skipped.length;
        skipped += page.skipped.length;
        members.push(...page.riders.map((r) => r.riderId));
        await storeRiders(ctx, page.riders);
        if (page.next === null) break;
        after = page.next;
      }
    } else {
      const answer = await ctx.call((options) => clubs.members(clubId, options));
      ctx.counters.skipped += answer.skipped.length;
      skipped = answer.skipped.length;
      members = answer.riders.map((r) => r.riderId);
      await storeRiders(ctx, answer.riders);
    }
    // A malformed record may be a member's, and a list not read to its end lacks members: then
    // add the members read, remove none.
    await apply('club', next !== null || skipped > 0 ? await withStored(members) : [...new Set(members)]);
  }
  ctx.counters.changes += added.length + removed.length;
  return { added, removed, paging: next, waitUntil };
}
