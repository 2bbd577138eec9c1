import type { BucketSpec, BucketState, RateLimitStore, TakeResult } from '@racesync/sync-core';
import { SyncConfigError } from '@racesync/sync-core';
import { assertSchemaName, DEFAULT_SCHEMA } from '../schema-name.js';
import type { RpcTransport } from '../transport/transport.js';

/** Options of {@link createPostgresRateLimitStore}. */
export interface PostgresRateLimitStoreOptions {
  /** How to reach the database: `createPostgresTransport(...)` or `createSupabaseTransport(...)`. */
  transport: RpcTransport;
  /**
   * Schema holding racesync's migrations.
   * @default 'racesync'
   */
  schema?: string;
}

function assertSpec(spec: BucketSpec): void {
  if (!(spec?.capacity >= 1) || !(spec.intervalMs > 0) || !Number.isFinite(spec.intervalMs)) {
    throw new SyncConfigError(
      'spec',
      `needs capacity ≥ 1 and a finite intervalMs > 0, got ${JSON.stringify(spec)}`,
    );
  }
}

/** Throws a `SyncConfigError` naming `transport` unless it is one. */
export function assertTransport(transport: unknown): asserts transport is RpcTransport {
  if (!transport || typeof (transport as RpcTransport).call !== 'function') {
    throw new SyncConfigError(
      'transport',
      'is required: createPostgresTransport({ connectionString }) or createSupabaseTransport({ client })',
    );
  }
}

/**
 * A `RateLimitStore` in PostgreSQL: sliding windows ("at most `capacity` requests in any
 * `intervalMs`"), one row per bucket key holding its recent grant times and any 429 block. Each
 * `take` is ONE function call that locks the bucket's row, so any number of processes sharing one
 * API key (and this database) share one budget and never exceed it together. All times are the
 * callers' (`now`), so keep the instances' clocks in sync (NTP); grants are recorded in
 * non-decreasing order, so requests reaching the database slightly out of clock order never
 * overfill a window. Pass it to the client as its `rateLimitStore`.
 */
export function createPostgresRateLimitStore(options: PostgresRateLimitStoreOptions): RateLimitStore {
  if (!options || typeof options !== 'object') throw new SyncConfigError('options', 'must be an object');
  const { transport } = options;
  assertTransport(transport);
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const fn = (name: string) => `${schema}.${name}`;
  return {
    async take(key: string, spec: BucketSpec, now: number): Promise<TakeResult> {
      assertSpec(spec);
      const result = (await transport.call(fn('rate_limit_take'), {
        key,
        capacity: spec.capacity,
        intervalMs: spec.intervalMs,
        now,
      })) as TakeResult;
      return { granted: result.granted, waitMs: result.waitMs };
    },
    async block(key: string, until: number, spec: BucketSpec): Promise<void> {
      await transport.call(fn('rate_limit_block'), {
        key,
        until,
        capacity: spec?.capacity,
        intervalMs: spec?.intervalMs,
      });
    },
    async peek(key: string, spec: BucketSpec, now: number): Promise<BucketState> {
      assertSpec(spec);
      const state = (await transport.call(fn('rate_limit_peek'), {
        key,
        capacity: spec.capacity,
        intervalMs: spec.intervalMs,
        now,
      })) as BucketState;
      return {
        capacity: state.capacity,
        intervalMs: state.intervalMs,
        available: state.available,
        nextAvailableAt: state.nextAvailableAt,
        blockedUntil: state.blockedUntil,
      };
    },
  };
}
