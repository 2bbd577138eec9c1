import type { Lease, LeaseManager } from '@racesync/sync-core';
import type { RpcTransport } from '../transport/transport.js';

/**
 * Leases in PostgreSQL, one row per name with a fencing token that grows every time the lease is
 * taken (and survives release). acquire/renew/release are each ONE atomic function call, so any
 * number of instances sharing the database never hold one lease at once. Fenced writes
 * (`putJobState(state, { name, token })`) are refused once a newer token was issued.
 */
export function createLeaseManager(transport: RpcTransport, schema: string): LeaseManager {
  const fn = (name: string) => `${schema}.${name}`;
  const lease = (value: unknown): Lease | null => {
    if (!value || typeof value !== 'object') return null;
    const v = value as Lease;
    return { name: v.name, holder: v.holder, token: v.token, expiresAt: v.expiresAt };
  };
  return {
    async acquire(name, holder, ttlMs, now) {
      return lease(await transport.call(fn('lease_acquire'), { name, holder, ttlMs, now }));
    },
    async renew(current, ttlMs, now) {
      return lease(await transport.call(fn('lease_renew'), { lease: current, ttlMs, now }));
    },
    async release(current) {
      await transport.call(fn('lease_release'), { lease: current });
    },
  };
}
