import type { RunContext } from '../engine/job.js';
import { storeRiders } from './store-riders.js';

/** Team membership from configuration and/or a club. */
export interface TeamConfig {
  /** Rider ids of the team (source `manual`). */
  riderIds?: readonly number[];
  /** A club whose members are the team (source `club`); needs `source.clubs`. */
  clubId?: number;
}

/**
 * Brings team membership up to date. With a club, one paged call returns full rider payloads, which
 * are stored too (saving a bulk rider call). A club answer with records skipped as malformed adds
 * the members it lists and removes none (the skipped record may be a member's); the next complete
 * answer removes those who left.
 */
export async function syncTeam(
  ctx: RunContext,
  team: TeamConfig,
): Promise<{ added: number[]; removed: number[] }> {
  const now = ctx.clock.now();
  const added: number[] = [];
  const removed: number[] = [];
  if (team.riderIds) {
    const delta = await ctx.storage.replaceTeam('manual', team.riderIds, now);
    added.push(...delta.added);
    removed.push(...delta.removed);
  }
  if (team.clubId !== undefined) {
    const clubs = ctx.source.clubs;
    if (!clubs) throw new Error('team.clubId needs a source with clubs.members()');
    const clubId = team.clubId;
    const answer = await ctx.call((options) => clubs.members(clubId, options));
    ctx.counters.skipped += answer.skipped.length;
    const members = answer.riders.map((r) => r.riderId);
    // A malformed record may be a member's: an answer that skipped any adds members, removes none.
    if (answer.skipped.length > 0) {
      for (const m of await ctx.storage.getTeam()) if (m.source === 'club') members.push(m.riderId);
    }
    const delta = await ctx.storage.replaceTeam('club', [...new Set(members)], now);
    added.push(...delta.added);
    removed.push(...delta.removed);
    await storeRiders(ctx, answer.riders);
  }
  ctx.counters.changes += added.length + removed.length;
  return { added, removed };
}
