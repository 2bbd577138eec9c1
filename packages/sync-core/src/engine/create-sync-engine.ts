import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@racesync/zwift-client';
import { systemClock } from '@racesync/zwift-client';
import { createEventsJob } from '../adaptive/events-job.js';
import { createResultsJob } from '../adaptive/results-job.js';
import { createRidersJob } from '../adaptive/riders-job.js';
import { createTeamJob } from '../adaptive/team-job.js';
import { FeedState } from '../follow/feed-state.js';
import { createFollowJob } from '../follow/follow-job.js';
import type { TeamConfig } from '../operations/sync-team.js';
import { resolvePolicy } from '../policy/resolve-policy.js';
import type { SyncPolicyInput } from '../policy/sync-policy.js';
import type { SyncSource } from '../source/sync-source.js';
import type { StorageAdapter } from '../storage/storage-adapter.js';
import { createJobEngine } from './job-engine.js';
import { silentLogger } from './logger.js';
import type { SyncEngine } from './sync-engine.js';
import { validateEngineOptions } from './validate-options.js';

/** Options of {@link createSyncEngine}. */
export interface SyncEngineOptions {
  /** The upstream: a `@racesync/zwift-client` client, or anything shaped like {@link SyncSource}. Required. */
  source: SyncSource;
  /** Where the data goes: `createMemoryStorage()`, the Supabase adapter, or your own adapter. Required. */
  storage: StorageAdapter;
  /** The team: rider ids (`riderIds`), a club (`clubId`), or both. Required. */
  team: TeamConfig;
  /**
   * Time source: `@racesync/zwift-client`'s `Clock` type (`now()`, `sleep(ms, signal)`), so one clock
   * object drives client and engine.
   * @default the system clock (`Date.now()` and timers)
   */
  clock?: Clock;
  /**
   * Scheduling policy: any subset of {@link SyncPolicyInput}, at any depth; validated.
   * @default DEFAULT_POLICY
   */
  policy?: SyncPolicyInput;
  /**
   * Structured logger: `@racesync/zwift-client`'s `Logger` type, pino's `(fields, message)` order, so
   * one logger (pino, or anything of that shape) serves client and engine. Every level is optional.
   * @default silent (logs nothing)
   */
  logger?: Logger;
  /**
   * Names this instance in run ids and leases.
   * @default `racesync-` and 8 random hex digits
   */
  instanceId?: string;
  /**
   * Coordinate with other instances through the storage's leases, so no job runs twice at once.
   * @default true when the storage has leases, false otherwise
   */
  useLeases?: boolean;
  /**
   * Use the follower feed: Zwift's event search, seen from a Zwift account that follows the team,
   * as the signal for the team's signups (`source.zwift`: a `@racesync/zwift-client` client created
   * with `zwiftAuth`). The feed's followee counts show where the team signed up at the cost of one
   * search every `policy.followerFeed.nearPollMs`, plus one entrants call per pen whose count moved;
   * the site API keeps the race list and a safety net for team riders the account does not follow
   * (the final sweep of races their category can enter). When the Zwift credentials fail, the engine
   * falls back to the site planner (warning, sync-log entry, `feed.fallback` event) and retries the
   * feed with back-off. Zwift's API is unofficial.
   * @default false (the site API only)
   */
  followerFeed?: boolean;
}

/**
 * Creates the sync engine. With one call a team's riders, upcoming races, team signups and results
 * stay fresh in `storage`, within the upstream's limits: every call is planned within the bucket's
 * budget (`maxWaitMs: 0`), signup lists by time to start, results on race completion.
 *
 * @example
 * const engine = createSyncEngine({ source: createZwiftClient({ apiKey }), storage: createMemoryStorage(), team: { clubId: 20650 } });
 * engine.on('signup.added', (e) => console.log(e.riderId, 'joined', e.eventId));
 * engine.start();
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  validateEngineOptions(options);
  const policy = resolvePolicy(options.policy);
  const feed = options.followerFeed ? new FeedState() : undefined;
  return createJobEngine({
    source: options.source,
    storage: options.storage,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    policy,
    jobs: (pull) => [
      createTeamJob(options.team, { onMembersAdded: (at) => pull('riders', at) }),
      createRidersJob(),
      createEventsJob({ onResultsQueued: (dueAt) => pull('results', dueAt), ...(feed ? { feed } : {}) }),
      createResultsJob({ onTeamResults: (at) => pull('riders', at + policy.riders.afterResultsDelayMs) }),
      ...(feed ? [createFollowJob(feed)] : []),
    ],
    instanceId: options.instanceId ?? `racesync-${randomUUID().slice(0, 8)}`,
    maxWaitMs: 0,
    useLeases: options.useLeases ?? options.storage.leases !== undefined,
  });
}
