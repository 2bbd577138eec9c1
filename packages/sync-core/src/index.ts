export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { diffFields } from './delta/diff-fields.js';
export { hashData } from './delta/hash.js';
export { omitPaths } from './delta/omit-paths.js';
export { stableJson } from './delta/stable-json.js';
export { SyncConfigError } from './errors/config-error.js';
export { LeaseLostError } from './errors/lease-lost-error.js';
export { StorageError } from './errors/storage-error.js';
export type { SyncErrorKind } from './errors/sync-error.js';
export { SyncError } from './errors/sync-error.js';
export type { Lease, LeaseManager } from './storage/lease.js';
export type { MemoryStorageOptions } from './storage/memory-storage.js';
export { createMemoryStorage } from './storage/memory-storage.js';
export type { BucketSpec, BucketState, RateLimitStore, TakeResult } from './storage/rate-limit-store.js';
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
  RiderWrite,
  RiderWriteOutcome,
  SignupDelta,
  SignupPresence,
  SignupQuery,
  StorageAdapter,
  SyncLogQuery,
} from './storage/storage-adapter.js';
