/**
 * `@racesync/sync-core`: the engine (`createSyncEngine`), storage (`createMemoryStorage` and the
 * `StorageAdapter` contract), policy, change events and errors. The engine's parts (planner, jobs,
 * hashing helpers, …) are at `@racesync/sync-core/internal`, without a semver promise; the storage
 * conformance suite is at `@racesync/sync-core/testing`.
 */

export type { BucketSpec, BucketState, RateLimitStore, TakeResult } from '@racesync/zwift-client';
export type { SyncEngineOptions } from './engine/create-sync-engine.js';
export { createSyncEngine } from './engine/create-sync-engine.js';
export type { RunSummary } from './engine/run-record.js';
export type { JobName, RunOptions, SyncEngine } from './engine/sync-engine.js';
export { SyncConfigError } from './errors/config-error.js';
export { LeaseLostError } from './errors/lease-lost-error.js';
export { StorageError } from './errors/storage-error.js';
export type { SyncErrorKind } from './errors/sync-error.js';
export { SyncError } from './errors/sync-error.js';
export type {
  ChangeEvent,
  ChangeEventBase,
  ChangeEventType,
  EventChangedEvent,
  FeedStatusEvent,
  ResultsReadyEvent,
  RiderChangedEvent,
  SignupAddedEvent,
  SignupWithdrawnEvent,
  SyncCompletedEvent,
  SyncFailedEvent,
} from './events/change-event.js';
export type { ChangeListener } from './events/event-bus.js';
export type { TeamConfig } from './operations/sync-team.js';
export { resolvePolicy, ttlFor } from './policy/resolve-policy.js';
export type { SyncPolicy, SyncPolicyInput, TtlBand } from './policy/sync-policy.js';
export { DEFAULT_POLICY } from './policy/sync-policy.js';
export type {
  SourceBucketState,
  SourceCallOptions,
  SourceEntrant,
  SourceEvent,
  SourceFeedEvent,
  SourceFeedSubgroup,
  SourceFollowerFeed,
  SourceRatingPoint,
  SourceResult,
  SourceRider,
  SourceRoute,
  SourceSignup,
  SyncSource,
} from './source/sync-source.js';
export { SOURCE_BUCKETS } from './source/sync-source.js';
export type { Lease, LeaseManager } from './storage/lease.js';
export type { MemoryStorageOptions } from './storage/memory-storage.js';
export { createMemoryStorage } from './storage/memory-storage.js';
export type {
  EventRecord,
  EventSource,
  JobState,
  Json,
  ResultJob,
  ResultRecord,
  RiderHistoryRow,
  RiderRecord,
  SignupCheck,
  SignupRecord,
  SyncLogEntry,
  SyncStatus,
  TeamMember,
} from './storage/records.js';
export type {
  EventQuery,
  EventUpsertOutcome,
  Fence,
  ResultDelta,
  ResultQuery,
  RiderHistoryQuery,
  RiderWrite,
  RiderWriteOutcome,
  SignupDelta,
  SignupPresence,
  SignupQuery,
  StorageAdapter,
  SyncLogQuery,
} from './storage/storage-adapter.js';
