import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { type ClubPaging, syncTeam, type TeamConfig } from '../operations/sync-team.js';

function readPaging(cursor: Record<string, unknown> | null): ClubPaging | null {
  const p = cursor?.['paging'] as Partial<ClubPaging> | null | undefined;
  if (!p || typeof p.after !== 'number' || !Array.isArray(p.riderIds)) return null;
  return {
    after: p.after,
    riderIds: p.riderIds.filter((id): id is number => typeof id === 'number' && Number.isFinite(id)),
    skipped: typeof p.skipped === 'number' ? p.skipped : 0,
  };
}

/**
 * Keeps team membership current: a static list once per start, a club every `clubIntervalMs`, and
 * at once when the team's configuration changed since the saved state (a source no longer
 * configured is emptied).
 * A club read page by page goes on as soon as its bucket allows (the pages so far are kept in the
 * job's cursor). New members pull the riders job forward.
 */
export function createTeamJob(team: TeamConfig, options: { onMembersAdded: (at: number) => void }): Job {
  let paging: ClubPaging | null = null;
  // The configuration the saved state was written for: another one makes the job due at start.
  const config = JSON.stringify({
    clubId: team.clubId ?? null,
    riderIds: [...new Set(team.riderIds ?? [])].sort((a, b) => a - b),
  });
  return {
    name: 'team',
    outdated: (cursor) => cursor?.['config'] !== config,
    async load({ cursor }) {
      // Pages of another club are not this club's.
      paging = cursor?.['config'] === config ? readPaging(cursor) : null;
    },
    async run(ctx: RunContext): Promise<JobOutcome> {
      const now = ctx.clock.now();
      const result = await syncTeam(ctx, team, paging);
      paging = result.paging;
      if (result.added.length > 0 && team.clubId === undefined) options.onMembersAdded(now);
      if (paging) {
        return {
          status: 'ok',
          nextDueAt: Math.max(result.waitUntil ?? now, now + 1000),
          cursor: { config, paging: { ...paging } },
          message: `club members: ${paging.riderIds.length} read, the next page when the clubs bucket allows`,
        };
      }
      const nextDueAt =
        team.clubId === undefined ? Number.POSITIVE_INFINITY : now + ctx.policy.team.clubIntervalMs;
      return { status: 'ok', nextDueAt, cursor: { config } };
    },
  };
}
