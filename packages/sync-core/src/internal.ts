/**
 * `@racesync/sync-core/internal` — the engine's parts, for the benchmark (`bench/`) and other
 * racesync packages: the signup planner, series affinity, the race-duration estimate, the
 * hashing/delta helpers, the coordinator and its jobs, and the operations the jobs are made of.
 *
 * No semver promise: anything here may change or go in any release, minor or patch. Applications
 * use the package's main entry (`@racesync/sync-core`: engine, storage, policy, events, errors).
 */

export { systemClock } from '@racesync/zwift-client';
export { DecayedCounts } from './adaptive/decayed-counts.js';
export { createEventsJob } from './adaptive/events-job.js';
export { estimateFinish } from './adaptive/race-duration.js';
export { createResultsJob } from './adaptive/results-job.js';
export { createRidersJob } from './adaptive/riders-job.js';
export type { AffinitySnapshot } from './adaptive/series-affinity.js';
export { SeriesAffinity, seriesKey } from './adaptive/series-affinity.js';
export {
  LEAD_BIN_MS,
  SignupLeadAffinity,
  type SignupLeadSnapshot,
} from './adaptive/signup-lead-affinity.js';
export type {
  FetchReason,
  PlanInput,
  PlannedFetch,
  SignupPlan,
  SiteCoverage,
} from './adaptive/signup-planner.js';
export { planSignupFetches } from './adaptive/signup-planner.js';
export { StartTimeAffinity, type StartTimeSnapshot } from './adaptive/start-time-affinity.js';
export { createTeamJob } from './adaptive/team-job.js';
export { diffFields } from './delta/diff-fields.js';
export { hashData } from './delta/hash.js';
export { omitPaths } from './delta/omit-paths.js';
export { stableJson } from './delta/stable-json.js';
export { type Budget, budgetOf } from './engine/budget.js';
export type { ClassifiedError } from './engine/classify-error.js';
export { classifyError } from './engine/classify-error.js';
export type { CoordinatorOptions } from './engine/coordinator.js';
export { Coordinator } from './engine/coordinator.js';
export type { Job, JobOutcome, RunContext, RunCounters } from './engine/job.js';
export type { JobEngineOptions } from './engine/job-engine.js';
export { createJobEngine } from './engine/job-engine.js';
export { silentLogger } from './engine/logger.js';
export { EventBus } from './events/event-bus.js';
export type { FeedCursor, FeedFallback, FollowEvidence, PenState } from './follow/feed-state.js';
export { FeedState } from './follow/feed-state.js';
export { createFollowJob } from './follow/follow-job.js';
export { mayBeListed } from './follow/may-be-listed.js';
export { MAX_NEAR_STRETCH, nearPollInterval } from './follow/near-poll-interval.js';
export type { SearchPass } from './follow/search-feed.js';
export { SEARCH_PAGE_LIMIT, searchFeed } from './follow/search-feed.js';
export { teamPresence } from './follow/team-presence.js';
export { applyTeamSignups } from './operations/apply-team-signups.js';
export type { StoreRidersResult } from './operations/store-riders.js';
export { storeRiders } from './operations/store-riders.js';
export type { EventListResult } from './operations/sync-event-list.js';
export { syncEventList } from './operations/sync-event-list.js';
export type { ResultSyncResult } from './operations/sync-results.js';
export { syncResults } from './operations/sync-results.js';
export { syncRiders } from './operations/sync-riders.js';
export type { SignupSyncResult } from './operations/sync-signups.js';
export { syncSignups } from './operations/sync-signups.js';
export { type ClubPaging, syncTeam, type TeamSyncResult } from './operations/sync-team.js';
