import type { Job, JobOutcome, RunContext } from '../engine/job.js';
import { syncTeam, type TeamConfig } from '../operations/sync-team.js';

/**
 * Keeps team membership current: a static list once per start, a club every `clubIntervalMs`.
 * New members pull the riders job forward.
 */
export function createTeamJob(team: TeamConfig, options: { onMembersAdded: (at: number) => void }): Job {
  return {
    name: 'team',
    async run(ctx: RunContext): Promise<JobOutcome> {
      const now = ctx.clock.now();
      const delta = await syncTeam(ctx, team);
      if (delta.added.length > 0 && team.clubId === undefined) options.onMembersAdded(now);
      const nextDueAt =
        team.clubId === undefined ? Number.POSITIVE_INFINITY : now + ctx.policy.team.clubIntervalMs;
      return { status: 'ok', nextDueAt };
    },
  };
}
